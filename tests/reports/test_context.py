"""The report context: one computation that every format lays out."""

from __future__ import annotations

import pytest

from hicp.reports.context import TOP_ACTIONS, ReportContext


def test_heatmap_shares_add_up_to_each_threats_residual_risk(context: ReportContext) -> None:
    for threat in context.score.threats:
        shares = [c.residual_share or 0.0 for c in context.heatmap if c.threat == threat.id]
        assert sum(shares) == pytest.approx(threat.residual)


def test_sections_list_every_in_scope_item_once(context: ReportContext) -> None:
    ids = [row.id for section in context.practices for row in section.items]
    assert len(ids) == len(set(ids)) == context.score.total


def test_top_actions_are_the_plans_first_real_actions(context: ReportContext) -> None:
    assert context.top_actions == context.plan.top(TOP_ACTIONS)
    assert all(a.kind != "find_out" for a in context.top_actions)


def test_no_previous_assessment_means_no_changes(context: ReportContext) -> None:
    assert context.changes is None
