"""`--previous` reaches the OSCAL output as a prior result of the assessment-results."""

from __future__ import annotations

import json
from typing import Any

from trestle.oscal.assessment_results import AssessmentResults

from hicp.assessment.models import Assessment
from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog
from hicp.reports.context import build_context
from hicp.reports.oscal_report import render
from hicp.reports.wording import pct
from tests.conftest import EXAMPLES
from tests.reports.conftest import GENERATED_ON


def _results(catalog: Catalog, previous: Assessment | None) -> list[dict[str, Any]]:
    current = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    context = build_context(catalog, current, previous=previous, generated_on=GENERATED_ON)
    doc = json.loads(render(context).decode("utf-8"))
    AssessmentResults.model_validate(doc["assessment-results"])
    results: list[dict[str, Any]] = doc["assessment-results"]["results"]
    return results


def test_without_a_previous_assessment_there_is_one_result(catalog: Catalog) -> None:
    assert len(_results(catalog, None)) == 1


def test_a_previous_assessment_is_a_valid_prior_result_with_its_date_and_figures(
    catalog: Catalog,
) -> None:
    current = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    older = Assessment.model_validate(
        current.model_dump(mode="json")
        | {"answers": {}}
        | {"assessment": {"date": "2025-10-15", "catalog_version": catalog.version}}
    )
    now, prior = _results(catalog, older)
    assert now["start"].startswith("2026-10-15")
    assert prior["start"].startswith("2025-10-15")
    assert prior["title"].startswith("Prior HICP self-assessment")
    # Nothing was answered a year before: no coverage, every threat fully exposed.
    coverage = next(p["value"] for p in prior["props"] if p["name"] == "coverage")
    exposure = next(p["value"] for p in prior["props"] if p["name"] == "exposure")
    assert (coverage, exposure) == (pct(0.0), pct(1.0))
    assert prior["uuid"] != now["uuid"]
