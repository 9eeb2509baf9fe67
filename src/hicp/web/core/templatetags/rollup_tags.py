"""Template tags of the facilities roll-up: the dashboard summary, the levels chart, percentages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from hicp.reports import charts
from hicp.reports.wording import pct
from hicp.web.core import rollup
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
    total = len(roll.rows)
    without = total - len(roll.assessed)
    label_right, x0, span, row, top = 150.0, 160.0, 300.0, 30.0, 6.0
    summaries = roll.by_threat
    legend_y = top + row * len(summaries) + 20
    body: list[str] = []
    described = []
    lines = [""]
    for i, summary in enumerate(summaries):
        mid = top + i * row + row / 2
        body.append(f'<g class="bar" data-threat="{charts._esc(summary.threat.id)}">')
        body.append(charts._text(label_right, mid + 5, summary.threat.name, text_anchor="end"))
        x = x0
        segments = [(n, *LEVEL_STYLE[level]) for level, n in summary.counts]
        segments.append((without, *NO_RESULTS_STYLE))
        for count, fill, ink in segments:
            if not count:
                continue
            width = span * count / total
            body.append(
                f'<rect x="{charts._n(x)}" y="{charts._n(mid - 10)}" width="{charts._n(width)}" '
                f'height="20" fill="{fill}" stroke="#ffffff"/>'
            )
            if width >= 18:  # room for the number; the words beside the bar carry it anyway
                body.append(
                    charts._text(
                        x + width / 2,
                        mid + 4,
                        str(count),
                        text_anchor="middle",
                        fill=ink,
                        font_weight="bold",
                    )
                )
            x += width
        line = _counts_line(summary, without)
        lines.append(line)
        body.append(charts._text(x0 + span + 10, mid + 4, line, fill=charts.MUTED, font_size=11))
        body.append("</g>")
        described.append(f"{summary.threat.name}: {line}")
    lx = 0.0
    for level in rollup.LEVELS:
        fill, _ = LEVEL_STYLE[level]
        body.append(
            f'<rect x="{charts._n(lx)}" y="{charts._n(legend_y - 11)}" width="14" height="14" '
            f'fill="{fill}"/>'
        )
        label = f"{level.label}: {level.meaning}"
        body.append(charts._text(lx + 18, legend_y, label, font_size=11))
        lx += 18 + charts._text_width(label, 11) + 14
    body.append(
        f'<rect x="0" y="{charts._n(legend_y + 9)}" width="14" height="14" '
        f'fill="{NO_RESULTS_STYLE[0]}"/>'
    )
    body.append(charts._text(18, legend_y + 20, "No results yet", font_size=11))
    desc = (
        f"How many of the {total} facilities are at each exposure level for each threat: "
        + "; ".join(described)
        + "."
    )
    svg = charts._svg(
        chart_id,
        legend_y + 30,
        "Facilities at each exposure level, threat by threat",
        desc,
        body,
        width=max(x0 + span + 10 + max(charts._text_width(d, 11) for d in lines), lx),
    )
    # The charts module escapes every label it draws and emits only its own fixed markup.
    return mark_safe(svg)  # noqa: S308


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
