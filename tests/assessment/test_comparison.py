"""Two assessments are compared only when they are of one organization, the earlier one first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hicp.assessment.comparison import check_comparable
from hicp.assessment.models import Assessment
from hicp.catalog import Catalog
from hicp.errors import AssessmentError
from tests.conftest import assessment_data


def _of(catalog: Catalog, name: str, date: str, org_id: str | None = None) -> Assessment:
    data: dict[str, Any] = assessment_data(catalog)
    data["organization"] = data["organization"] | {"name": name}
    if org_id is not None:
        data["organization"]["id"] = org_id
    data["assessment"] = data["assessment"] | {"date": dt.date.fromisoformat(date)}
    return Assessment.model_validate(data)


def test_an_earlier_assessment_of_the_same_organization_is_accepted(catalog: Catalog) -> None:
    check_comparable(
        _of(catalog, "Maple Clinic", "2025-11-01"), _of(catalog, "maple  clinic", "2026-11-01")
    )


def test_another_organizations_file_is_refused_naming_both(catalog: Catalog) -> None:
    with pytest.raises(AssessmentError, match=r"'Oak Hospital' but .* 'Maple Clinic'"):
        check_comparable(
            _of(catalog, "Oak Hospital", "2025-11-01"), _of(catalog, "Maple Clinic", "2026-11-01")
        )


def test_force_allows_a_renamed_organization(catalog: Catalog) -> None:
    check_comparable(
        _of(catalog, "Maple Clinic", "2025-11-01"),
        _of(catalog, "Maple Family Health", "2026-11-01"),
        force=True,
    )


def test_the_same_organization_id_allows_a_new_name_without_force(catalog: Catalog) -> None:
    check_comparable(
        _of(catalog, "Maple Clinic", "2025-11-01", "maple-1"),
        _of(catalog, "Maple Family Health", "2026-11-01", "maple-1"),
    )


def test_different_organization_ids_are_refused_even_with_force(catalog: Catalog) -> None:
    with pytest.raises(AssessmentError, match=r"organization\.id maple-1"):
        check_comparable(
            _of(catalog, "Maple Clinic", "2025-11-01", "maple-1"),
            _of(catalog, "Maple Clinic", "2026-11-01", "maple-2"),
            force=True,
        )


def test_a_previous_assessment_dated_after_the_current_one_is_refused(catalog: Catalog) -> None:
    with pytest.raises(AssessmentError, match=r"dated 2027-01-01, after .* \(2026-11-01\)"):
        check_comparable(
            _of(catalog, "Maple Clinic", "2027-01-01"),
            _of(catalog, "Maple Clinic", "2026-11-01"),
            force=True,
        )


def test_two_versions_of_the_same_day_may_be_compared(catalog: Catalog) -> None:
    check_comparable(
        _of(catalog, "Maple Clinic", "2026-11-01"), _of(catalog, "Maple Clinic", "2026-11-01")
    )


def test_an_organization_id_with_spaces_is_refused(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="pattern"):
        _of(catalog, "Maple Clinic", "2026-11-01", "maple clinic")
