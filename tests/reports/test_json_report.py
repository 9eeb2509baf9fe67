"""The JSON report: valid against its published schema, lossless, and the schema file is current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from hicp.reports.context import ReportContext
from hicp.reports.json_report import (
    REGENERATE,
    SCHEMA_PATH,
    json_schema,
    render,
    write_schema,
)
from tests.reports.conftest import EVIDENCE_CONFLICTS


def _load(context: ReportContext) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(context).decode("utf-8"))
    return data


def test_the_report_names_its_schema_first_and_then_follows_the_context_order(
    context: ReportContext,
) -> None:
    assert list(_load(context)) == ["schema", *ReportContext.model_fields]
    assert _load(context)["schema"] == "hicp.report/1"


def test_every_example_report_validates_against_the_schema(context: ReportContext) -> None:
    validator = Draft202012Validator(json_schema())
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(_load(context))
    ]
    assert errors == []


def test_the_schema_rejects_a_report_of_another_shape(context: ReportContext) -> None:
    validator = Draft202012Validator(json_schema())
    wrong_marker = {**_load(context), "schema": "hicp.report/2"}
    no_score = {k: v for k, v in _load(context).items() if k != "score"}
    assert not validator.is_valid(wrong_marker)
    assert not validator.is_valid(no_score)


def test_the_schema_is_itself_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(json_schema())
    assert json_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_numbers_survive_the_round_trip_unrounded(context: ReportContext) -> None:
    data = _load(context)
    assert data["score"]["exposure"] == context.score.exposure
    assert data["score"]["coverage"] == context.score.coverage
    assert [t["residual"] for t in data["score"]["threats"]] == [
        t.residual for t in context.score.threats
    ]
    assert [a["priority"] for a in data["plan"]["actions"]] == [
        a.priority for a in context.plan.actions
    ]


def test_the_document_reads_back_into_an_equal_context(context: ReportContext) -> None:
    # "schema" is not a context field; the model ignores it, so everything else must match
    assert ReportContext.model_validate_json(render(context)) == context


def test_the_report_has_one_row_per_in_scope_sub_practice(context: ReportContext) -> None:
    data = _load(context)
    ids = [i["id"] for p in data["practices"] for i in p["items"]]
    assert len(ids) == context.score.total
    assert ids == [i.id for p in context.practices for i in p.items]


def test_rendering_is_byte_identical_and_utf8_with_a_final_newline(
    context: ReportContext,
) -> None:
    first = render(context)
    assert first == render(context)
    assert first.endswith(b"}\n")
    first.decode("utf-8")


def test_the_committed_schema_file_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "report.schema.json"
    write_schema(fresh)
    assert json.loads(fresh.read_text(encoding="utf-8")) == json_schema()
    assert SCHEMA_PATH.read_bytes() == fresh.read_bytes(), (
        f"{SCHEMA_PATH} is out of date with ReportContext. If the model change is deliberate, "
        f"regenerate it with: {REGENERATE}"
    )


def test_a_report_with_tool_evidence_validates_and_carries_each_conflict(
    evidence_context: ReportContext,
) -> None:
    data = _load(evidence_context)
    assert list(Draft202012Validator(json_schema()).iter_errors(data)) == []
    assert data["evidence"]["conflicts"] == 3
    assert len(data["evidence"]["imports"]) == 2 and len(data["evidence"]["rules"]) == 5
    items = {i["id"]: i for p in data["practices"] for i in p["items"]}
    assert {sid for sid, i in items.items() if i["evidence_conflict"]} == set(EVIDENCE_CONFLICTS)
    assert "3 of 10 workstations" in items["2.M.A"]["evidence_conflict"]
    assert items["2.M.A"]["evidence_supports"] == "not_implemented"
    assert ReportContext.model_validate_json(render(evidence_context)) == evidence_context


def test_without_evidence_the_evidence_fields_are_null(context: ReportContext) -> None:
    data = _load(context)
    assert data["evidence"] is None
    for item in (i for p in data["practices"] for i in p["items"]):
        assert item["evidence_conflict"] is item["evidence_note"] is item["evidence_supports"]
        assert item["evidence_conflict"] is None
