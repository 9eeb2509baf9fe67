"""The report context: one computation that every format lays out."""

from __future__ import annotations

from pathlib import Path

import pytest

from hicp.reports.context import TOP_ACTIONS, ReportContext


def test_heatmap_shares_add_up_to_each_threats_residual_risk(context: ReportContext) -> None:
    for threat in context.score.threats:
        shares = [c.residual_share or 0.0 for c in context.heatmap if c.threat == threat.id]
        if threat.residual is None:  # does not apply: no risk to share out, no cells
            assert not shares
            continue
        assert sum(shares) == pytest.approx(threat.residual)


def test_sections_list_every_in_scope_item_once(context: ReportContext) -> None:
    ids = [row.id for section in context.practices for row in section.items]
    assert len(ids) == len(set(ids)) == context.score.total


def test_top_actions_are_the_beginning_of_the_plan_in_its_own_order(
    context: ReportContext,
) -> None:
    # One order everywhere: the summary's first actions are the plan's first actions, "find
    # out" checks included where the plan puts them, so the numbers match the plan's.
    assert context.top_actions == context.plan.actions[:TOP_ACTIONS]


def test_no_previous_assessment_means_no_changes(context: ReportContext) -> None:
    assert context.changes is None


def test_evidence_conflicts_are_carried_onto_the_items(tmp_path: Path) -> None:
    from hicp.assessment.models import Assessment
    from hicp.catalog import Tier, default_catalog
    from hicp.evidence.evaluate import evaluate
    from hicp.evidence.models import Asset, AssetType
    from hicp.evidence.store import EvidenceStore
    from hicp.reports.context import build_context
    from tests.conftest import assessment_data

    catalog = default_catalog()
    assessment = Assessment.model_validate(
        assessment_data(catalog, Tier.MEDIUM, {"2.M.A": "implemented"})
    )
    source = tmp_path / "assets.csv"
    source.write_text("x")
    with EvidenceStore(tmp_path / "e.db") as store:
        store.store(
            source,
            "inventory",
            [
                Asset(hostname=f"ws{n}", type=AssetType.WORKSTATION, endpoint_agent=n < 2)
                for n in range(10)
            ],
        )
        evidence = evaluate(catalog, assessment, store)
    context = build_context(catalog, assessment, evidence=evidence)
    row = next(r for s in context.practices for r in s.items if r.id == "2.M.A")
    assert row.evidence_conflict and "8 of 10" in row.evidence_conflict
    assert context.evidence is not None and context.evidence.conflicts >= 1
    assert any(r.id == "endpoint-agent-coverage" for r in context.evidence.rules)
