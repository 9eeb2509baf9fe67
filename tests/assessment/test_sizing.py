"""Sizing: each criterion votes for a tier; the most votes wins; a tie goes to the larger tier."""

from __future__ import annotations

import pytest

from hicp.assessment.sizing import SizingError, classify
from hicp.catalog import Catalog, Tier


@pytest.mark.parametrize(
    ("answers", "tier"),
    [
        ({"providers": 4}, Tier.SMALL),
        ({"providers": 10}, Tier.SMALL),
        ({"providers": 11}, Tier.MEDIUM),
        ({"providers": 51}, Tier.LARGE),
        ({"beds": 120, "providers": 35, "it_staff": "it_team"}, Tier.MEDIUM),
        ({"providers": 4, "beds": 0, "it_staff": "none", "security_budget": "none"}, Tier.SMALL),
        ({"providers": 900, "beds": 1400, "it_staff": "security_team"}, Tier.LARGE),
        ({"providers": 8, "it_staff": "it_team"}, Tier.MEDIUM),  # tie: the larger tier
    ],
)
def test_tier_follows_the_majority_of_criteria(
    catalog: Catalog, answers: dict[str, int | str], tier: Tier
) -> None:
    assert classify(catalog.sizing, answers).tier is tier


def test_every_answer_gives_a_reason_with_its_rule(catalog: Catalog) -> None:
    result = classify(catalog.sizing, {"providers": 30, "beds": 20})
    reasons = {r.key: r for r in result.reasons}
    assert reasons["providers"].tier is Tier.MEDIUM
    assert "11 to 50 is medium" in reasons["providers"].rule
    assert reasons["beds"].tier is Tier.SMALL


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({}, "answer at least one"),
        ({"it_staff": "a nephew"}, "expected one of none, it_team, security_team"),
        ({"providers": -1}, "whole number"),
        ({"employees": 30}, "unknown sizing criteria: employees"),
    ],
)
def test_bad_sizing_answers_are_refused_clearly(
    catalog: Catalog, answers: dict[str, int | str], message: str
) -> None:
    with pytest.raises(SizingError, match=message):
        classify(catalog.sizing, answers)
