"""Plan dates: an action is due on its target date or at the end of its phase, and once that
date is behind the report's date ("today", passed in) it is overdue, never upcoming."""

from __future__ import annotations

import datetime as dt
import json

from hicp.assessment.plan import Plan, build_plan
from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog
from hicp.reports.context import build_context
from hicp.reports.markdown_report import render as render_md
from tests.cli.test_cli import hicp
from tests.conftest import EXAMPLES

CLINIC = EXAMPLES / "small-clinic.yaml"  # assessed 2026-10-15


def _plan(catalog: Catalog, today: dt.date | None) -> Plan:
    return build_plan(catalog, load_assessment(CLINIC, catalog).assessment, today=today)


def test_an_action_is_due_on_its_target_date_or_else_at_the_end_of_its_phase(
    catalog: Catalog,
) -> None:
    plan = _plan(catalog, None)
    ends = {p.key: p.ends_on for p in plan.phases}
    assert ends["30d"] == dt.date(2026, 11, 14)  # 2026-10-15 + 30 days
    assert ends["1y"] == dt.date(2027, 10, 15)
    for action in plan.actions:
        assert action.due_date == (action.target_date or ends[action.phase])


def test_without_a_report_date_nothing_is_judged_overdue(catalog: Catalog) -> None:
    plan = _plan(catalog, None)
    assert not any(a.overdue for a in plan.actions)
    assert not any(p.overdue for p in plan.phases)


def test_on_the_assessment_date_nothing_is_overdue(catalog: Catalog) -> None:
    plan = _plan(catalog, dt.date(2026, 10, 15))
    assert not any(a.overdue for a in plan.actions)


def test_actions_due_before_the_report_date_are_overdue_and_the_rest_are_not(
    catalog: Catalog,
) -> None:
    today = dt.date(2027, 2, 1)
    plan = _plan(catalog, today)
    assert any(a.overdue for a in plan.actions)
    for action in plan.actions:
        assert action.overdue == (action.due_date < today)
    assert [p.key for p in plan.phases if p.overdue] == ["30d", "90d"]


def test_the_report_shows_a_past_target_as_overdue_not_as_upcoming(catalog: Catalog) -> None:
    assessment = load_assessment(CLINIC, catalog).assessment
    context = build_context(catalog, assessment, generated_on=dt.date(2027, 2, 1))
    late = [a for a in context.top_actions if a.target_date is not None and a.overdue]
    assert late  # the clinic's first actions had targets in late 2026
    text = render_md(context).decode("utf-8")
    for action in late:
        assert f"overdue since {action.due_date.isoformat()}" in text
        assert f"by {action.due_date.isoformat()}" not in text


def test_hicp_plan_judges_overdue_as_of_a_given_date() -> None:
    code, out, _ = hicp("plan", str(CLINIC), "--as-of", "2027-02-01", "--format", "json")
    assert code == 0
    actions = json.loads(out)["actions"]
    assert any(a["overdue"] for a in actions)
    assert all(a["overdue"] == (a["due_date"] < "2027-02-01") for a in actions)
    code, out, _ = hicp("plan", str(CLINIC), "--as-of", "2026-10-15", "--format", "json")
    assert not any(a["overdue"] for a in json.loads(out)["actions"])
