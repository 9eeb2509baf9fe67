"""The HTML report and trend page: one self-contained file each, inline CSS and SVG, no scripts.

The same HTML is the source of the PDF (pdf_report.py), so its print stylesheet carries the
page layout: Letter pages, each major section on a new page, the summary on the first.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from hicp.reports import charts
from hicp.reports.context import Audience, ReportContext
from hicp.reports.diff import Change
from hicp.reports.trend import Trend
from hicp.reports.wording import (
    COST_WORDS,
    QUICK_WIN_NOTE,
    action_label,
    conflicts_line,
    effort_words,
    evidence_sentence,
    pct,
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: dt.date | None) -> str:
    """A date as people write it in the U.S. ("September 30, 2026"), independent of locale."""
    if day is None:
        return ""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def _sentence(text: str) -> str:
    """First letter upper case, the rest untouched (Jinja's capitalize lowers the rest)."""
    return text[:1].upper() + text[1:]


def _code_spans(text: str) -> Markup:
    """Escape ``text``, then show `backticked` command names (in catalog notes) as code."""
    escaped = str(escape(text))
    return Markup(re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escaped))  # noqa: S704


def _credit_words(credit: float | None) -> str:
    return "not applicable" if credit is None else pct(credit)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hicp.reports", "templates"),
        autoescape=True,  # every name, note and evidence line comes from the assessment file
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pct=pct,
        long_date=long_date,
        sentence=_sentence,
        as_sentence=evidence_sentence,
        code_spans=_code_spans,
        credit_words=_credit_words,
        action_label=action_label,
        effort_words=effort_words,
    )
    env.globals.update(
        COST_WORDS=COST_WORDS,
        QUICK_WIN_NOTE=QUICK_WIN_NOTE,
        Change=Change,
        conflicts=conflicts_line,
    )
    return env


def _svg(markup: str) -> Markup:
    # charts.py escapes every label it draws, so its output is safe to insert as markup.
    return Markup(markup)  # noqa: S704


def _lookups(context: ReportContext) -> dict[str, Any]:
    """Id -> name tables so the templates can name what the context refers to by id."""
    item_titles = {i.id: i.title for p in context.practices for i in p.items}
    item_titles.update({a.id: a.title for a in context.plan.actions})
    return {
        "threat_names": {t.id: t.short for t in context.threats},
        "practice_names": {p.id: p.name for p in context.score.practices},
        "item_titles": item_titles,
        "phase_labels": {p.key: p.label for p in context.plan.phases},
        "actions_by_id": {a.id: a for a in context.plan.actions},
        "action_number": {a.id: n for n, a in enumerate(context.plan.actions, start=1)},
    }


def report_html(context: ReportContext) -> str:
    """The report as an HTML string (the PDF renderer lays out the same document)."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        c=context,
        plain=context.audience is Audience.CLINIC,
        charts={
            "exposure": _svg(charts.exposure_bars(context)),
            "coverage": _svg(charts.coverage_bars(context)),
            "heatmap": _svg(charts.heatmap(context)),
        },
        **_lookups(context),
    )


def render(context: ReportContext) -> bytes:
    return report_html(context).encode("utf-8")


def render_trend(trend: Trend) -> bytes:
    """The `hicp trend` page: coverage and exposure over the dated assessments."""
    template = _environment().get_template("trend.html.j2")
    practices_seen = {pid for p in trend.points for pid, _ in p.practices}
    html = template.render(
        t=trend,
        charts={
            "overall": _svg(charts.trend_chart(trend)),
            "threats": _svg(charts.threat_trend_chart(trend)),
        },
        threat_rows=[
            (short, [dict(p.threats).get(tid) for p in trend.points])
            for tid, short in trend.threat_names
        ],
        # A practice missing from a point was not in that assessment's scope.
        practice_rows=[
            (
                name,
                [
                    (dict(p.practices)[pid], True) if pid in dict(p.practices) else (None, False)
                    for p in trend.points
                ],
            )
            for pid, name in trend.practice_names
            if pid in practices_seen
        ],
    )
    return html.encode("utf-8")
