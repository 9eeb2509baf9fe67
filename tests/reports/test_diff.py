"""Diffs between assessments: each kind of change is named, and self-diff is empty."""

from __future__ import annotations

from typing import Any

import pytest

from hicp.assessment.models import Assessment, Status
from hicp.catalog import Catalog, Tier
from hicp.reports.diff import Change, diff_assessments
from tests.conftest import assessment_data


def _assessment(catalog: Catalog, statuses: dict[str, str | None], **answers: Any) -> Assessment:
    data = assessment_data(catalog, Tier.SMALL, statuses, default="not_implemented")
    for sub_id, fields in answers.items():
        data["answers"][sub_id.replace("_", ".")].update(fields)
    return Assessment.model_validate(data)


def test_an_assessment_compared_with_itself_has_no_changes(catalog: Catalog) -> None:
    a = _assessment(catalog, {"1.S.A": "implemented"})
    result = diff_assessments(catalog, a, a)
    assert result.items == ()
    assert result.is_empty


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("not_implemented", "implemented", Change.IMPROVED),
        ("partial", "not_implemented", Change.REGRESSED),
        (None, "partial", Change.NEWLY_ANSWERED),
        ("partial", None, Change.DROPPED),
        ("not_implemented", "not_applicable", Change.NOW_NOT_APPLICABLE),
        ("not_applicable", "planned", Change.NOW_APPLICABLE),
        ("unknown", "not_implemented", Change.REWORDED),
    ],
)
def test_each_status_change_is_classified(
    catalog: Catalog, before: str | None, after: str | None, change: Change
) -> None:
    old = _assessment(catalog, {"2.S.A": before})
    new = _assessment(catalog, {"2.S.A": after})
    result = diff_assessments(catalog, old, new)
    assert [(i.id, i.change) for i in result.items] == [("2.S.A", change)]


def test_changed_owner_or_dates_are_reported_as_details(catalog: Catalog) -> None:
    old = _assessment(catalog, {"3.S.A": "planned"})
    new = _assessment(catalog, {"3.S.A": "planned"}, **{"3_S_A": {"owner": "Office manager"}})
    (item,) = diff_assessments(catalog, old, new).items
    assert item.change is Change.DETAILS and item.fields == ("owner",)


def test_score_deltas_follow_the_change(catalog: Catalog) -> None:
    old = _assessment(catalog, {})
    new = _assessment(catalog, {"1.S.A": "implemented", "1.S.B": "implemented"})
    scores = diff_assessments(catalog, old, new).scores
    assert (scores.coverage_after or 0) > (scores.coverage_before or 0)
    t1 = next(t for t in scores.threats if t[0] == "T1")
    assert t1[2] < t1[1]
    assert scores.exposure_after < scores.exposure_before
    assert Status.IMPLEMENTED  # the statuses used above are real members
