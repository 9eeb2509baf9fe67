"""The XLSX report: one sheet per section, filterable tables, real numbers and inert user text."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import cache
from typing import Any

import openpyxl
import pytest

from hicp.assessment.models import Assessment, Status
from hicp.assessment.store import load_assessment
from hicp.catalog import Tier, default_catalog
from hicp.reports.context import ReportContext, build_context
from hicp.reports.wording import action_label
from hicp.reports.xlsx_report import render
from tests.conftest import EXAMPLES
from tests.reports.conftest import EXAMPLE_NAMES, GENERATED_ON, example_context

SHEETS = [
    "Summary",
    "Sub-practices",
    "Action plan",
    "Recognized practices",
    "CSF 2.0",
    "HIPAA",
    "HPH CPGs",
]
FORMULA_OWNER = '=HYPERLINK("http://x")'


def _example_data(name: str) -> dict[str, Any]:
    assessment = load_assessment(EXAMPLES / f"{name}.yaml", default_catalog()).assessment
    return assessment.model_dump(mode="json")


def _improved_since(name: str) -> tuple[ReportContext, list[str]]:
    """The example, compared with an older copy in which three implemented items were partial."""
    current = _example_data(name)
    older = _example_data(name)
    older["assessment"]["date"] = "2025-09-30"
    worse = [sid for sid, a in older["answers"].items() if a["status"] == "implemented"][:3]
    for sid in worse:
        older["answers"][sid]["status"] = Status.PARTIAL.value
    context = build_context(
        default_catalog(),
        Assessment.model_validate(current),
        previous=Assessment.model_validate(older),
        generated_on=GENERATED_ON,
    )
    return context, worse


def _crafted() -> ReportContext:
    """The community hospital with hostile text typed into its answers."""
    data = _example_data("community-hospital")
    answers = data["answers"]
    answers["1.M.A"]["owner"] = FORMULA_OWNER
    answers["1.M.B"]["notes"] = "+cmd|'/c calc'!A0"
    answers["1.M.C"]["evidence"] = ["@SUM(1+1)", "-2+3"]
    answers["1.M.D"]["notes"] = "Bell\x07 rings"
    return build_context(
        default_catalog(), Assessment.model_validate(data), generated_on=GENERATED_ON
    )


@cache
def _workbook(name: str) -> Any:
    return openpyxl.load_workbook(io.BytesIO(render(example_context(name))))


def _header_row(ws: Any) -> int:
    match = re.fullmatch(r"A(\d+):[A-Z]+\d+", ws.auto_filter.ref or "")
    assert match, f"{ws.title} has no autofilter"
    return int(match.group(1))


def _column(ws: Any, header: str) -> list[Any]:
    """The data cells under ``header`` in a table sheet."""
    top = _header_row(ws)
    headers = [c.value for c in ws[top]]
    index = headers.index(header)
    return [row[index] for row in ws.iter_rows(min_row=top + 1)]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_workbook_has_one_sheet_per_section_and_no_changes_sheet_without_a_previous_one(
    name: str,
) -> None:
    assert _workbook(name).sheetnames == SHEETS


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_sub_practices_sheet_has_one_row_per_in_scope_sub_practice(name: str) -> None:
    context = example_context(name)
    org = context.organization
    in_scope = default_catalog().in_scope(Tier(org.tier), map(Tier, org.include_tiers))
    ids = [c.value for c in _column(_workbook(name)["Sub-practices"], "ID")]
    assert len(ids) == len(in_scope)
    assert ids == [sp.id for sp in in_scope]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_table_sheet_has_a_bold_frozen_header_and_an_autofilter_over_all_rows(
    name: str,
) -> None:
    wb = _workbook(name)
    for ws in wb.worksheets[1:]:
        top = _header_row(ws)
        assert ws.freeze_panes == f"A{top + 1}", ws.title
        assert ws.auto_filter.ref.endswith(str(ws.max_row)), ws.title
        header = [c for c in ws[top] if c.value is not None]
        assert header and all(c.font.bold for c in header), ws.title


def test_sub_practice_evidence_is_joined_and_dates_are_real_dates() -> None:
    context = example_context("community-hospital")
    ws = _workbook("community-hospital")["Sub-practices"]
    first = context.practices[0].items[0]
    assert _column(ws, "Evidence")[0].value == "; ".join(first.evidence)
    since = _column(ws, "In place since")[0]
    assert isinstance(since.value, dt.datetime)
    assert since.value.date() == first.in_place_since
    targets = {c.value.date() for c in _column(ws, "Target date") if c.value}
    assert targets == {i.target_date for p in context.practices for i in p.items if i.target_date}


def test_percentages_are_numbers_with_a_percent_format() -> None:
    context = example_context("community-hospital")
    wb = _workbook("community-hospital")
    coverage = next(row[1] for row in wb["Summary"].iter_rows() if row[0].value == "Coverage")
    assert coverage.value == pytest.approx(context.score.coverage)
    assert "%" in coverage.number_format
    items = [i for p in context.practices for i in p.items]
    partial = next(n for n, i in enumerate(items) if i.status is Status.PARTIAL)
    credit = _column(wb["Sub-practices"], "Credit")[partial]
    assert isinstance(credit.value, float) and "%" in credit.number_format
    assert credit.value == pytest.approx(items[partial].credit)


def test_summary_shows_each_threat_exposure_and_the_top_actions_with_owners() -> None:
    context = example_context("community-hospital")
    rows = [[c.value for c in row] for row in _workbook("community-hospital")["Summary"]]
    for threat in context.score.threats:
        assert any(r[0] == threat.id and r[2] == pytest.approx(threat.exposure) for r in rows)
    top = context.top_actions[0]
    assert [action_label(top), top.owner] in [r[1:3] for r in rows]


def test_action_plan_lists_every_action_in_plan_order() -> None:
    context = example_context("health-system")
    ws = _workbook("health-system")["Action plan"]
    assert [c.value for c in _column(ws, "ID")] == [a.id for a in context.plan.actions]


def test_text_that_looks_like_a_formula_is_stored_as_text() -> None:
    data = render(_crafted())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Sub-practices"]
    owner = _column(ws, "Owner")[0]
    assert owner.value == FORMULA_OWNER
    assert owner.data_type == "s" and owner.quotePrefix
    assert _column(ws, "Evidence")[2].value == "@SUM(1+1); -2+3"


def test_control_characters_in_answers_are_dropped_rather_than_breaking_the_file() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(render(_crafted())))["Sub-practices"]
    assert _column(ws, "Notes")[3].value == "Bell rings"


def test_changes_sheet_lists_what_changed_since_a_previous_assessment() -> None:
    context, improved = _improved_since("community-hospital")
    wb = openpyxl.load_workbook(io.BytesIO(render(context)))
    assert wb.sheetnames == [*SHEETS, "Changes"]
    ws = wb["Changes"]
    pairs = zip(_column(ws, "ID"), _column(ws, "Change"), strict=True)
    changed = {c.value: change.value for c, change in pairs}
    assert changed == dict.fromkeys(improved, "Improved")


def test_same_context_gives_the_same_bytes() -> None:
    context = example_context("small-clinic")
    assert render(context) == render(context)
