"""The XLSX report: one sheet per section, filterable tables, real numbers and inert user text."""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import cache
from typing import Any

import openpyxl
import pytest

from hicp.assessment.models import Status
from hicp.catalog import Tier, default_catalog
from hicp.reports.context import ReportContext
from hicp.reports.markdown_report import evidence_sentence
from hicp.reports.wording import action_label
from hicp.reports.xlsx_report import coverage_formula, render
from tests.reports.conftest import (
    EVIDENCE_CONFLICTS,
    EVIDENCE_NOTES,
    EXAMPLE_NAMES,
    FORMULA_OWNER,
    crafted,
    example_context,
    improved_since,
)

SHEETS = [
    "Summary",
    "Sub-practices",
    "Action plan",
    "Recognized practices",
    "CSF 2.0",
    "HIPAA",
    "HPH CPGs",
]


def _crafted() -> ReportContext:
    """The community hospital with formulas and a control character typed into its answers."""
    return crafted(
        {
            "1.M.A": {"owner": FORMULA_OWNER},
            "1.M.B": {"notes": "+cmd|'/c calc'!A0"},
            "1.M.C": {"evidence": ["@SUM(1+1)", "-2+3"]},
            "1.M.D": {"notes": "Bell\x07 rings"},
        }
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


def _formulas(workbook: Any) -> dict[str, str]:
    """Every formula in the workbook: "Sheet!A1" -> the formula."""
    return {
        f"{ws.title}!{cell.coordinate}": cell.value
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    }


def test_text_that_looks_like_a_formula_is_stored_as_text() -> None:
    context = _crafted()
    data = render(context)
    # The only formulas are the coverage figures hicp writes itself, none from answer text.
    ours = {coverage_formula(context, p) for p in context.practices}
    assert set(_formulas(openpyxl.load_workbook(io.BytesIO(data))).values()) == ours
    ws = openpyxl.load_workbook(io.BytesIO(data))["Sub-practices"]
    owner = _column(ws, "Owner")[0]
    assert owner.value == FORMULA_OWNER
    assert owner.data_type == "s" and owner.quotePrefix
    assert _column(ws, "Evidence")[2].value == "@SUM(1+1); -2+3"


def test_control_characters_in_answers_are_dropped_rather_than_breaking_the_file() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(render(_crafted())))["Sub-practices"]
    assert _column(ws, "Notes")[3].value == "Bell rings"


def test_changes_sheet_lists_what_changed_since_a_previous_assessment() -> None:
    context, improved = improved_since("community-hospital")
    wb = openpyxl.load_workbook(io.BytesIO(render(context)))
    assert wb.sheetnames == [*SHEETS, "Changes"]
    ws = wb["Changes"]
    pairs = zip(_column(ws, "ID"), _column(ws, "Change"), strict=True)
    changed = {c.value: change.value for c, change in pairs}
    assert changed == dict.fromkeys(improved, "Improved")


def test_same_context_gives_the_same_bytes() -> None:
    context = example_context("small-clinic")
    assert render(context) == render(context)


# Imported tool evidence -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence_workbook(evidence_context: ReportContext) -> Any:
    return openpyxl.load_workbook(io.BytesIO(render(evidence_context)))


def test_with_evidence_an_evidence_sheet_follows_the_sub_practices(
    evidence_workbook: Any,
) -> None:
    assert evidence_workbook.sheetnames == [*SHEETS[:2], "Evidence", *SHEETS[2:]]


def test_the_evidence_sheet_lists_every_rule_as_a_filterable_table(
    evidence_context: ReportContext, evidence_workbook: Any
) -> None:
    assert evidence_context.evidence is not None
    rules = evidence_context.evidence.rules
    ws = evidence_workbook["Evidence"]
    top = _header_row(ws)
    assert ws.freeze_panes == f"A{top + 1}" and ws.auto_filter.ref.endswith(str(ws.max_row))
    assert all(c.font.bold for c in ws[top] if c.value is not None)
    assert [c.value for c in _column(ws, "Rule")] == [r.title for r in rules]
    assert [c.value for c in _column(ws, "Rule ID")] == [r.id for r in rules]
    assert [c.value for c in _column(ws, "Sub-practices")] == [
        ", ".join(r.sub_practices) for r in rules
    ]
    assert [c.value for c in _column(ws, "Total")] == [r.total for r in rules]
    assert [c.value for c in _column(ws, "Falling short")] == [r.bad for r in rules]
    shares = _column(ws, "Share meeting the bar")
    assert [c.value for c in shares] == pytest.approx([r.share for r in rules])
    assert all("%" in c.number_format for c in shares)
    assert [c.value for c in _column(ws, "Evidence supports")] == [r.supports.label for r in rules]
    assert [c.value for c in _column(ws, "Explanation")] == [r.explanation for r in rules]
    agents = [c.value for c in ws[top + 1]]
    assert agents[:6] == [
        "Endpoints have an endpoint-protection agent",
        "2.M.A",
        10,
        3,
        0.7,
        "Not implemented",
    ]
    note = ws.cell(row=2, column=1).value
    assert all(line in note for line in evidence_context.evidence.imports)


def test_each_conflict_and_note_is_in_its_sub_practice_row(
    evidence_context: ReportContext, evidence_workbook: Any
) -> None:
    ws = evidence_workbook["Sub-practices"]
    ids = [c.value for c in _column(ws, "ID")]
    conflicts = dict(zip(ids, (c.value for c in _column(ws, "Evidence conflict")), strict=True))
    notes = dict(zip(ids, (c.value for c in _column(ws, "Evidence note")), strict=True))
    items = {i.id: i for p in evidence_context.practices for i in p.items}
    assert {k for k, v in conflicts.items() if v} == set(EVIDENCE_CONFLICTS)
    assert {k for k, v in notes.items() if v} == set(EVIDENCE_NOTES)
    for sid in EVIDENCE_CONFLICTS:
        assert conflicts[sid] == evidence_sentence(items[sid].evidence_conflict or "")
    assert (
        "3 of 10 workstations and servers have no endpoint-protection agent" in conflicts["2.M.A"]
    )
    status = _column(ws, "Status")[ids.index("2.M.A")]
    assert status.value == "Implemented"  # the answer stays as given, the conflict beside it


def test_the_summary_says_how_many_answers_the_evidence_contradicts(
    evidence_workbook: Any,
) -> None:
    lines = [str(row[0].value) for row in evidence_workbook["Summary"].iter_rows()]
    assert any(
        line.startswith("3 answers are contradicted by the evidence imported from your tools")
        for line in lines
    )


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_without_evidence_there_is_no_evidence_column_or_summary_line(name: str) -> None:
    wb = _workbook(name)
    ws = wb["Sub-practices"]
    assert "Evidence conflict" not in [c.value for c in ws[_header_row(ws)]]
    assert not any("contradicted" in str(row[0].value) for row in wb["Summary"].iter_rows())


def test_the_small_clinics_csf_sheet_marks_borrowed_links_as_derived() -> None:
    ws = _workbook("small-clinic")["CSF 2.0"]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("8.S.A (derived)" in c for c in cells)
    assert any("borrows the references of a medium counterpart" in c for c in cells)


_AVERAGEIFS = re.compile(
    r"^=IFERROR\(AVERAGEIFS\('(?P<sheet>[^']+)'!\$(?P<avg>[A-Z]+)\$(?P<first>\d+):\$[A-Z]+\$(?P<last>\d+),"
    r"'(?P=sheet)'!\$(?P<crit>[A-Z]+)\$(?P=first):\$[A-Z]+\$(?P=last),"
    r"\"=(?P<label>(?:[^\"]|\"\")*)\"\),\"(?P<mark>[^\"]*)\"\)$"
)


def _evaluate(workbook: Any, formula: str) -> float | str:
    """What a spreadsheet computes for a coverage formula, from the cells it reads."""
    found = _AVERAGEIFS.match(formula)
    assert found, formula
    ws = workbook[found["sheet"]]
    label = re.sub(r"~([~*?])", r"\1", found["label"].replace('""', '"'))
    values = [
        ws[f"{found['avg']}{row}"].value
        for row in range(int(found["first"]), int(found["last"]) + 1)
        if str(ws[f"{found['crit']}{row}"].value).casefold() == label.casefold()
    ]
    numbers = [v for v in values if isinstance(v, int | float)]  # AVERAGEIFS skips text
    return sum(numbers) / len(numbers) if numbers else found["mark"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_practice_coverage_is_a_formula_over_the_sub_practice_credits_equal_to_the_core(
    name: str,
) -> None:
    context = example_context(name)
    workbook = _workbook(name)
    ws = workbook["Summary"]
    rows = {
        r[0].value: r for r in ws.iter_rows() if r[0].value in {p.id for p in context.practices}
    }
    for practice in context.practices:
        cell = rows[practice.id][2]
        assert cell.data_type == "f" and cell.number_format == "0%"
        computed = _evaluate(workbook, cell.value)
        if practice.coverage is None:
            assert computed == "–"
        else:
            assert computed == pytest.approx(practice.coverage), practice.id


def test_coverage_formula_follows_an_edited_status_credit() -> None:
    """A reader who gives an item full credit on the Sub-practices sheet sees its practice's
    coverage rise."""
    context = example_context("small-clinic")
    workbook = _workbook("small-clinic")
    subs = workbook["Sub-practices"]
    header = [c.value for c in subs[4]]
    credit, label = header.index("Credit"), header.index("Practice")
    row = next(r for r in subs.iter_rows(min_row=5) if r[credit].value == 0)
    practice = next(p for p in context.practices if row[label].value == f"{p.id} {p.name}")
    summary = workbook["Summary"].iter_rows()
    formula = next(r[2].value for r in summary if r[0].value == practice.id)
    before = _evaluate(workbook, formula)
    row[credit].value = 1.0
    after = _evaluate(workbook, formula)
    assert before == pytest.approx(practice.coverage)
    assert isinstance(before, float) and isinstance(after, float) and after > before
