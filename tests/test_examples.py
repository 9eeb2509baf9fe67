"""The shipped example assessments are valid, complete and tell a believable story."""

from __future__ import annotations

import pytest

from hicp.assessment.plan import build_plan
from hicp.assessment.scoring import score
from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog, Tier
from tests.conftest import EXAMPLES

EXPECTED = {
    "small-clinic.yaml": Tier.SMALL,
    "community-hospital.yaml": Tier.MEDIUM,
    "health-system.yaml": Tier.LARGE,
}


def test_examples_folder_holds_exactly_the_three_organizations() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "tier"), EXPECTED.items())
def test_example_is_valid_fully_answered_and_fictional(
    catalog: Catalog, name: str, tier: Tier
) -> None:
    path = EXAMPLES / name
    loaded = load_assessment(path, catalog)
    assert loaded.warnings == ()
    assert loaded.assessment.tier is tier
    result = score(catalog, loaded.assessment)
    assert result.answered == result.total == len(catalog.in_scope(tier))
    assert path.read_text().startswith("# Fictional organization")


@pytest.mark.parametrize("name", EXPECTED)
def test_example_has_a_plan_with_first_actions(catalog: Catalog, name: str) -> None:
    assessment = load_assessment(EXAMPLES / name, catalog).assessment
    plan = build_plan(catalog, assessment)
    assert plan.top(3), name


def test_larger_organizations_in_the_examples_are_more_mature(catalog: Catalog) -> None:
    coverage = {
        name: score(catalog, load_assessment(EXAMPLES / name, catalog).assessment).coverage
        for name in EXPECTED
    }
    assert coverage["small-clinic.yaml"] < coverage["community-hospital.yaml"]
    assert coverage["community-hospital.yaml"] < coverage["health-system.yaml"]
