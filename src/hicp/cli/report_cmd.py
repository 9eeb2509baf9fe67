"""`hicp report`, `hicp diff` and `hicp trend`: documents and comparisons for people to read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hicp.assessment.comparison import check_comparable
from hicp.cli.output import Format, emit, err_console, load_assessment_file, md_table, table
from hicp.reports.wording import pct

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hicp.assessment.models import Assessment
    from hicp.catalog import Catalog
    from hicp.reports.diff import Diff

FILE = typer.Argument(..., metavar="FILE", help="The assessment file (YAML).", dir_okay=False)
FORCE = typer.Option(
    False,
    "--force",
    help="Compare files whose organization names differ (a renamed organization). Files whose "
    "organization.id differs, or an earlier file dated after the later one, are still refused.",
)


def _load(path: Path) -> tuple[Catalog, Assessment]:
    catalog, loaded = load_assessment_file(path)
    return catalog, loaded.assessment


def _check_output(output: Path, inputs: list[Path]) -> None:
    """Refuse a bad output path before any work is done."""
    from hicp.errors import ReportError

    target = output.resolve()
    if any(target == p.resolve() for p in inputs):
        raise ReportError(f"{output} is one of the input files; choose another output name")
    if not target.parent.is_dir():
        raise ReportError(f"{output.parent} does not exist; create the folder first")


def _write(output: Path, data: bytes) -> None:
    from hicp import yamlio

    yamlio.write_atomic(output, data)
    size = len(data)
    shown = f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"
    typer.echo(f"Wrote {output} ({shown}).")


def report(
    path: Path = FILE,
    output: Path = typer.Option(
        ...,
        "--output",
        "-o",
        help="Where to write the report; the format follows the suffix.",
        dir_okay=False,
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="html, pdf, xlsx, docx, json, md or oscal (default: from the output suffix).",
    ),
    previous: Path | None = typer.Option(
        None,
        "--previous",
        help="An earlier assessment of the same organization, to show what changed.",
        dir_okay=False,
    ),
    audience: str = typer.Option(
        "clinic", "--audience", "-a", help="clinic: plain language; it: technical detail."
    ),
    force: bool = FORCE,
) -> None:
    """Write a report: executive summary, practices, plan, 12-month evidence, crosswalks."""
    from hicp.errors import ReportError
    from hicp.evidence.evaluate import evaluate_file
    from hicp.evidence.store import evidence_path
    from hicp.reports import format_for, render
    from hicp.reports.context import Audience, build_context

    kind = format_for(output, fmt)
    _check_output(output, [path, *([previous] if previous else [])])
    try:
        who = Audience(audience)
    except ValueError:
        raise ReportError("--audience takes clinic or it") from None
    catalog, assessment = _load(path)
    before = _load(previous)[1] if previous else None
    if previous is not None and before is not None:
        check_comparable(
            before,
            assessment,
            force=force,
            before_label=f"--previous {previous}",
            after_label=str(path),
        )
    evidence = evaluate_file(catalog, assessment, evidence_path(path))
    context = build_context(catalog, assessment, previous=before, audience=who, evidence=evidence)
    with err_console().status(f"Rendering {kind.upper()}…"):
        data = render(kind, context)
    _write(output, data)


def _diff_rows(catalog: Catalog, diff: Diff) -> list[list[object]]:
    def label(status: object) -> str:
        return getattr(status, "label", None) or "unanswered"

    return [
        [
            item.id,
            item.title,
            item.change.value.replace("_", " "),
            label(item.before),
            label(item.after),
            ", ".join(item.fields),
        ]
        for item in diff.items
    ]


def diff(
    old: Path = typer.Argument(..., metavar="OLD", help="The earlier assessment.", dir_okay=False),
    new: Path = typer.Argument(..., metavar="NEW", help="The later assessment.", dir_okay=False),
    fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
    force: bool = FORCE,
) -> None:
    """What improved, what regressed and what is new between two assessments."""
    from hicp.reports.diff import diff_assessments

    catalog, before = _load(old)
    after = _load(new)[1]
    check_comparable(before, after, force=force, before_label=str(old), after_label=str(new))
    result = diff_assessments(catalog, before, after)
    headers = ["ID", "Sub-practice", "Change", "Before", "After", "Details changed"]
    rows = _diff_rows(catalog, result)
    s = result.scores
    summary = (
        f"{result.before_date} → {result.after_date}: coverage {pct(s.coverage_before)} → "
        f"{pct(s.coverage_after)}, exposure {pct(s.exposure_before)} → {pct(s.exposure_after)}; "
        f"{len(result.items)} item(s) changed."
    )
    t_headers = ["Threat", "Exposure before", "after"]
    t_rows = [[catalog.threats[t].short, pct(b), pct(a)] for t, b, a in s.threats]

    def rich() -> list[RenderableType]:
        parts: list[RenderableType] = [f"[bold]{summary}[/bold]"]
        if rows:
            parts.append(table("Changed sub-practices", headers, rows))
        else:
            parts.append("No answer changed.")
        parts.append(table("Threat exposure", t_headers, t_rows))
        return parts

    emit(
        fmt,
        kind="diff",
        data=lambda: result.model_dump(mode="json"),
        markdown=lambda: (
            f"# Changes\n\n{summary}\n\n"
            + md_table(headers, rows)
            + "\n\n"
            + md_table(t_headers, t_rows)
        ),
        rich=rich,
    )


def trend(
    paths: list[Path] = typer.Argument(
        ...,
        metavar="FILE...",
        help="Two or more dated assessments of one organization.",
        dir_okay=False,
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write an HTML chart here (.html).", dir_okay=False
    ),
    fmt: Format = typer.Option(
        Format.TABLE, "--format", "-f", help="Format when printing (no --output)."
    ),
    force: bool = FORCE,
) -> None:
    """Progress over time: coverage and exposure for each dated assessment."""
    from hicp.reports.trend import build_trend

    if output is not None:
        _check_output(output, list(paths))
    loaded = [_load(p) for p in paths]
    catalog = loaded[0][0]
    result = build_trend(catalog, [a for _, a in loaded], force=force)
    if output is not None:
        from hicp.reports.html_report import render_trend

        _write(output, render_trend(result))
        return
    headers = ["Date", "Coverage", "Exposure", *(short for _, short in result.threat_names)]
    rows = [
        [p.date, pct(p.coverage), pct(p.exposure), *(pct(e) for _, e in p.threats)]
        for p in result.points
    ]
    emit(
        fmt,
        kind="trend",
        data=lambda: result.model_dump(mode="json"),
        markdown=lambda: f"# Trend for {result.organization}\n\n" + md_table(headers, rows),
        rich=lambda: [table(f"Trend for {result.organization}", headers, rows)],
    )
