"""docs/formats.md lists every evidence rule with its sub-practices and the reason for them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hicp.evidence.rules import Rule, default_rules

DOC = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
ROWS = {
    m["id"]: [cell.strip() for cell in m["rest"].split(" | ")]
    for m in re.finditer(r"^\| `(?P<id>[a-z0-9-]+)` \| (?P<rest>.*) \|$", DOC, re.MULTILINE)
}


@pytest.mark.parametrize("rule", default_rules().rules, ids=lambda r: r.id)
def test_every_rule_is_documented_with_its_sub_practices_and_reason(rule: Rule) -> None:
    assert rule.id in ROWS, f"{rule.id} is missing from the rule table in docs/formats.md"
    sub_practices, metric, thresholds, reason = ROWS[rule.id]
    assert sub_practices == ", ".join(rule.sub_practices)
    assert metric.startswith(f"`{rule.metric}`")
    assert thresholds == f"{rule.implemented} / {rule.partial}"
    assert len(reason) > 20, f"{rule.id}: say why it speaks to these sub-practices"
