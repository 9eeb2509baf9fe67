"""SVG charts for the HTML and PDF reports, drawn as text: no JavaScript, no chart library.

Every chart is an inline ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says in
words what the picture shows, prints each value as a number next to its mark (colour is never
the only carrier of meaning), escapes every label (names come from the assessment file), and
is byte-for-byte the same for the same input.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from hicp.reports.context import HeatCell, ReportContext
from hicp.reports.trend import Trend
from hicp.reports.wording import pct

WIDTH = 720
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2933"  # body text: 14:1 on white
MUTED = "#52606d"  # secondary text: 6.4:1 on white
GRID = "#cbd2d9"
TRACK = "#e4e7ec"
COVERAGE = "#1f5f99"  # 6.7:1 on white, so a bar stands out from the page (WCAG 1.4.11)
EXPOSURE = "#b42318"  # 6.6:1 on white

# Heat map shades by residual-risk points (ColorBrewer Oranges), with the text colour that keeps
# at least 4.5:1 contrast on each. Fixed bands, not scaled to the data, so two reports of the
# same organization can be compared by eye.
HEAT_BANDS: tuple[tuple[float, str, str, str], ...] = (
    (0.25, "#fff5eb", INK, "under 0.25"),
    (0.75, "#fdd0a2", INK, "0.25 to 0.75"),
    (1.5, "#fdae6b", INK, "0.75 to 1.5"),
    (3.0, "#f16913", INK, "1.5 to 3"),
    (float("inf"), "#a63603", "#ffffff", "3 or more"),
)

# Threat lines on the trend chart: Okabe-Ito hues darkened to 3:1 or more on white, each with its
# own dash pattern so the lines can be told apart in greyscale and by colour-blind readers.
SERIES_STYLES: tuple[tuple[str, str], ...] = (
    ("#0072b2", ""),
    ("#c05000", "8 4"),
    ("#007a5a", "2 3"),
    ("#a8327d", "10 3 2 3"),
    ("#6b4c9a", "5 5"),
    ("#52606d", "1 2"),
)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _esc(text: str) -> str:
    return escape(text, quote=True)


def _n(value: float) -> str:
    """A coordinate with at most one decimal, so output does not depend on float noise."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: layout only needs to avoid collisions, not to be exact."""
    return len(text) * size * 0.56


def _wrap(text: str, max_chars: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _short_date(day: dt.date) -> str:
    # Month names from a fixed table: strftime("%b") would follow the process locale.
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _svg(
    chart_id: str,
    height: float,
    title: str,
    desc: str,
    body: Iterable[str],
    width: float = WIDTH,
) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" '
        f'font-size="12" fill="{INK}">'
        f'<title id="{chart_id}-title">{_esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>'
    )
    return head + "".join(body) + "</svg>"


def _text(x: float, y: float, text: str, **attrs: str | float) -> str:
    extra = "".join(
        f' {k.rstrip("_").replace("_", "-")}="{_esc(v) if isinstance(v, str) else _n(v)}"'
        for k, v in attrs.items()
    )
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{_esc(text)}</text>'


def _percent_axis(x0: float, span: float, top: float, bottom: float) -> list[str]:
    """Vertical grid lines at every quarter, labelled under the last row."""
    out = []
    for quarter in range(5):
        x = x0 + span * quarter / 4
        out.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            _text(
                x, bottom + 14, f"{quarter * 25}%", text_anchor="middle", fill=MUTED, font_size=11
            )
        )
    return out


def coverage_bars(context: ReportContext, chart_id: str = "chart-coverage") -> str:
    """One horizontal bar per assessed practice: how much of it is in place (0-100%)."""
    practices = context.practices
    label_right, x0, span, row = 322.0, 332.0, 290.0, 26.0
    top = 6.0
    height = top + row * len(practices) + 22
    body = _percent_axis(x0, span, top, top + row * len(practices))
    parts = []
    for i, practice in enumerate(practices):
        y = top + i * row
        mid = y + row / 2
        body.append(f'<g class="bar" data-practice="{_esc(practice.id)}">')
        body.append(_text(label_right, mid + 4, practice.name, text_anchor="end"))
        body.append(
            f'<rect x="{_n(x0)}" y="{_n(mid - 8)}" width="{_n(span)}" height="16" fill="{TRACK}"/>'
        )
        if practice.coverage is None:
            body.append(
                _text(
                    x0 + 8,
                    mid + 4,
                    "not scored: nothing here applies",
                    fill=MUTED,
                    font_style="italic",
                )
            )
            parts.append(f"{practice.name}: not scored")
        else:
            width = span * practice.coverage
            body.append(
                f'<rect x="{_n(x0)}" y="{_n(mid - 8)}" width="{_n(width)}" height="16" '
                f'fill="{COVERAGE}"/>'
            )
            body.append(_text(x0 + span + 8, mid + 4, pct(practice.coverage), font_weight="bold"))
            parts.append(f"{practice.name} {pct(practice.coverage)}")
        body.append("</g>")
    desc = (
        "Share of each practice's sub-practices in place, from 0 to 100 percent: "
        + "; ".join(parts)
        + "."
    )
    return _svg(chart_id, height, "Practice coverage", desc, body)


def exposure_bars(context: ReportContext, chart_id: str = "chart-exposure") -> str:
    """One bar per threat: the share of its risk that remains; the previous value if known."""
    names = {t.id: t.short for t in context.threats}
    before = {tid: b for tid, b, _ in context.changes.scores.threats} if context.changes else {}
    label_right, x0, span, row = 166.0, 174.0, 200.0, 28.0
    top = 6.0
    threats = context.score.threats
    height = top + row * len(threats) + 22
    body = _percent_axis(x0, span, top, top + row * len(threats))
    parts = []
    for i, threat in enumerate(threats):
        mid = top + i * row + row / 2
        name = names.get(threat.id, threat.name)
        value = pct(threat.exposure)
        was = before.get(threat.id)
        body.append(f'<g class="bar" data-threat="{_esc(threat.id)}">')
        body.append(_text(label_right, mid + 5, name, text_anchor="end", font_size=13))
        body.append(
            f'<rect x="{_n(x0)}" y="{_n(mid - 9)}" width="{_n(span)}" height="18" fill="{TRACK}"/>'
        )
        if threat.exposure is None:
            # Not a percentage: the threat does not apply to this organization.
            label = "Not applicable"
            body.append(_text(x0 + 8, mid + 5, label, fill=MUTED, font_size=13))
            body.append("</g>")
            parts.append(f"{name}: not applicable")
            continue
        body.append(
            f'<rect x="{_n(x0)}" y="{_n(mid - 9)}" width="{_n(span * threat.exposure)}" '
            f'height="18" fill="{EXPOSURE}"/>'
        )
        label = value
        if was is not None:
            # A dark tick where the bar ended last time, named in the label too.
            xw = x0 + span * was
            body.append(
                f'<line x1="{_n(xw)}" y1="{_n(mid - 12)}" x2="{_n(xw)}" y2="{_n(mid + 12)}" '
                f'stroke="{INK}" stroke-width="2"/>'
            )
            label = f"{value} (was {pct(was)})"
        body.append(_text(x0 + span + 8, mid + 5, label, font_weight="bold", font_size=13))
        body.append("</g>")
        parts.append(f"{name} {label}")
    desc = (
        "Share of each threat's risk that remains after the practices in place, from 0 to 100 "
        "percent; lower is better: " + "; ".join(parts) + "."
    )
    # Narrow enough to sit beside the key figures on the summary page.
    return _svg(chart_id, height, "Exposure to the five threats", desc, body, width=500)


def _heat_band(share: float) -> tuple[str, str]:
    for limit, fill, ink, _ in HEAT_BANDS:
        if share < limit:
            return fill, ink
    return HEAT_BANDS[-1][1], HEAT_BANDS[-1][2]


def heatmap(context: ReportContext, chart_id: str = "chart-heatmap") -> str:
    """Threats across, practices down: how much of each threat's remaining risk each gap causes.

    A cell exists only where HICP lists the practice against the threat; its shade is the cell's
    residual share (risk points), and it shows that number and the practice's weight.
    """
    cells: dict[tuple[str, str], HeatCell] = {(c.practice, c.threat): c for c in context.heatmap}
    # A threat that does not apply has no remaining risk to share out: it has no column.
    applicable = context.score.applicable_threats
    threat_ids = [t.id for t in applicable]
    names = {t.id: t.short for t in context.threats}
    residual = {t.id: (t.residual or 0.0, t.inherent) for t in applicable}
    practice_names = {p.id: p.name for p in context.score.practices}
    # Practices in catalog order, only those that appear in the map.
    linked = {c.practice for c in context.heatmap}
    practice_ids = [p.id for p in context.score.practices if p.id in linked]

    label_right, x0, col, row = 316.0, 326.0, 88.0, 36.0
    header = 58.0
    grid_h = row * len(practice_ids)
    legend_y = header + grid_h + 18
    height = legend_y + 46
    hatch = f"{chart_id}-hatch"
    body = [
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f5f7fa"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{GRID}" stroke-width="2"/></pattern></defs>'
    ]
    for j, tid in enumerate(threat_ids):
        cx = x0 + j * col + col / 2
        lines = _wrap(names.get(tid, tid), 11)
        first = header - 20 - 13 * (len(lines) - 1)
        for k, line in enumerate(lines):
            body.append(
                _text(
                    cx, first + 13 * k, line, text_anchor="middle", font_weight="bold", font_size=11
                )
            )
        left, inherent = residual[tid]
        body.append(
            _text(
                cx,
                header - 6,
                f"{left:.1f} of {inherent}",
                text_anchor="middle",
                fill=MUTED,
                font_size=10,
            )
        )
    described = []
    for i, pid in enumerate(practice_ids):
        y = header + i * row
        body.append(
            _text(label_right, y + row / 2 + 4, practice_names.get(pid, pid), text_anchor="end")
        )
        body.append(
            f'<line x1="{_n(x0)}" y1="{_n(y)}" x2="{_n(x0 + col * len(threat_ids))}" '
            f'y2="{_n(y)}" stroke="{TRACK}" stroke-width="1"/>'
        )
        for j, tid in enumerate(threat_ids):
            cell = cells.get((pid, tid))
            if cell is None:
                continue  # HICP does not list this practice against this threat
            x = x0 + j * col
            cx, cy = x + col / 2, y + row / 2
            attrs = (
                f'class="cell" data-threat="{_esc(tid)}" data-practice="{_esc(pid)}" '
                f'x="{_n(x + 2)}" y="{_n(y + 2)}" width="{_n(col - 4)}" height="{_n(row - 4)}"'
            )
            if cell.residual_share is None:
                body.append(f'<rect {attrs} fill="url(#{hatch})" stroke="{GRID}"/>')
                body.append(
                    _text(cx, cy - 1, "not scored", text_anchor="middle", fill=MUTED, font_size=10)
                )
                ink = MUTED
                described.append(
                    (
                        -1.0,
                        f"{practice_names.get(pid, pid)} against {names.get(tid, tid)}: not scored",
                    )
                )
            else:
                fill, ink = _heat_band(cell.residual_share)
                body.append(f'<rect {attrs} fill="{fill}" stroke="{GRID}"/>')
                body.append(
                    _text(
                        cx,
                        cy + 1,
                        f"{cell.residual_share:.1f}",
                        text_anchor="middle",
                        fill=ink,
                        font_weight="bold",
                        font_size=13,
                    )
                )
                described.append(
                    (
                        cell.residual_share,
                        f"{practice_names.get(pid, pid)} against {names.get(tid, tid)}: "
                        f"{cell.residual_share:.1f} points",
                    )
                )
            body.append(
                _text(
                    cx,
                    cy + 13,
                    f"weight {cell.weight}",
                    text_anchor="middle",
                    fill=ink,
                    font_size=9,
                )
            )
    # Legend: every shade with its range, the hatch, and what a blank means.
    lx = 0.0
    body.append(_text(lx, legend_y, "Risk points left by the gap:", fill=MUTED, font_size=11))
    lx = 160.0
    for _, fill, _, label in HEAT_BANDS:
        body.append(
            f'<rect x="{_n(lx)}" y="{_n(legend_y - 11)}" width="14" height="14" fill="{fill}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(lx + 18, legend_y, label, font_size=11))
        lx += 18 + _text_width(label, 11) + 16
    body.append(
        f'<rect x="0" y="{_n(legend_y + 9)}" width="14" height="14" fill="url(#{hatch})" '
        f'stroke="{GRID}"/>'
    )
    body.append(
        _text(18, legend_y + 20, "not scored (nothing in the practice applies)", font_size=11)
    )
    body.append(
        _text(
            300,
            legend_y + 20,
            "Blank: HICP does not list the practice against the threat.",
            font_size=11,
            fill=MUTED,
        )
    )
    largest = [text for share, text in sorted(described, key=lambda d: -d[0]) if share > 0][:3]
    unscored = [text for share, text in described if share < 0]
    desc = (
        f"Grid of {len(threat_ids)} threats by {len(practice_ids)} practices with "
        f"{len(cells)} cells, one per practice HICP lists against a threat. Each cell gives the "
        "risk points of the threat that remain because of gaps in the practice, and the "
        "practice's weight for the threat. "
        + (f"Largest: {'; '.join(largest)}. " if largest else "")
        + (f"{'; '.join(unscored)}." if unscored else "")
    ).strip()
    return _svg(
        chart_id,
        height,
        "Where the remaining risk comes from",
        desc,
        body,
        width=x0 + col * len(threat_ids) + 4,
    )


def _nudge(positions: list[float], gap: float) -> list[float]:
    """Spread label positions (top to bottom) so no two are closer than ``gap``."""
    order = sorted(range(len(positions)), key=lambda i: (positions[i], i))
    placed = list(positions)
    for prev, cur in itertools.pairwise(order):
        placed[cur] = max(placed[cur], placed[prev] + gap)
    return placed


def _line_chart(
    chart_id: str,
    title: str,
    desc: str,
    dates: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[float | None], str, str]],
    *,
    point_labels: bool,
) -> str:
    """Lines over dates on a 0-100% scale; x is proportional to time between assessments."""
    left, right, top, plot_h = 48.0, 515.0, 16.0, 220.0
    bottom = top + plot_h
    height = bottom + 44
    first, last = dates[0].toordinal(), dates[-1].toordinal()
    days = max(last - first, 1)

    def x_of(day: dt.date) -> float:
        return left + 20 + (right - left - 40) * (day.toordinal() - first) / days

    def y_of(value: float) -> float:
        return bottom - plot_h * value

    body = []
    for quarter in range(5):
        y = y_of(quarter / 4)
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        body.append(
            _text(left - 6, y + 4, f"{quarter * 25}%", text_anchor="end", fill=MUTED, font_size=11)
        )
    last_label_x = -1e9
    stagger = 0
    for day in dates:
        x = x_of(day)
        label = _short_date(day)
        # Dates close together would overprint: drop the next label to a second line.
        stagger = 0 if x - last_label_x > _text_width(label, 11) + 8 else 1 - stagger
        last_label_x = x
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(bottom)}" x2="{_n(x)}" y2="{_n(bottom + 4)}" '
            f'stroke="{MUTED}"/>'
        )
        body.append(
            _text(
                x, bottom + 17 + 13 * stagger, label, text_anchor="middle", fill=MUTED, font_size=11
            )
        )
    ends: list[tuple[float, str, str]] = []
    for name, values, colour, dash in series:
        points = [
            (x_of(day), y_of(v)) for day, v in zip(dates, values, strict=True) if v is not None
        ]
        if not points:
            continue
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<g class="series" data-series="{_esc(name)}">'
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dash_attr}/>"
        )
        for x, y in points:
            body.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="#ffffff" stroke="{colour}" '
                'stroke-width="2"/>'
            )
        body.append("</g>")
        last_value = next(v for v in reversed(values) if v is not None)
        ends.append((points[-1][1], f"{name} {pct(last_value)}", colour))
    if point_labels and len(series) == 2:
        # Two series: each point's value goes above the higher line and below the lower one.
        a, b = series[0][1], series[1][1]
        for k, day in enumerate(dates):
            pair = ((a[k], series[0][2]), (b[k], series[1][2]))
            for m, (value, colour) in enumerate(pair):
                if value is None:
                    continue
                other = pair[1 - m][0]
                above = other is None or value >= other
                y = y_of(value) + (-9 if above else 17)
                body.append(
                    _text(
                        x_of(day),
                        y,
                        pct(value),
                        text_anchor="middle",
                        fill=colour,
                        font_weight="bold",
                        font_size=11,
                    )
                )
    placed = _nudge([y for y, _, _ in ends], 15.0)
    for (_, label, colour), y in zip(ends, placed, strict=True):
        body.append(_text(right + 10, y + 4, label, fill=colour, font_weight="bold", font_size=11))
    return _svg(chart_id, height, title, desc, body)


def trend_chart(trend: Trend, chart_id: str = "chart-trend") -> str:
    """Overall coverage (up is better) and exposure (down is better) at each assessment."""
    dates = [p.date for p in trend.points]
    coverage = [p.coverage for p in trend.points]
    exposure: list[float | None] = [p.exposure for p in trend.points]
    desc = (
        "Overall coverage and exposure at each assessment: "
        + "; ".join(
            f"{_short_date(p.date)}: coverage {pct(p.coverage)}, exposure {pct(p.exposure)}"
            for p in trend.points
        )
        + "."
    )
    series = (
        ("Coverage", coverage, COVERAGE, ""),
        ("Exposure", exposure, EXPOSURE, "7 4"),
    )
    return _line_chart(
        chart_id, "Coverage and exposure over time", desc, dates, series, point_labels=True
    )


def threat_trend_chart(trend: Trend, chart_id: str = "chart-trend-threats") -> str:
    """Exposure to each threat at each assessment, one line per threat."""
    dates = [p.date for p in trend.points]
    series = []
    parts = []
    for k, (tid, short) in enumerate(trend.threat_names):
        values: list[float | None] = [dict(p.threats).get(tid) for p in trend.points]
        colour, dash = SERIES_STYLES[k % len(SERIES_STYLES)]
        series.append((short, values, colour, dash))
        parts.append(f"{short}: " + ", ".join(pct(v) for v in values))
    desc = (
        "Exposure to each threat at each assessment, oldest first; lower is better. "
        + "; ".join(parts)
        + "."
    )
    return _line_chart(
        chart_id, "Exposure to each threat over time", desc, dates, series, point_labels=False
    )


@dataclass(frozen=True)
class Segment:
    """Part of a stacked bar: how many, the fill, and the text colour that reads on that fill."""

    count: int
    fill: str
    ink: str


@dataclass(frozen=True)
class StackedRow:
    key: str  # a data- attribute for the bar (a threat id)
    label: str
    segments: tuple[Segment, ...]
    note: str  # the counts in words, written beside the bar: colour is never the only cue


def stacked_counts(
    rows: Sequence[StackedRow],
    legend: Sequence[Sequence[tuple[str, str]]],
    *,
    title: str,
    desc: str,
    chart_id: str,
) -> str:
    """One bar per row, split into counts of a whole (facilities at each exposure level).

    ``legend`` holds lines of (fill, label) swatches, one line of the legend each.
    """
    label_right, x0, span, row_height, top = 150.0, 160.0, 300.0, 30.0, 6.0
    total = max((sum(seg.count for seg in r.segments) for r in rows), default=0) or 1
    body: list[str] = []
    for i, row in enumerate(rows):
        mid = top + i * row_height + row_height / 2
        body.append(f'<g class="bar" data-key="{_esc(row.key)}">')
        body.append(_text(label_right, mid + 5, row.label, text_anchor="end"))
        x = x0
        for seg in row.segments:
            if not seg.count:
                continue
            width = span * seg.count / total
            body.append(
                f'<rect x="{_n(x)}" y="{_n(mid - 10)}" width="{_n(width)}" height="20" '
                f'fill="{seg.fill}" stroke="#ffffff"/>'
            )
            if width >= 18:  # room for the number; the note beside the bar carries it anyway
                body.append(
                    _text(
                        x + width / 2,
                        mid + 4,
                        str(seg.count),
                        text_anchor="middle",
                        fill=seg.ink,
                        font_weight="bold",
                    )
                )
            x += width
        body.append(_text(x0 + span + 10, mid + 4, row.note, fill=MUTED, font_size=11))
        body.append("</g>")
    y = top + row_height * len(rows) + 20
    widest = 0.0
    for line in legend:
        lx = 0.0
        for fill, label in line:
            body.append(
                f'<rect x="{_n(lx)}" y="{_n(y - 11)}" width="14" height="14" fill="{fill}"/>'
            )
            body.append(_text(lx + 18, y, label, font_size=11))
            lx += 18 + _text_width(label, 11) + 14
        widest = max(widest, lx)
        y += 20
    notes = max((_text_width(r.note, 11) for r in rows), default=0.0)
    return _svg(chart_id, y + 10, title, desc, body, width=max(x0 + span + 10 + notes, widest))
