"""The JSON report: the whole report context as one stable, schema-described JSON document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hicp.reports.context import ReportContext

SCHEMA_ID = "hicp.report/1"
# The committed copy, so consumers can validate without running Python; a test keeps it current.
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "report.schema.json"
REGENERATE = 'python -c "from hicp.reports.json_report import write_schema; write_schema()"'


def _dumps(value: Any) -> str:
    # allow_nan=False: NaN and Infinity are not JSON; fail loudly rather than write them.
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)


def document(context: ReportContext) -> dict[str, Any]:
    """The report as JSON-ready data: the schema marker first, then the context in model order."""
    return {"schema": SCHEMA_ID, **context.model_dump(mode="json")}


def render(context: ReportContext) -> bytes:
    return (_dumps(document(context)) + "\n").encode("utf-8")


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the document ``render`` writes."""
    generated = ReportContext.model_json_schema(mode="serialization")
    properties = {
        "schema": {
            "const": SCHEMA_ID,
            "description": "Names this document's shape and version.",
        },
        **generated.pop("properties"),
    }
    required = ["schema", *generated.pop("required")]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "HICP report",
        "description": (
            "An HICP assessment report as written by `hicp report --format json`: the "
            "organization, scores, action plan, recognized-practice standing and crosswalks. "
            "Fractions (coverage, exposure, credit) are unrounded numbers from 0 to 1."
        ),
        "type": "object",
        "properties": properties,
        "required": required,
        # $defs and anything else pydantic generates, minus the keys replaced above
        **{k: v for k, v in generated.items() if k not in {"title", "type"}},
    }


def write_schema(path: Path = SCHEMA_PATH) -> None:
    """Regenerate docs/schemas/report.schema.json after a deliberate change to the context."""
    path.write_text(_dumps(json_schema()) + "\n", encoding="utf-8")
