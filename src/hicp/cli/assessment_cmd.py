"""`hicp init`, `score`, `plan` and `validate`: create, check and evaluate an assessment file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from hicp.cli import size_cmd
from hicp.cli.output import (
    Audience,
    Format,
    emit,
    emit_json,
    load_assessment_file,
    md_table,
    table,
    warn,
)
from hicp.reports.wording import (
    COST_WORDS,
    KIND_VERB,
    due_words,
    effort_words,
    exposure_words,
    not_applicable_words,
    pct,
    residual_words,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hicp.assessment.plan import Action, Plan
    from hicp.assessment.scoring import ScoreResult
    from hicp.assessment.store import Loaded
    from hicp.catalog import Catalog

FILE = typer.Argument(..., metavar="FILE", help="The assessment file (YAML).", dir_okay=False)
FORMAT = typer.Option(Format.TABLE, "--format", "-f", help="Output format.")
AUDIENCE = typer.Option(
    Audience.CLINIC, "--audience", "-a", help="clinic: plain language; it: technical detail."
)


def bar(value: float | None, width: int = 10) -> str:
    if value is None:
        return "not scored"
    filled = round(value * width)
    return "█" * filled + "░" * (width - filled) + f" {pct(value)}"


def init(
    path: Path = FILE,
    size: str | None = typer.Option(
        None,
        "--size",
        "-s",
        help="small, medium or large; or leave it out and answer the sizing options below.",
    ),
    name: str | None = typer.Option(
        None, "--name", "-n", help="Organization name (default: from the file name)."
    ),
    include: list[str] = typer.Option(
        [], "--include", help="Also assess a higher tier's sub-practices (repeatable)."
    ),
    assessor: str | None = typer.Option(None, "--assessor", help="Who is doing the assessment."),
    date: str | None = typer.Option(
        None, "--date", help="Assessment date, YYYY-MM-DD (default: today)."
    ),
    providers: int | None = size_cmd.PROVIDERS,
    beds: int | None = size_cmd.BEDS,
    it_staff: str | None = size_cmd.IT_STAFF,
    it_assets: int | None = size_cmd.IT_ASSETS,
    security_budget: str | None = size_cmd.SECURITY_BUDGET,
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Create an assessment file listing every sub-practice that applies, each unanswered.

    Sizing answers given here are kept in the file's profile; without --size they decide the
    tier the way `hicp size` does.
    """
    from hicp.assessment.sizing import classify
    from hicp.assessment.store import create_assessment, new_assessment_text
    from hicp.catalog import Tier, default_catalog
    from hicp.errors import AssessmentError

    catalog = default_catalog()
    profile = {
        key: value
        for key, value in {
            "providers": providers,
            "beds": beds,
            "it_staff": it_staff,
            "it_assets": it_assets,
            "security_budget": security_budget,
        }.items()
        if value is not None
    }
    sized = classify(catalog.sizing, profile) if profile else None
    try:
        extra = tuple(Tier(t.lower()) for t in include)
        if size is not None:
            tier = Tier(size.lower())
        elif sized is not None:
            tier = sized.tier
        else:
            raise AssessmentError(
                "give --size small|medium|large, or sizing answers such as --providers 4 "
                "(`hicp size` explains them)"
            )
    except ValueError:
        raise AssessmentError("--size and --include take small, medium or large") from None
    lower = [t.value for t in extra if t.rank <= tier.rank]
    if lower:
        raise AssessmentError(
            f"--include {', '.join(lower)}: a {tier.value} organization may only add a higher "
            "tier's sub-practices"
        )
    try:
        when = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise AssessmentError(f"--date {date!r}: write it as YYYY-MM-DD") from None
    text = new_assessment_text(
        catalog,
        name=name or path.stem.replace("-", " ").replace("_", " ").title(),
        tier=tier,
        include_tiers=extra,
        date=when,
        assessor=assessor,
        profile=profile,
    )
    loaded = create_assessment(path, text, catalog, overwrite=force)
    count = len(catalog.in_scope(tier, extra))
    if sized is not None and size is None:
        typer.echo(f"Sizing answers point to a {tier.value} organization (see `hicp size`).")
    elif sized is not None and sized.tier is not tier:
        typer.echo(
            f"Note: the sizing answers point to {sized.tier.value}; using --size {tier.value}."
        )
    typer.echo(
        f"Created {path}: {count} questions for a {tier.value} organization "
        f"({loaded.assessment.organization.name})."
    )
    typer.echo(f"Next: hicp assess {path}")


def score_payload(loaded: Loaded, result: ScoreResult) -> dict[str, Any]:
    org = loaded.assessment.organization
    return {
        "organization": org.name,
        "tier": org.tier.value,
        "date": loaded.assessment.assessment.date.isoformat(),
        **result.model_dump(mode="json"),
    }


def score_cmd(path: Path = FILE, fmt: Format = FORMAT) -> None:
    """Show practice coverage, exposure to each of the five threats, and the overall position."""
    from hicp.assessment.scoring import score
    from hicp.evidence.evaluate import evaluate_file
    from hicp.evidence.store import evidence_path

    catalog, loaded = load_assessment_file(path)
    result = score(catalog, loaded.assessment)
    evidence = evaluate_file(catalog, loaded.assessment, evidence_path(path))
    conflicts = [[c.id, c.conflict] for c in evidence.conflicts] if evidence else []
    org = loaded.assessment.organization
    heading = (
        f"{org.name} — {org.tier.value} organization — assessed "
        f"{loaded.assessment.assessment.date} — {result.answered} of {result.total} answered"
    )
    p_headers = ["Practice", "Coverage", "Counted", "Answered"]
    p_rows = [
        [f"{p.id} {p.name}", pct(p.coverage), p.counted, f"{p.answered}/{p.total}"]
        for p in result.practices
        if p.total
    ]
    t_headers = ["Threat", "Inherent risk (L×I)", "Mitigation", "Exposure", "Residual risk"]
    t_rows = [
        [
            f"{t.id} {t.name}",
            f"{t.likelihood}×{t.impact} = {t.inherent}",
            pct(t.mitigation),
            exposure_words(t),
            residual_words(t),
        ]
        for t in result.threats
    ]
    overall = (
        f"Overall coverage {pct(result.coverage)}; overall exposure "
        f"{pct(result.exposure)} of inherent risk"
        + (
            f"; left out as not applicable: {', '.join(t.id for t in skipped)}."
            if (skipped := [t for t in result.threats if not t.applies])
            else "."
        )
    )

    def rich() -> list[RenderableType]:
        practices = table(
            "Practice coverage",
            ["Practice", "Coverage", "Answered"],
            [
                [f"{p.id} {p.name}", bar(p.coverage), f"{p.answered}/{p.total}"]
                for p in result.practices
                if p.total
            ],
        )
        threats = table(
            "Exposure to the five HICP threats (lower is better)",
            ["Threat", "Exposure", "Inherent risk (L×I)", "Residual risk"],
            [
                [
                    f"{t.id} {catalog.threats[t.id].short}",
                    "Not applicable (below)" if t.not_applicable else bar(t.exposure),
                    f"{t.likelihood}×{t.impact} = {t.inherent}",
                    residual_words(t),
                ]
                for t in result.threats
            ],
        )
        parts: list[RenderableType] = [
            f"[bold]{heading}[/bold]",
            practices,
            threats,
            f"[bold]{overall}[/bold]",
        ]
        overrides = [t for t in result.threats if t.override_reason]
        parts += [f"{t.id} rating set by the organization: {t.override_reason}" for t in overrides]
        parts += [f"{t.id} {not_applicable_words(t)}" for t in result.threats if t.not_applicable]
        if conflicts:
            parts.append(
                table(
                    "Answers the imported evidence contradicts",
                    ["Sub-practice", "Conflict"],
                    conflicts,
                )
            )
        if result.answered < result.total:
            parts.append(
                f"{result.total - result.answered} question(s) unanswered and count as "
                f"not in place. Continue with: hicp assess {path}"
            )
        return parts

    emit(
        fmt,
        kind="score",
        data=lambda: {
            **score_payload(loaded, result),
            "evidence_conflicts": [{"sub_practice": i, "conflict": c} for i, c in conflicts],
        },
        markdown=lambda: (
            f"# {heading}\n\n**{overall}**\n\n## Practice coverage\n\n"
            + md_table(p_headers, p_rows)
            + "\n\n## Threat exposure\n\n"
            + md_table(t_headers, t_rows)
            + (
                "\n\n## Evidence conflicts\n\n" + md_table(["Sub-practice", "Conflict"], conflicts)
                if conflicts
                else ""
            )
        ),
        rich=rich,
    )


def _action_text(action: Action, audience: Audience) -> str:
    return action.guidance if audience is Audience.IT else action.summary


def _plan_rows(catalog: Catalog, plan: Plan, phase_key: str | None) -> list[list[object]]:
    labels = {p.key: p.label for p in plan.phases}
    rows: list[list[object]] = []
    for number, action in enumerate(plan.actions, 1):
        if phase_key and action.phase != phase_key:
            continue
        rows.append(
            [
                number,
                labels[action.phase],
                action.id,
                f"{KIND_VERB[action.kind]}: {action.title}" + (" ★" if action.quick_win else ""),
                " ".join(action.threats),
                f"{action.reduction:.2f}",
                f"{effort_words(action)}, {COST_WORDS[action.cost]}",
                action.owner or "",
                due_words(action) or "",
            ]
        )
    return rows


def _phase_tables(plan: Plan, phase_key: str | None) -> list[RenderableType]:
    """One compact table per phase, numbered through, for an 80-column terminal."""
    tables: list[RenderableType] = []
    number = {a.id: n for n, a in enumerate(plan.actions, 1)}
    for phase in plan.phases:
        if (phase_key and phase.key != phase_key) or not phase.actions:
            continue
        actions = [a for a in plan.actions if a.phase == phase.key]
        load = f"{phase.points} of {phase.capacity} work units" if phase.capacity else ""
        rows = [
            [
                number[a.id],
                f"{KIND_VERB[a.kind]}: {a.title} ({a.id})" + (" ★" if a.quick_win else ""),
                " ".join(a.threats),
                f"{a.reduction:.1f}",
                effort_words(a),
                " · ".join(x for x in (a.owner, due_words(a)) if x),
            ]
            for a in actions
        ]
        tables.append(
            table(
                f"{phase.label}"
                + (f" ({load})" if load else "")
                + (f" — ended {phase.ends_on}, overdue" if phase.overdue else ""),
                ["#", "Action", "Threats", "Risk ↓", "Effort", "Owner · due"],
                rows,
                justify=["right", "left", "left", "right"],
            )
        )
    return tables


def plan_cmd(
    path: Path = FILE,
    fmt: Format = FORMAT,
    audience: Audience = AUDIENCE,
    phase: str | None = typer.Option(None, "--phase", help="Only one phase: 30d, 90d, 6m or 1y."),
    top: int = typer.Option(3, "--top", min=1, help="How many first actions to spell out."),
    as_of: dt.datetime | None = typer.Option(
        None,
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Judge what is overdue as of this date (YYYY-MM-DD; default: today).",
    ),
) -> None:
    """A prioritised action plan: gaps ordered by risk reduced per unit of effort, in phases."""
    from hicp.assessment.plan import build_plan
    from hicp.errors import NotFoundError

    catalog, loaded = load_assessment_file(path)
    today = as_of.date() if as_of else dt.date.today()  # the clock is read here, at the edge
    plan = build_plan(catalog, loaded.assessment, today=today)
    if phase and phase not in {p.key for p in plan.phases}:
        raise NotFoundError(
            f"--phase {phase!r}: use one of {', '.join(p.key for p in plan.phases)}"
        )
    headers = ["#", "When", "ID", "Action", "Reduces", "Risk reduced", "Effort", "Owner", "Due"]
    rows = _plan_rows(catalog, plan, phase)
    first = tuple(a for a in plan.top(len(plan.actions)) if not phase or a.phase == phase)[:top]
    org = loaded.assessment.organization
    title = f"Action plan for {org.name} ({len(plan.actions)} actions)"

    def first_lines() -> list[str]:
        number = {a.id: n for n, a in enumerate(plan.actions, 1)}  # the plan's own numbers
        return [
            f"{number[a.id]}. {KIND_VERB[a.kind]}: {a.title} ({a.id}) — "
            f"{_action_text(a, audience)} Why: {a.why}"
            for a in first
        ]

    def rich() -> list[RenderableType]:
        if not plan.actions:
            return [
                "Nothing left to do: every sub-practice in scope is implemented or does not apply."
            ]
        parts: list[RenderableType] = [f"[bold]{title}[/bold]", *_phase_tables(plan, phase)]
        parts.append(
            "★ quick win: a few days at most, free or low cost.  Risk ↓: residual risk removed "
            "once done (each threat's risk is likelihood × impact, 1-25)."
        )
        if first:
            parts.append("[bold]What to do first[/bold]")
            parts.extend(first_lines())
        return parts

    emit(
        fmt,
        kind="plan",
        data=lambda: {
            "organization": org.name,
            "tier": org.tier.value,
            **plan.model_dump(mode="json"),
        },
        markdown=lambda: (
            f"# {title}\n\n## What to do first\n\n"
            + "\n".join(first_lines())
            + "\n\n## All actions\n\n"
            + md_table(headers, rows)
        ),
        rich=rich,
    )


def validate(path: Path = FILE, fmt: Format = FORMAT) -> None:
    """Check an assessment file and say precisely what is wrong with it (exit 2 if anything)."""
    from hicp.assessment.store import load_assessment
    from hicp.catalog import default_catalog
    from hicp.errors import AssessmentError

    catalog = default_catalog()
    try:
        loaded = load_assessment(path, catalog)
    except AssessmentError as exc:
        if fmt is Format.JSON:
            emit_json(
                "validation",
                {
                    "file": str(path),
                    "valid": False,
                    "in_scope": None,
                    "answered": None,
                    "warnings": [],
                    "summary": exc.summary,
                    "problems": [
                        {"message": p.message, "line": p.line, "where": p.where}
                        for p in exc.problems
                    ],
                },
            )
            raise typer.Exit(2) from None
        raise
    a = loaded.assessment
    scope = catalog.in_scope(a.organization.tier, a.organization.include_tiers)
    answered = sum(1 for sp in scope if a.answer(sp.id).status is not None)
    message = f"{path} is valid: {len(scope)} sub-practices in scope, {answered} answered."
    for warning in loaded.warnings:
        warn(f"{path}: {warning}")
    emit(
        fmt,
        kind="validation",
        data=lambda: {
            "file": str(path),
            "valid": True,
            "in_scope": len(scope),
            "answered": answered,
            "warnings": list(loaded.warnings),
            "summary": message,
            "problems": [],
        },
        markdown=lambda: message,
        rich=lambda: [message],
    )
