"""`hicp assess`: a guided, resumable questionnaire that saves after every answer."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from hicp.cli.output import Audience, load_assessment_file
from hicp.reports.wording import ANSWER_LABELS

if TYPE_CHECKING:
    from hicp.assessment.models import Answer
    from hicp.catalog import Catalog, SubPractice

# key: (status value or action, what the person sees); answer words come from the core
_KEYS = {
    "y": "implemented",
    "p": "partial",
    "l": "planned",
    "n": "not_implemented",
    "s": "unknown",
    "d": "not_applicable",
}
CHOICES: dict[str, tuple[str, str]] = {
    **{key: (status, ANSWER_LABELS[status]) for key, status in _KEYS.items()},
    "k": ("skip", "skip for now"),
    "b": ("back", "back one question"),
    "?": ("more", "technical detail"),
    "q": ("quit", "save and stop"),
}
IN_PLACE = {"implemented", "partial"}
ANSWER_KEYS = ("y", "p", "l", "n", "s", "d")
ANSWERS = {CHOICES[k][0] for k in ANSWER_KEYS}


def _say(text: str, **style: Any) -> None:
    """Print wrapped at word boundaries to the terminal width (at most 100 columns)."""
    width = min(shutil.get_terminal_size((100, 24)).columns, 100) - 1
    typer.secho(textwrap.fill(text, width=width, subsequent_indent="  "), **style)


def _parse_since(raw: str) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter("write a date as YYYY, YYYY-MM or YYYY-MM-DD, or press Enter to skip")


def _show(
    catalog: Catalog,
    sp: SubPractice,
    position: int,
    total: int,
    answered: int,
    current: str | None,
    audience: Audience,
    detail: bool,
) -> None:
    practice = catalog.practice_of(sp.id)
    threats = ", ".join(catalog.threats[t].short for t in catalog.threats_of(sp.id))
    typer.echo("")
    _say(
        f"Question {position} of {total}  ·  {answered} answered  ·  {practice.name}  ·  {sp.id}",
        dim=True,
    )
    _say(sp.question, bold=True)
    _say(f"Why it matters: {sp.why}")
    _say(f"Good looks like: {sp.good}")
    _say(f"Helps against: {threats}", dim=True)
    if detail or audience is Audience.IT:
        _say(f"Technical detail ({sp.title}): {sp.guidance}")
        if sp.csf_1_1:
            _say(f"NIST CSF 1.1: {', '.join(sp.csf_1_1)}", dim=True)
    if current:
        _say(f"Current answer: {current}", fg="cyan")


def _prompt_choice() -> str:
    answers = "  ".join(f"[{k}] {CHOICES[k][1]}" for k in ANSWER_KEYS)
    others = "  ".join(
        f"[{k}] {label}" for k, (_, label) in CHOICES.items() if k not in ANSWER_KEYS
    )
    _say(f"Answer: {answers}")
    _say(f"Or:     {others}", dim=True)
    while True:
        key = str(typer.prompt("Your answer")).strip().lower()
        if key in CHOICES:
            return key
        typer.echo(f"Type one of: {' '.join(CHOICES)}")


def _changes_for(status: str, current: Answer) -> dict[str, Any]:
    """Ask the follow-up questions an answer needs; Enter keeps what is already recorded."""
    changes: dict[str, Any] = {"status": status}
    if status == "not_applicable":
        changes["justification"] = (
            typer.prompt(
                "Why does this not apply? (one sentence, kept as your justification)",
                default=current.justification or "",
                show_default=bool(current.justification),
            ).strip()
            or None
        )
    if status in IN_PLACE:
        known = current.in_place_since
        hint = f"Enter keeps {known.isoformat()}" if known else "or Enter to skip"
        changes["in_place_since"] = typer.prompt(
            f"Since when has this been in place? (YYYY-MM, {hint})",
            default="",
            show_default=False,
            value_proc=lambda raw: _parse_since(raw) or known,
        )
    else:
        changes["in_place_since"] = None
    return changes


def assess(
    path: Path = typer.Argument(
        ..., metavar="FILE", help="The assessment file to fill in.", dir_okay=False
    ),
    practice: str | None = typer.Option(
        None, "--practice", "-p", help="Only this practice (1-10)."
    ),
    review: bool = typer.Option(
        False, "--review", help="Go through every question, answered ones too."
    ),
    audience: Audience = typer.Option(
        Audience.CLINIC,
        "--audience",
        "-a",
        help="clinic: plain questions; it: technical detail shown too.",
    ),
) -> None:
    """Answer the questions one at a time. Every answer is saved at once; run it again to resume.

    Only unanswered questions are asked (all of them with --review); skipped ones stay
    unanswered for next time.
    """
    from hicp.assessment.models import STATUS_LABELS, Status
    from hicp.assessment.store import record_answer
    from hicp.errors import AssessmentError, NotFoundError

    catalog, loaded = load_assessment_file(path)
    org = loaded.assessment.organization
    scope = list(catalog.in_scope(org.tier, org.include_tiers))
    if practice:
        pid = practice.upper() if practice.upper().startswith("P") else f"P{practice}"
        if pid not in catalog.practices:
            raise NotFoundError(f"--practice {practice!r}: use 1-10")
        scope = [sp for sp in scope if catalog.practice_of(sp.id).id == pid]
    total = len(scope)

    def queue() -> list[SubPractice]:
        a = loaded.assessment
        return [sp for sp in scope if review or a.answer(sp.id).status is None]

    todo = queue()
    if not todo:
        typer.echo(
            f"All {total} questions are answered. See the results: hicp score {path}  "
            f"·  hicp plan {path}  ·  go through them again with --review"
        )
        return
    typer.echo(
        f"{org.name}: {len(todo)} of {total} questions to go. Answers are saved as you go; "
        "press q to stop and come back later."
    )
    index, skipped, detail = 0, 0, False
    while index < len(todo):
        sp = todo[index]
        a = loaded.assessment
        answered = sum(1 for s in scope if a.answer(s.id).status is not None)
        status = a.answer(sp.id).status
        _show(
            catalog,
            sp,
            scope.index(sp) + 1,
            total,
            answered,
            STATUS_LABELS[status] if status else None,
            audience,
            detail,
        )
        try:
            action = CHOICES[_prompt_choice()][0]
            changes = _changes_for(action, a.answer(sp.id)) if action in ANSWERS else {}
        except typer.Abort:  # end of input, Ctrl-D or Ctrl-C: earlier answers are saved
            typer.echo("")
            action = "quit"
        detail = False
        if action == "quit":
            break
        if action == "more":
            detail = True
            continue
        if action == "back":
            index = max(0, index - 1)
            continue
        if action == "skip":
            skipped += 1
            index += 1
            continue
        try:
            loaded = record_answer(path, sp.id, changes, catalog)
        except AssessmentError as exc:  # e.g. a date after the assessment date: ask again
            reasons = [problem.message for problem in exc.problems] or [exc.summary]
            for reason in reasons:
                typer.secho(f"Not saved: {reason}", fg="red")
            continue
        typer.secho(f"Saved: {STATUS_LABELS[Status(action)]}.", fg="green")
        index += 1

    a = loaded.assessment
    remaining = sum(1 for s in scope if a.answer(s.id).status is None)
    typer.echo("")
    if remaining:
        typer.echo(
            f"Saved. {total - remaining} of {total} answered; {remaining} to go"
            + (f" ({skipped} skipped)" if skipped else "")
            + f". Resume with: hicp assess {path}"
        )
    else:
        typer.echo(f"All {total} questions answered. Next: hicp plan {path}")
