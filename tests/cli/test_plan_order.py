"""One plan everywhere: "what to do first" is the beginning of the plan, with the plan's numbers."""

from __future__ import annotations

import json
import re

import pytest

from hicp.assessment.plan import build_plan
from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog
from hicp.reports.context import build_context
from tests.cli.test_cli import hicp
from tests.conftest import EXAMPLES

NAMES = ["small-clinic", "community-hospital", "health-system"]


@pytest.mark.parametrize("name", NAMES)
def test_what_to_do_first_in_hicp_plan_is_the_plans_first_actions(name: str) -> None:
    path = EXAMPLES / f"{name}.yaml"
    _, out, _ = hicp("plan", str(path), "--format", "json")
    ids = [a["id"] for a in json.loads(out)["actions"]]
    _, text, _ = hicp("plan", str(path), "--format", "md")
    first = text.split("## What to do first", 1)[1].split("## All actions", 1)[0]
    numbered = re.findall(r"^(\d+)\. .*?\(([0-9]+\.[SML]\.[A-Z])\) —", first, flags=re.M)
    assert numbered == [(str(n), ids[n - 1]) for n in range(1, len(numbered) + 1)]


@pytest.mark.parametrize("name", NAMES)
def test_the_reports_first_actions_are_the_plans_first_actions(name: str, catalog: Catalog) -> None:
    assessment = load_assessment(EXAMPLES / f"{name}.yaml", catalog).assessment
    plan = build_plan(catalog, assessment)
    context = build_context(catalog, assessment)
    assert [a.id for a in context.top_actions] == [a.id for a in plan.actions[:5]]
