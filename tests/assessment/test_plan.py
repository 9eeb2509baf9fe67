"""The action plan: ordering, dependencies, phases, quick wins, and exact reductions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hicp.assessment.models import Assessment, Status
from hicp.assessment.plan import ActionKind, build_plan, reductions
from hicp.assessment.scoring import score
from hicp.catalog import Catalog, Tier, default_catalog
from tests.conftest import MakeAssessment, assessment_data


def test_a_fully_implemented_organization_has_an_empty_plan(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    plan = build_plan(catalog, make_assessment(Tier.SMALL, default="implemented"))
    assert plan.actions == ()


def test_not_applicable_and_implemented_items_are_not_actions(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    assessment = make_assessment(
        Tier.SMALL, {"1.S.A": "implemented", "9.S.A": "not_applicable"}, default="not_implemented"
    )
    ids = {a.id for a in build_plan(catalog, assessment).actions}
    assert "1.S.A" not in ids and "9.S.A" not in ids
    assert len(ids) == 17


def test_not_sure_and_unanswered_become_find_out_actions_in_the_first_phase(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    plan = build_plan(
        catalog, make_assessment(Tier.SMALL, {"4.S.A": "unknown"}, default="not_implemented")
    )
    action = next(a for a in plan.actions if a.id == "4.S.A")
    assert action.kind is ActionKind.FIND_OUT
    assert action.phase == "30d"
    assert plan.actions[0].kind is ActionKind.FIND_OUT  # finding out comes first


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("partial", ActionKind.FINISH),
        ("planned", ActionKind.CARRY_OUT),
        ("not_implemented", ActionKind.IMPLEMENT),
    ],
)
def test_action_kind_follows_the_status(
    catalog: Catalog, make_assessment: MakeAssessment, status: str, kind: ActionKind
) -> None:
    plan = build_plan(
        catalog, make_assessment(Tier.SMALL, {"2.S.A": status}, default="implemented")
    )
    assert [(a.id, a.kind) for a in plan.actions] == [("2.S.A", kind)]


def test_prerequisites_come_first_and_never_in_a_later_phase(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    plan = build_plan(catalog, make_assessment(Tier.LARGE, default="not_implemented"))
    position = {a.id: i for i, a in enumerate(plan.actions)}
    phase_rank = {p.key: i for i, p in enumerate(plan.phases)}
    phase_of = {a.id: phase_rank[a.phase] for a in plan.actions}
    checked = 0
    for action in plan.actions:
        for dep in action.depends_on:
            assert position[dep] < position[action.id], (dep, action.id)
            assert phase_of[dep] <= phase_of[action.id]
            checked += 1
    assert checked > 10  # the large scope has many dependencies; make sure they were exercised


def test_a_prerequisite_is_ranked_with_what_it_unblocks(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    plan = build_plan(catalog, make_assessment(Tier.LARGE, default="not_implemented"))
    by_id = {a.id: a for a in plan.actions}
    for action in plan.actions:
        for dep in action.depends_on:
            assert by_id[dep].priority >= action.priority


def test_phases_respect_capacity_except_the_last(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    plan = build_plan(catalog, make_assessment(Tier.MEDIUM, default="not_implemented"))
    for phase in plan.phases[:-1]:
        assert phase.capacity is not None and phase.points <= phase.capacity
    assert plan.phases[0].actions, "something to do in the first 30 days"
    assert sum(len(p.actions) for p in plan.phases) == len(plan.actions)


def test_quick_wins_are_short_and_cheap(catalog: Catalog, make_assessment: MakeAssessment) -> None:
    plan = build_plan(catalog, make_assessment(Tier.MEDIUM, default="not_implemented"))
    wins = [a for a in plan.actions if a.quick_win]
    assert wins
    for a in plan.actions:
        assert a.quick_win == (
            a.effort.value in {"hours", "days"} and a.cost.value in {"free", "low"}
        )


def test_higher_priority_comes_first_among_independent_actions(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    plan = build_plan(catalog, make_assessment(Tier.SMALL, default="not_implemented"))
    first_phase = [a for a in plan.actions if a.phase == "30d"]
    priorities = [a.priority for a in first_phase if not a.depends_on]
    assert priorities == sorted(priorities, reverse=True)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), tier=st.sampled_from(list(Tier)))
def test_each_reduction_equals_the_change_a_rescore_would_show(
    data: st.DataObject, tier: Tier
) -> None:
    catalog = default_catalog()
    ids = [sp.id for sp in catalog.in_scope(tier)]
    statuses = data.draw(st.fixed_dictionaries({i: st.sampled_from([None, *Status]) for i in ids}))
    assessment = Assessment.model_validate(
        assessment_data(catalog, tier, {k: (v.value if v else None) for k, v in statuses.items()})
    )
    before = score(catalog, assessment)
    gains = reductions(catalog, before)
    if not gains:
        return
    item = data.draw(st.sampled_from(sorted(gains)))
    after = score(catalog, assessment, statuses={item: Status.IMPLEMENTED})
    # Implementing a gap never changes which threats apply, so the sums cover the same threats.
    assert [t.applies for t in before.threats] == [t.applies for t in after.threats]
    removed = sum(t.residual or 0.0 for t in before.threats) - sum(
        t.residual or 0.0 for t in after.threats
    )
    assert gains[item] == pytest.approx(removed)


def test_find_out_actions_are_in_the_first_phase_even_behind_a_prerequisite(
    catalog: Catalog, make_assessment: MakeAssessment
) -> None:
    # 7.M.A depends on 5.M.A; with 5.M.A a large open gap, 7.M.A "not sure" is still checked now.
    plan = build_plan(
        catalog, make_assessment(Tier.MEDIUM, {"7.M.A": "unknown"}, default="not_implemented")
    )
    assert next(a for a in plan.actions if a.id == "7.M.A").phase == "30d"


def test_an_organizations_own_target_date_places_the_action(catalog: Catalog) -> None:
    data = assessment_data(catalog, Tier.SMALL, default="implemented")
    data["answers"]["8.S.A"] = {
        "status": "not_implemented",
        "target_date": dt.date(2027, 6, 30),
    }  # ~8 months after 2026-11-01
    plan = build_plan(catalog, Assessment.model_validate(data))
    assert [(a.id, a.phase) for a in plan.actions] == [("8.S.A", "1y")]
