"""`hicp size`: which HICP size tier fits the organization, and why."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from hicp.cli.output import Format, emit, md_table, table

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hicp.catalog.models import Sizing


def _ask(sizing: Sizing) -> dict[str, int | str | None]:
    from hicp.reports.wording import size_choice_label

    answers: dict[str, int | str | None] = {}
    typer.echo("Answer what you can; press Enter to skip a question.\n")
    for criterion in sizing.criteria:
        if criterion.kind == "count":
            raw = typer.prompt(criterion.question, default="", show_default=False)
            answers[criterion.key] = int(raw) if raw.strip().isdigit() else None
        else:
            choices = list(criterion.choices)
            typer.echo(criterion.question)
            for n, choice in enumerate(choices, 1):
                typer.echo(f"  {n}. {size_choice_label(criterion.key, choice)}")
            raw = typer.prompt("Choice number", default="", show_default=False)
            picked = int(raw) if raw.strip().isdigit() and 1 <= int(raw) <= len(choices) else 0
            answers[criterion.key] = choices[picked - 1] if picked else None
        typer.echo("")
    return answers


# Shared with `hicp init`, which records the same answers in the assessment's profile.
PROVIDERS = typer.Option(None, "--providers", min=0, help="Doctors and other licensed providers.")
BEDS = typer.Option(None, "--beds", min=0, help="Acute and post-acute inpatient beds (0 if none).")
IT_STAFF = typer.Option(None, "--it-staff", help="none | it_team | security_team")
IT_ASSETS = typer.Option(
    None, "--it-assets", min=0, help="Computers, servers, phones, tablets and network devices."
)
SECURITY_BUDGET = typer.Option(None, "--security-budget", help="none | within_it | separate")


def size(
    providers: int | None = PROVIDERS,
    beds: int | None = BEDS,
    it_staff: str | None = IT_STAFF,
    it_assets: int | None = IT_ASSETS,
    security_budget: str | None = SECURITY_BUDGET,
    fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Tell whether HICP treats the organization as small, medium or large, with the reasons.

    Pass what you know as options, or run it with none on a terminal to be asked.
    """
    from hicp.assessment.sizing import classify
    from hicp.catalog import default_catalog

    sizing = default_catalog().sizing
    answers: dict[str, int | str | None] = {
        "providers": providers,
        "beds": beds,
        "it_staff": it_staff,
        "it_assets": it_assets,
        "security_budget": security_budget,
    }
    if all(v is None for v in answers.values()) and sys.stdin.isatty():
        answers = _ask(sizing)
    result = classify(sizing, {k: v for k, v in answers.items() if v is not None})
    headers = ["Criterion", "Your answer", "Points to", "Rule", "Checked against HICP"]
    rows = [
        [r.label, r.answer, r.tier.value, r.rule, "yes" if r.verified else "not yet"]
        for r in result.reasons
    ]
    winning = result.votes[result.tier]
    tied = sum(1 for count in result.votes.values() if count == winning) > 1
    verdict = (
        f"HICP would treat this organization as {result.tier.value.upper()}: "
        f"{winning} of {len(result.reasons)} answers point there"
        + (" (a tie goes to the larger size)." if tied else ".")
    )
    next_step = f"Next: hicp init my-org.yaml --size {result.tier.value}"

    def rich() -> list[RenderableType]:
        return [table("Size criteria", headers, rows), f"[bold]{verdict}[/bold]", next_step]

    emit(
        fmt,
        kind="size",
        data=lambda: result.model_dump(mode="json"),
        markdown=lambda: f"## Organization size\n\n{md_table(headers, rows)}\n\n**{verdict}**\n",
        rich=rich,
    )
