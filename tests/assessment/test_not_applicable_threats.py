"""A threat that does not apply: derived from its dedicated practice, or declared with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from hicp.assessment.models import Assessment, Status
from hicp.assessment.plan import build_plan, reductions
from hicp.assessment.scoring import score
from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog, Tier
from tests.conftest import MakeAssessment, assessment_data

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_medical_device_attacks_do_not_apply_when_every_device_item_is_not_applicable(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    result = score(catalog, make_assessment(Tier.SMALL, {"9.S.A": "not_applicable"}))
    t5 = result.threat("T5")
    assert not t5.applies
    assert t5.not_applicable == "9.S.A: Does not apply in this test"
    assert (t5.mitigation, t5.residual, t5.exposure) == (None, None, None)
    assert t5.inherent == 10  # still shown, so the reader sees what was left out


def test_overall_exposure_counts_only_the_threats_that_apply(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    # Nothing in place: every applicable threat is fully exposed, so overall exposure is 100%
    # over T1-T4 (inherent 20 + 20 + 12 + 9 = 61), not diluted or raised by T5.
    result = score(catalog, make_assessment(Tier.SMALL, {"9.S.A": "not_applicable"}))
    assert [t.id for t in result.applicable_threats] == ["T1", "T2", "T3", "T4"]
    assert result.exposure == pytest.approx(1.0)
    half = score(
        catalog,
        make_assessment(Tier.SMALL, {"9.S.A": "not_applicable"}, default="partial"),
    )
    assert half.exposure == pytest.approx(0.5)


def test_a_threat_still_applies_while_one_medical_device_item_counts(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    result = score(
        catalog,
        make_assessment(Tier.MEDIUM, {"9.M.A": "not_applicable", "9.M.B": "not_implemented"}),
    )
    assert result.threat("T5").applies


def test_an_organization_may_declare_a_threat_not_applicable_with_a_reason(
    catalog: Catalog,
) -> None:
    data = assessment_data(
        catalog,
        threats={"T3": {"not_applicable": True, "reason": "We hold no equipment or records"}},
    )
    t3 = score(catalog, Assessment.model_validate(data)).threat("T3")
    assert t3.not_applicable == "We hold no equipment or records"
    assert t3.exposure is None


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"not_applicable": True}, "reason"),
        ({"not_applicable": True, "likelihood": 2, "reason": "x"}, "has no likelihood or impact"),
        ({"reason": "x"}, "not_applicable: true"),
    ],
)
def test_a_threat_declaration_without_a_reason_or_with_ratings_is_refused(
    catalog: Catalog, override: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Assessment.model_validate(assessment_data(catalog, threats={"T3": override}))


def test_the_plan_takes_no_risk_from_a_threat_that_does_not_apply(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    # 6.S.A (network management) serves T2, T3, T4 and T5; with T5 out, its reduction is what
    # re-scoring shows, and its action lists only the threats that apply.
    assessment = make_assessment(Tier.SMALL, {"9.S.A": "not_applicable"}, default="not_implemented")
    result = score(catalog, assessment)
    after = score(catalog, assessment, statuses={"6.S.A": Status.IMPLEMENTED})
    removed = sum(t.residual or 0.0 for t in result.threats) - sum(
        t.residual or 0.0 for t in after.threats
    )
    assert reductions(catalog, result)["6.S.A"] == pytest.approx(removed)
    action = next(a for a in build_plan(catalog, assessment).actions if a.id == "6.S.A")
    assert "T5" not in action.threats and "T2" in action.threats


def test_the_small_clinic_example_is_not_shown_exposed_to_medical_device_attacks(
    catalog: Catalog,
) -> None:
    loaded = load_assessment(EXAMPLES / "small-clinic.yaml", catalog)
    t5 = score(catalog, loaded.assessment).threat("T5")
    assert t5.exposure is None
    assert t5.not_applicable is not None
    assert t5.not_applicable.startswith("9.S.A: No medical equipment connects to our network")


def test_the_documented_not_applicable_worked_example_holds(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    # docs/scoring.md, "Not applicable threats": the worked example with 9.S.A not applicable.
    from tests.assessment.test_scoring import WORKED

    result = score(catalog, make_assessment(Tier.SMALL, WORKED | {"9.S.A": "not_applicable"}))
    residuals = [round(t.residual or 0.0, 2) for t in result.applicable_threats]
    assert residuals == [10.0, 17.54, 11.45, 7.85]
    assert sum(t.inherent for t in result.applicable_threats) == 61
    assert result.exposure is not None and round(result.exposure * 100) == 77
    assert result.coverage == pytest.approx(2.5 / 17)
