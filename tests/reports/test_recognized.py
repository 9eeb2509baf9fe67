"""The 12-month view of recognized security practices (Public Law 116-321)."""

from __future__ import annotations

import datetime as dt

from hicp.assessment.models import Assessment
from hicp.catalog import Catalog, Tier
from hicp.reports.recognized import Standing, recognized_practices, twelve_months_before
from tests.conftest import assessment_data

ASSESSED = dt.date(2026, 11, 1)  # the date assessment_data uses


def _standing(catalog: Catalog, answers: dict[str, dict[str, object]]) -> dict[str, Standing]:
    data = assessment_data(catalog, Tier.SMALL, default="implemented")
    for sub_id, fields in answers.items():
        data["answers"][sub_id] = fields
    result = recognized_practices(catalog, Assessment.model_validate(data))
    return {p.id: p.standing for p in result}


def test_twelve_months_before_handles_leap_days() -> None:
    assert twelve_months_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert twelve_months_before(ASSESSED) == dt.date(2025, 11, 1)


def test_practice_in_place_for_a_year_with_dates_is_established(catalog: Catalog) -> None:
    since = {"status": "implemented", "in_place_since": dt.date(2025, 11, 1), "evidence": ["x"]}
    standing = _standing(catalog, {"7.S.A": since})
    assert standing["P7"] is Standing.ESTABLISHED


def test_a_recent_or_undated_item_keeps_the_practice_under_twelve_months(
    catalog: Catalog,
) -> None:
    recent = {"status": "implemented", "in_place_since": dt.date(2025, 11, 2)}
    assert _standing(catalog, {"7.S.A": recent})["P7"] is Standing.RECENT
    assert _standing(catalog, {})["P7"] is Standing.RECENT  # implemented, no date recorded


def test_partial_and_absent_practices(catalog: Catalog) -> None:
    standing = _standing(
        catalog, {"7.S.A": {"status": "partial"}, "2.S.A": {"status": "not_implemented"}}
    )
    assert standing["P7"] is Standing.PARTIAL
    assert standing["P2"] is Standing.NOT_IN_PLACE


def test_a_practice_whose_items_do_not_apply_is_marked_so(catalog: Catalog) -> None:
    na = {"status": "not_applicable", "justification": "No devices"}
    assert _standing(catalog, {"9.S.A": na})["P9"] is Standing.NOT_APPLICABLE


def test_missing_evidence_and_dates_are_listed(catalog: Catalog) -> None:
    data = assessment_data(catalog, Tier.SMALL, default="implemented")
    result = recognized_practices(catalog, Assessment.model_validate(data))
    item = next(i for p in result for i in p.items if i.id == "7.S.A")
    assert "no in-place-since date" in item.missing
    assert "no evidence recorded" in item.missing
