"""Scoring: exact on a hand-worked example, and the rules hold for any set of answers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hicp.assessment.method import default_method
from hicp.assessment.models import Assessment, Status
from hicp.assessment.scoring import score
from hicp.catalog import Catalog, Tier, default_catalog
from tests.conftest import MakeAssessment, assessment_data

# The worked example of docs/scoring.md.
WORKED = {
    "1.S.A": "implemented",
    "1.S.B": "implemented",
    "1.S.C": "not_implemented",
    "8.S.A": "partial",
    "8.S.B": "not_applicable",
    "10.S.A": "unknown",
}


def test_worked_example_matches_the_documented_numbers(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    result = score(catalog, make_assessment(Tier.SMALL, WORKED))
    assert result.practice("P1").coverage == pytest.approx(2 / 3)
    assert result.practice("P8").coverage == pytest.approx(0.5)
    assert result.practice("P8").counted == 1  # the N/A item is left out
    assert result.practice("P10").coverage == 0.0
    t1 = result.threat("T1")  # mitigated by P1 (weight 3), P8 (2), P10 (1)
    assert t1.inherent == 20
    assert t1.mitigation == pytest.approx((3 * 2 / 3 + 2 * 0.5 + 1 * 0) / 6)
    assert t1.residual == pytest.approx(20 * (1 - 0.5))
    assert t1.exposure == pytest.approx(0.5)
    t5 = result.threat("T5")  # P3 1, P5 2, P6 3, P7 2, P8 1, P9 3, P10 1: only P8 has credit
    assert t5.mitigation == pytest.approx(1 * 0.5 / 13)
    assert result.coverage == pytest.approx(2.5 / 18)
    assert result.answered == 6 and result.total == 19
    assert all(t.applies for t in result.threats)  # 9.S.A is unanswered, so T5 applies
    total_inherent = sum(t.inherent for t in result.threats)
    assert result.exposure == pytest.approx(
        sum(t.residual or 0.0 for t in result.threats) / total_inherent
    )


def test_nothing_answered_means_full_exposure(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    result = score(catalog, make_assessment(Tier.MEDIUM))
    assert result.coverage == 0.0
    assert all(t.exposure == 1.0 for t in result.threats)


def test_everything_implemented_means_no_exposure(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    result = score(catalog, make_assessment(Tier.LARGE, default="implemented"))
    assert result.coverage == 1.0
    assert result.exposure == 0.0


def test_a_practice_with_only_not_applicable_items_is_not_scored(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    result = score(catalog, make_assessment(Tier.SMALL, {"9.S.A": "not_applicable"}))
    assert result.practice("P9").coverage is None
    p9 = next(c for c in result.threat("T5").practices if c.practice == "P9")
    assert p9.coverage is None and p9.weight == 3


def test_threat_override_changes_inherent_risk_and_keeps_its_reason(catalog: Catalog) -> None:
    data = assessment_data(
        catalog, threats={"T5": {"likelihood": 1, "reason": "No networked devices"}}
    )
    result = score(catalog, Assessment.model_validate(data))
    t5 = result.threat("T5")
    assert (t5.likelihood, t5.impact, t5.inherent) == (1, 5, 5)
    assert t5.override_reason == "No networked devices"


SCORED = [s for s in Status if s is not Status.NOT_APPLICABLE]
ANY_ANSWER = st.sampled_from([None, *Status])


def _answers(tier: Tier) -> st.SearchStrategy[dict[str, Status | None]]:
    ids = [sp.id for sp in default_catalog().in_scope(tier)]
    return st.fixed_dictionaries(dict.fromkeys(ids, ANY_ANSWER))


def _credit(status: Status | None) -> float:
    return 0.0 if status is None else default_method().status_credit[status]


def _build(tier: Tier, statuses: dict[str, Status | None]) -> Assessment:
    catalog = default_catalog()
    return Assessment.model_validate(
        assessment_data(catalog, tier, {k: (v.value if v else None) for k, v in statuses.items()})
    )


TIERS = st.sampled_from(list(Tier))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(data=st.data(), tier=TIERS)
def test_implementing_more_never_raises_any_exposure(data: st.DataObject, tier: Tier) -> None:
    catalog = default_catalog()
    statuses = data.draw(_answers(tier))
    candidates = [k for k, v in statuses.items() if v is not Status.NOT_APPLICABLE]
    item = data.draw(st.sampled_from(candidates))
    better = data.draw(
        st.sampled_from([s for s in SCORED if _credit(s) >= _credit(statuses[item])])
    )
    before = score(catalog, _build(tier, statuses))
    after = score(catalog, _build(tier, {**statuses, item: better}))
    for b, a in zip(before.threats, after.threats, strict=True):
        assert a.applies == b.applies  # only "not applicable" answers change that
        if a.exposure is not None and b.exposure is not None:
            assert a.exposure <= b.exposure + 1e-12
    assert (after.exposure or 0) <= (before.exposure or 0) + 1e-12
    assert (after.coverage or 0) >= (before.coverage or 0) - 1e-12


@FAST
@given(data=st.data(), tier=TIERS)
def test_not_applicable_items_do_not_count_against_the_score(
    data: st.DataObject, tier: Tier
) -> None:
    catalog = default_catalog()
    statuses = data.draw(_answers(tier))
    gaps = [k for k, v in statuses.items() if v is not Status.NOT_APPLICABLE and _credit(v) == 0]
    if not gaps:
        return
    item = data.draw(st.sampled_from(gaps))
    before = score(catalog, _build(tier, statuses))
    after = score(catalog, _build(tier, {**statuses, item: Status.NOT_APPLICABLE}))
    for b, a in zip(before.threats, after.threats, strict=True):
        # A threat may stop applying (its dedicated practice is now all N/A); one that still
        # applies is never more exposed.
        if a.exposure is not None and b.exposure is not None:
            assert a.exposure <= b.exposure + 1e-12
        moved = catalog.threats[a.id].dedicated_practice == catalog.practice_of(item).id
        assert a.applies or not b.applies or moved
    assert (after.coverage or 0) >= (before.coverage or 0) - 1e-12


@FAST
@given(data=st.data(), tier=TIERS)
def test_scores_stay_within_their_ranges(data: st.DataObject, tier: Tier) -> None:
    result = score(default_catalog(), _build(tier, data.draw(_answers(tier))))
    for t in result.applicable_threats:
        assert t.mitigation is not None and t.residual is not None
        assert 0.0 <= t.mitigation <= 1.0
        assert 0.0 <= t.residual <= t.inherent
    for p in result.practices:
        assert p.coverage is None or 0.0 <= p.coverage <= 1.0
