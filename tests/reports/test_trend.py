"""Trends need several dated assessments of one organization."""

from __future__ import annotations

import datetime as dt

import pytest

from hicp.assessment.models import Assessment
from hicp.catalog import Catalog, Tier
from hicp.errors import ReportError
from hicp.reports.trend import build_trend
from tests.conftest import assessment_data


def _at(catalog: Catalog, day: dt.date, default: str, name: str = "Test Org") -> Assessment:
    data = assessment_data(catalog, Tier.SMALL, default=default)
    data["assessment"]["date"] = day
    data["organization"]["name"] = name
    return Assessment.model_validate(data)


def test_points_are_in_date_order_and_show_progress(catalog: Catalog) -> None:
    later = _at(catalog, dt.date(2026, 6, 1), "implemented")
    earlier = _at(catalog, dt.date(2025, 6, 1), "not_implemented")
    trend = build_trend(catalog, [later, earlier])
    assert [p.date for p in trend.points] == [dt.date(2025, 6, 1), dt.date(2026, 6, 1)]
    assert trend.points[0].exposure == 1.0 and trend.points[1].exposure == 0.0


@pytest.mark.parametrize(
    ("dates", "names", "message"),
    [
        ([dt.date(2026, 1, 1)], ["A"], "at least two"),
        ([dt.date(2026, 1, 1), dt.date(2026, 1, 1)], ["A", "A"], "same date"),
        ([dt.date(2026, 1, 1), dt.date(2026, 2, 1)], ["A", "B"], "is of .A. but .* is of .B."),
    ],
)
def test_unusable_inputs_are_refused(
    catalog: Catalog, dates: list[dt.date], names: list[str], message: str
) -> None:
    assessments = [_at(catalog, d, "partial", n) for d, n in zip(dates, names, strict=True)]
    with pytest.raises(ReportError, match=message):
        build_trend(catalog, assessments)
