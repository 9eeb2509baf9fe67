"""Template tags of the facilities roll-up: the dashboard summary, the levels chart, percentages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from hicp.reports import charts
from hicp.reports.wording import pct
from hicp.web.core import rollup
from hicp.web.core.results import safe_chart
from hicp.web.core.roles import Role
from hicp.web.core.scoping import access_to

register = template.Library()

# Segment fill and the text colour that keeps 4.5:1 on it; the counts are also written out in
# words beside each bar, so the colours are never the only way to read the chart.
LEVEL_STYLE = {
    rollup.Level.HIGH: ("#b42318", "#ffffff"),
    rollup.Level.MEDIUM: ("#e69f00", charts.INK),
    rollup.Level.LOW: ("#1e6b3a", "#ffffff"),
}
NO_RESULTS_STYLE = (charts.TRACK, charts.INK)


@register.filter
def percent(value: float | None) -> str:
    """A 0-1 share as the reports write it: "45%", or "–" when not scored."""
    return pct(value)


def _counts_line(summary: rollup.ThreatSummary, without: int) -> str:
    parts = [f"{n} {level.value}" for level, n in summary.counts]
    if without:
        parts.append(f"{without} without results")
    return ", ".join(parts)


@register.simple_tag
def level_chart(roll: rollup.RollUp, chart_id: str = "chart-facility-levels") -> SafeString:
    """One bar per threat, split by how many facilities are at each exposure level."""
    without = len(roll.rows) - len(roll.assessed)
    rows = []
    for summary in roll.by_threat:
        segments = [charts.Segment(n, *LEVEL_STYLE[level]) for level, n in summary.counts]
        segments.append(charts.Segment(without, *NO_RESULTS_STYLE))
        rows.append(
            charts.StackedRow(
                summary.threat.id,
                summary.threat.name,
                tuple(segments),
                _counts_line(summary, without),
            )
        )
    legend = [
        [(LEVEL_STYLE[level][0], f"{level.label}: {level.meaning}") for level in rollup.LEVELS],
        [(NO_RESULTS_STYLE[0], "No results yet")],
    ]
    described = "; ".join(f"{row.label}: {row.note}" for row in rows)
    return safe_chart(
        charts.stacked_counts(
            rows,
            legend,
            title="Facilities at each exposure level, threat by threat",
            desc=(
                f"How many of the {len(roll.rows)} facilities are at each exposure level for "
                f"each threat: {described}."
            ),
            chart_id=chart_id,
        )
    )


@register.inclusion_tag("rollup/_dashboard_summary.html", takes_context=True)
def facilities_summary(context: template.Context) -> dict[str, Any]:
    """The dashboard's lines about facilities: the parent it belongs to, its own facilities'
    standing, or (for admins of an organization without any) where to add them."""
    organization = context["organization"]
    user = context["request"].user
    access = access_to(user, organization)
    parent = None
    parent_reachable = False
    if organization.parent_id is not None:
        parent = organization.parent
        parent_reachable = access_to(user, parent) is not None
    roll = rollup.roll_up(organization) if rollup.has_facilities(organization) else None
    return {
        "organization": organization,
        "parent": parent,
        "parent_reachable": parent_reachable,
        "rollup": roll,
        # A facility can hold facilities too (its page allows it), but suggesting it on every
        # clinic's dashboard would only distract: the hint is for top-level organizations.
        "can_add": access is not None
        and access.role.allows(Role.ADMIN)
        and organization.parent_id is None,
    }
