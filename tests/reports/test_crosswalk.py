"""Roll-ups to NIST CSF 2.0, HIPAA and the HHS HPH CPGs."""

from __future__ import annotations

from hicp.assessment.models import Assessment
from hicp.assessment.scoring import score
from hicp.catalog import Catalog, Tier
from hicp.reports.crosswalk import Crosswalk, GoalState, crosswalk
from tests.conftest import assessment_data


def _crosswalk(catalog: Catalog, tier: Tier, statuses: dict[str, str], default: str) -> Crosswalk:
    data = assessment_data(catalog, tier, statuses, default=default)
    return crosswalk(catalog, score(catalog, Assessment.model_validate(data)))


def test_all_implemented_meets_every_assessable_goal(catalog: Catalog) -> None:
    result = _crosswalk(catalog, Tier.LARGE, {}, "implemented")
    assert all(g.state is GoalState.MET for g in result.goals)
    assert all(f.coverage == 1.0 for f in result.csf_functions)


def test_goals_without_in_scope_items_are_not_assessed(catalog: Catalog) -> None:
    result = _crosswalk(catalog, Tier.SMALL, {}, "implemented")
    goals = {g.id: g for g in result.goals}
    assert goals["HPH-X04"].state is GoalState.NOT_ASSESSED  # penetration testing: large only
    assert goals["HPH-E02"].state is GoalState.MET  # e-mail security: 1.S.A is in scope


def test_a_goal_is_partly_met_when_some_deciding_items_are_missing(catalog: Catalog) -> None:
    result = _crosswalk(catalog, Tier.MEDIUM, {"1.M.B": "not_implemented"}, "implemented")
    mfa = next(g for g in result.goals if g.id == "HPH-E03")
    assert mfa.state is GoalState.PARTLY_MET
    assert ("1.M.B", 0.0) in mfa.deciding


def test_csf_functions_cover_every_function_hicp_links_to(catalog: Catalog) -> None:
    result = _crosswalk(catalog, Tier.LARGE, {}, "not_implemented")
    assert {f.id for f in result.csf_functions} == {"GV", "ID", "PR", "DE", "RS", "RC"}
    assert all(f.coverage == 0.0 for f in result.csf_functions)


def test_hipaa_rollup_lists_standards_with_their_linked_items(catalog: Catalog) -> None:
    result = _crosswalk(catalog, Tier.MEDIUM, {}, "partial")
    training = next(h for h in result.hipaa if h.id == "164.308(a)(5)")
    assert "1.M.D" in training.sub_practices
    assert training.coverage == 0.5


def test_a_small_clinic_sees_detect_respond_and_recover_rows(catalog: Catalog) -> None:
    result = _crosswalk(catalog, Tier.SMALL, {"8.S.A": "implemented"}, "not_implemented")
    functions = {f.id: f for f in result.csf_functions}
    assert {"DE", "RS", "RC"} <= set(functions)
    # The incident response plan is what a clinic has for responding and recovering.
    assert functions["RC"].sub_practices == ("8.S.A",)
    assert functions["RC"].coverage == 1.0
    assert "6.S.C" in functions["DE"].sub_practices


def test_links_through_borrowed_references_are_marked_derived(catalog: Catalog) -> None:
    result = _crosswalk(catalog, Tier.SMALL, {}, "partial")
    protect = next(f for f in result.csf_functions if f.id == "PR")
    assert "1.S.B" in protect.derived and "1.S.A" not in protect.derived
    assert "1.S.B (derived)" in protect.linked_labels and "1.S.A" in protect.linked_labels
    # HIPAA links are the project's own per item, never borrowed.
    assert all(not h.derived for h in result.hipaa)
    # Medium and large items carry HICP's own references.
    large = _crosswalk(catalog, Tier.LARGE, {}, "partial")
    assert all(not f.derived for f in (*large.csf_functions, *large.csf_categories))
