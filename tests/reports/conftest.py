"""Report contexts for the three shipped examples, built once per test session."""

from __future__ import annotations

import datetime as dt

import pytest

from hicp.assessment.store import load_assessment
from hicp.catalog import default_catalog
from hicp.reports.context import Audience, ReportContext, build_context
from tests.conftest import EXAMPLES

EXAMPLE_NAMES = ("small-clinic", "community-hospital", "health-system")
GENERATED_ON = dt.date(2026, 11, 20)


def example_context(name: str, audience: Audience = Audience.CLINIC) -> ReportContext:
    catalog = default_catalog()
    assessment = load_assessment(EXAMPLES / f"{name}.yaml", catalog).assessment
    return build_context(catalog, assessment, audience=audience, generated_on=GENERATED_ON)


@pytest.fixture(scope="session", params=EXAMPLE_NAMES)
def context(request: pytest.FixtureRequest) -> ReportContext:
    """One context per example organization (tests using it run three times)."""
    return example_context(request.param)
