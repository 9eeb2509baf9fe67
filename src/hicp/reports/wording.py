"""Words shown to people for the engine's values, shared by the CLI and every report format."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keep this module import-light: the CLI loads it at start-up
    from hicp.assessment.plan import Action

# Keys are the ActionKind values (a StrEnum member looks itself up by its value).
KIND_VERB = {
    "find_out": "Find out",
    "finish": "Finish",
    "carry_out": "Carry out the plan for",
    "implement": "Put in place",
}
EFFORT_WORDS = {
    "hours": "an afternoon",
    "days": "a few days",
    "weeks": "a few weeks",
    "project": "a project",
}
COST_WORDS = {
    "free": "free",
    "low": "low cost",
    "moderate": "moderate cost",
    "high": "budget needed",
}
QUICK_WIN_NOTE = "quick win: a few days at most, free or low cost"


def pct(value: float | None) -> str:
    """A 0-1 fraction as a whole percentage; None (not scored) as an en dash."""
    return "–" if value is None else f"{round(value * 100)}%"


def action_label(action: Action) -> str:
    return f"{KIND_VERB[action.kind]}: {action.title}"


def effort_words(action: Action) -> str:
    if action.kind == "find_out":
        return "a quick check"
    return EFFORT_WORDS[action.effort]
