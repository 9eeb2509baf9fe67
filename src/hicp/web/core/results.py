"""What the dashboard shows for one assessment: the core's report context and its charts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from hicp.assessment.plan import Action
from hicp.assessment.store import Loaded
from hicp.catalog import default_catalog
from hicp.reports import charts
from hicp.reports.context import ReportContext, build_context
from hicp.reports.wording import COST_WORDS, action_label, effort_words, pct

# The first screen answers "what do I do first?" with three actions (the full plan is a click
# away); the printed reports list a few more.
FIRST_ACTIONS = 3


@dataclass(frozen=True)
class ActionRow:
    """One of the first actions, with effort and cost in the words the reports use."""

    action: Action
    label: str  # "Put in place: ISAC/ISAO Participation"
    effort: str  # "an afternoon"
    cost: str  # "free"


@dataclass(frozen=True)
class Results:
    context: ReportContext
    actions: tuple[ActionRow, ...]
    coverage: str  # overall coverage as a percentage, "–" when nothing is scored yet
    exposure: str
    exposure_chart: SafeString
    coverage_chart: SafeString


def safe_chart(markup: str) -> SafeString:
    # The charts module escapes every label it draws (names come from the assessment file) and
    # emits only its own fixed markup, so its output is safe to embed as it is.
    return mark_safe(markup)  # noqa: S308


def results_of(loaded: Loaded) -> Results:
    context = build_context(default_catalog(), loaded.assessment)
    return Results(
        context=context,
        actions=tuple(
            ActionRow(a, action_label(a), effort_words(a), COST_WORDS[a.cost])
            for a in context.top_actions[:FIRST_ACTIONS]
        ),
        coverage=pct(context.score.coverage),
        exposure=pct(context.score.exposure),
        exposure_chart=safe_chart(charts.exposure_bars(context)),
        coverage_chart=safe_chart(charts.coverage_bars(context)),
    )
