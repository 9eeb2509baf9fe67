"""`hicp evidence`: import what an organization's tools export, and see what it shows."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from hicp.cli.output import Format, console, emit, load_assessment_file, md_table, table
from hicp.reports.wording import pct

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hicp.evidence.evaluate import EvidenceReport

app = typer.Typer(
    help="Evidence from real tools: scanners, inventories, identity exports and DNS.",
    no_args_is_help=True,
)
ASSESSMENT = typer.Argument(
    ..., metavar="ASSESSMENT", help="The assessment file (YAML).", dir_okay=False
)


@app.command("import")
def import_(
    assessment: Path = ASSESSMENT,
    files: list[Path] = typer.Argument(
        ..., metavar="FILE...", help="Exports to import.", dir_okay=False
    ),
    kind: str | None = typer.Option(
        None,
        "--kind",
        "-k",
        help="nessus, openvas, qualys, generic, inventory, identity or dns "
        "(default: detected from the content).",
    ),
    mapping: list[str] = typer.Option(
        [],
        "--map",
        help="For inventory, identity and scanner CSV files: field=Column Header, when a "
        "column is not recognised (repeatable).",
    ),
    allow_partial: bool = typer.Option(
        False,
        "--allow-partial",
        help="Import a report that says it holds only part of its results (one page of a "
        "Greenbone report) and warn, instead of refusing it.",
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Import a file again even if its content was imported before "
        "(for instance with a different --map or --kind).",
    ),
) -> None:
    """Import exports into the evidence store beside the assessment (one transaction per file).

    A file imported before is recognised and skipped; a newer export of the same system updates
    its records instead of counting them twice.
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
    )

    from hicp.evidence.base import detect, importer, partial_allowed
    from hicp.evidence.columns import parse_mapping
    from hicp.evidence.store import EvidenceStore, evidence_path

    load_assessment_file(assessment)  # a broken or missing assessment is reported first
    fields = parse_mapping(mapping)
    chosen = [(f, importer(kind, fields) if kind else detect(f, fields)) for f in files]
    store_path = evidence_path(assessment)
    with (
        EvidenceStore(store_path) as store,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console(),
            transient=True,
        ) as progress,
    ):
        for file, found in chosen:
            task = progress.add_task(f"{file.name} ({found.name})", total=file.stat().st_size)

            def advance(done: int, task: TaskID = task) -> None:
                progress.update(task, completed=done)

            with contextlib.ExitStack() as stack:
                notes = stack.enter_context(partial_allowed()) if allow_partial else []
                result = store.store(
                    file, found.name, found.read(file, progress=advance), again=replace
                )
            progress.remove_task(task)
            for note in notes:
                console().print(f"warning: {note}\nImported anyway (--allow-partial).")
            if result.already_imported:
                console().print(
                    f"{file}: already imported (same content); nothing changed. "
                    "Use --replace to import it again."
                )
            else:
                console().print(f"{file}: imported {result.records:,} records ({found.name}).")
    console().print(f"Evidence store: {store_path}. Next: hicp evidence show {assessment}")


def _report_payload(report: EvidenceReport) -> dict[str, Any]:
    from hicp.evidence.reference_data import in_use

    data = report.model_dump(mode="json")
    for rule in data["rules"]:
        rule.pop("rows")  # drill-down rows come with --rule
    data["reference_data"] = [
        {"data": d.what, "file": str(d.path), "installed": d.installed} for d in in_use()
    ]
    return data


@app.command("update-data")
def update_data(
    file: Path = typer.Argument(
        ...,
        metavar="FILE",
        help="CISA's known_exploited_vulnerabilities.json, or endoflife.date product files "
        "(one products/*.md or .yaml file, or a folder of them).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Install even when the data is older than the data in use."
    ),
) -> None:
    """Install newer end-of-life or KEV reference data for the evidence checks (no network).

    The kind of data is recognised from the content. It is validated, then written atomically
    to the per-user data folder ($HICP_DATA_DIR, else ~/.local/share/hicp), which takes
    precedence over the copy shipped with hicp.
    """
    from hicp.evidence.reference_data import install

    console().print(str(install(file, force=force)))


@app.command("show")
def show(
    assessment: Path = ASSESSMENT,
    rule: str | None = typer.Option(
        None, "--rule", "-r", help="Drill down: list the items that fall short for this rule."
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """What was imported, what it shows per sub-practice, and where it contradicts the answers."""
    from hicp.errors import NotFoundError
    from hicp.evidence.evaluate import evaluate_file
    from hicp.evidence.store import evidence_path

    catalog, loaded = load_assessment_file(assessment)
    report = evaluate_file(catalog, loaded.assessment, evidence_path(assessment))
    if report is None:
        raise NotFoundError(
            f"no evidence imported for {assessment} yet; "
            f"run: hicp evidence import {assessment} FILE"
        )
    if rule:
        ids = [r.id for r in report.rules]
        if rule not in ids:
            raise NotFoundError(f"--rule {rule!r}: evaluated rules are {', '.join(ids) or 'none'}")
        _show_rule(report, rule, fmt)
        return
    inv = report.inventory
    counts = [
        ["Imports", len(inv.imports)],
        ["Assets", inv.assets],
        *[[f"  {k.replace('_', ' ')}", v] for k, v in inv.assets_by_type.items()],
        ["Hosts scanned", inv.hosts_scanned],
        ["Findings", inv.findings],
        *[[f"  {k}", v] for k, v in inv.findings_by_severity.items()],
        ["Accounts", inv.identities],
        ["Mail domains", inv.email_domains],
    ]
    r_headers = ["Rule", "Sub-practices", "Meets the bar", "Supports", "What it means"]
    r_rows = [
        [
            r.id,
            " ".join(r.sub_practices),
            f"{r.total - r.bad}/{r.total} ({pct(r.share)})",
            r.supports.label,
            r.explanation,
        ]
        for r in report.rules
    ] + [
        # Unknown is never good: the rule is listed with why it cannot judge, and suggests nothing.
        [n.id, " ".join(n.sub_practices), "not measured", "–", n.reason]
        for n in report.not_measured
    ]
    c_rows = [[s.id, s.conflict] for s in report.conflicts]
    from hicp.evidence.reference_data import in_use

    reference = "Reference data: " + "; ".join(str(d) for d in in_use()) + "."

    def rich() -> list[RenderableType]:
        parts: list[RenderableType] = [
            table("Imported evidence", ["What", "Count"], counts, justify=["left", "right"])
        ]
        parts.append(
            table("Evidence rules", r_headers, r_rows) if r_rows else "No rule has enough data yet."
        )
        if c_rows:
            parts.append(table("Conflicts with the answers", ["Sub-practice", "Conflict"], c_rows))
        parts.append(reference)
        parts.append("Drill down with: hicp evidence show ASSESSMENT --rule RULE")
        return parts

    emit(
        fmt,
        kind="evidence",
        data=lambda: _report_payload(report),
        markdown=lambda: (
            "## Imported evidence\n\n"
            + md_table(["What", "Count"], counts)
            + "\n\n## Evidence rules\n\n"
            + md_table(r_headers, r_rows)
            + (
                "\n\n## Conflicts\n\n" + md_table(["Sub-practice", "Conflict"], c_rows)
                if c_rows
                else ""
            )
            + f"\n\n{reference}\n"
        ),
        rich=rich,
    )


def _show_rule(report: EvidenceReport, rule_id: str, fmt: Format) -> None:
    result = report.rule(rule_id)
    title = f"{result.title}: {result.explanation}"
    rows = [list(r) for r in result.rows]
    more = result.bad - len(rows)
    emit(
        fmt,
        kind="evidence.rule",
        data=lambda: result.model_dump(mode="json"),
        markdown=lambda: f"## {title}\n\n" + md_table(result.columns, rows),
        rich=lambda: [
            table(title, result.columns, rows),
            *([f"… and {more:,} more (use --format json for all shown)"] if more > 0 else []),
        ],
    )
