"""Words shown to people for the engine's values, shared by the CLI and every report format."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keep this module import-light: the CLI loads it at start-up
    from hicp.assessment.models import Status
    from hicp.assessment.plan import Action
    from hicp.assessment.scoring import ThreatScore

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
# The plain answer a person gives for each status value, in the order questionnaires offer
# them (the CLI's `hicp assess` and the web app use the same words).
ANSWER_LABELS = {
    "implemented": "Yes",
    "partial": "Partly",
    "planned": "Planned",
    "not_implemented": "No",
    "unknown": "Not sure",
    "not_applicable": "Doesn't apply to us",
}
NOT_ANSWERED = "Not answered"


def pct(value: float | None) -> str:
    """A 0-1 fraction as a whole percentage; None (not scored) as an en dash."""
    return "–" if value is None else f"{round(value * 100)}%"


def not_applicable_words(threat: ThreatScore) -> str | None:
    """ "Not applicable — reason" for a threat that does not apply; None when it applies."""
    if threat.not_applicable is None:
        return None
    return f"Not applicable — {threat.not_applicable}"


def exposure_words(threat: ThreatScore) -> str:
    """A threat's exposure as a percentage, or why it does not apply (never a percentage)."""
    return not_applicable_words(threat) or pct(threat.exposure)


def residual_words(threat: ThreatScore) -> str:
    return "–" if threat.residual is None else f"{threat.residual:.1f}"


def due_words(action: Action) -> str | None:
    """When an action is due, for plain text: "overdue since 2026-11-15" once its date has
    passed (never shown as upcoming), "by 2026-12-15" for a target date still ahead, else None."""
    if action.overdue:
        return f"overdue since {action.due_date.isoformat()}"
    if action.target_date is not None:
        return f"by {action.target_date.isoformat()}"
    return None


def status_label(status: Status | None) -> str:
    return status.label if status is not None else NOT_ANSWERED


def text_bar(value: float | None, width: int = 10) -> str:
    """A bar of block characters with the number after it: survives editing and screen readers."""
    if value is None:
        return "not scored"
    filled = round(value * width)
    return "█" * filled + "░" * (width - filled) + f" {pct(value)}"


def action_label(action: Action) -> str:
    return f"{KIND_VERB[action.kind]}: {action.title}"


def effort_words(action: Action) -> str:
    if action.kind == "find_out":
        return "a quick check"
    return EFFORT_WORDS[action.effort]


def evidence_sentence(text: str) -> str:
    """A clause from the evidence engine ("answered implemented; ...") as a sentence."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def conflicts_line(count: int, *, plain: bool) -> str:
    """The summary's one line about answers the imported tool evidence contradicts."""
    answers = f"{count} answer{'s' if count != 1 else ''}"
    if plain:
        verb = "is" if count == 1 else "are"
        return f"{answers} {verb} contradicted by the evidence imported from your tools"
    verb = "claims" if count == 1 else "claim"
    return f"{answers} {verb} more than the imported tool evidence supports"


# The sizing questions' choices (data/catalog/sizing.yaml), as a practice manager would say them.
SIZE_CHOICE_LABELS: dict[str, dict[str, str]] = {
    "it_staff": {
        "none": "Nobody on staff: an outside company or a colleague helps out",
        "it_team": "Our own IT staff; security is one of their jobs",
        "security_team": "Dedicated IT and security teams",
    },
    "security_budget": {
        "none": "Little or no spending on security as such",
        "within_it": "Security is paid for out of the IT budget",
        "separate": "A separate cybersecurity budget",
    },
}


def size_choice_label(criterion_key: str, choice: str) -> str:
    return SIZE_CHOICE_LABELS.get(criterion_key, {}).get(choice, choice.replace("_", " "))
