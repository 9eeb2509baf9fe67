"""Shared fixtures: the shipped catalog and a builder for in-memory assessments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from hicp.assessment.models import Assessment
from hicp.catalog import Catalog, Tier, default_catalog

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

MakeAssessment = Callable[..., Assessment]


@pytest.fixture(autouse=True)
def _no_user_reference_data(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests use the shipped end-of-life and KEV data, never a copy installed on this machine."""
    monkeypatch.setenv("HICP_DATA_DIR", str(tmp_path_factory.getbasetemp() / "no-user-data"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


def assessment_data(
    catalog: Catalog,
    tier: Tier = Tier.SMALL,
    statuses: Mapping[str, str | None] | None = None,
    *,
    default: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    answers: dict[str, dict[str, Any]] = {}
    for sp in catalog.in_scope(tier):
        status = (statuses or {}).get(sp.id, default)
        answer: dict[str, Any] = {"status": status}
        if status == "not_applicable":
            answer["justification"] = "Does not apply in this test"
        answers[sp.id] = answer
    return {
        "schema_version": 1,
        "organization": {"name": "Test Org", "tier": tier.value},
        "assessment": {"date": dt.date(2026, 11, 1), "catalog_version": catalog.version},
        "answers": answers,
        **extra,
    }


@pytest.fixture
def make_assessment(catalog: Catalog) -> MakeAssessment:
    def build(
        tier: Tier = Tier.SMALL, statuses: Mapping[str, str | None] | None = None, **kwargs: Any
    ) -> Assessment:
        return Assessment.model_validate(assessment_data(catalog, tier, statuses, **kwargs))

    return build
