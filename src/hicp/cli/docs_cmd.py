"""`hicp docs`: the organization's own policies, plans, checklists and workbooks."""

from __future__ import annotations

from pathlib import Path

import typer

from hicp.cli.output import Format, console, emit, load_assessment_file, md_table, table
from hicp.documents.paper import Paper

app = typer.Typer(
    help="Tailored documents: policies, incident response plan, ransomware playbook, "
    "checklists, staff awareness sheets and the asset inventory workbook.",
    no_args_is_help=True,
)
SUFFIXES = {".docx": "docx", ".md": "md", ".pdf": "pdf", ".html": "html", ".xlsx": "xlsx"}


@app.command("list")
def list_(
    fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """List the documents hicp can write, what each is for and the formats it comes in."""
    from hicp.documents.registry import documents

    infos = list(documents().values())
    headers = ["Name", "Document", "For", "Formats", "Supports HICP"]
    rows = [
        [d.name, d.summary, d.audience, " ".join(d.formats), " ".join(d.supports)] for d in infos
    ]
    emit(
        fmt,
        kind="docs.list",
        data=lambda: {"documents": [d.__dict__ for d in infos]},
        markdown=lambda: "## Documents\n\n" + md_table(headers, rows),
        rich=lambda: [
            table("Documents hicp can write for you", headers, rows),
            "Write one: hicp docs render NAME ASSESSMENT -o FILE.docx",
        ],
    )


@app.command("render")
def render(
    name: str = typer.Argument(..., help="The document's name (see `hicp docs list`)."),
    assessment: Path = typer.Argument(
        ..., metavar="ASSESSMENT", help="The assessment file (YAML).", dir_okay=False
    ),
    output: Path = typer.Option(
        ...,
        "--output",
        "-o",
        help="Where to write it; the format follows the suffix (.docx, .md, .pdf, .html, .xlsx).",
        dir_okay=False,
    ),
    paper: Paper = typer.Option(
        Paper.LETTER, "--paper", help="Page size of a PDF (or of the HTML when printed)."
    ),
) -> None:
    """Write the organization's own copy of a document, filled in from its assessment."""
    from hicp import yamlio
    from hicp.documents.registry import render_document
    from hicp.errors import ReportError
    from hicp.evidence.store import evidence_path

    fmt = SUFFIXES.get(output.suffix.lower())
    if fmt is None:
        raise ReportError(f"name the output .docx, .md, .pdf, .html or .xlsx, not {output.name!r}")
    if output.resolve() == assessment.resolve():
        raise ReportError(f"{output} is the assessment file; choose another output name")
    if not output.resolve().parent.is_dir():
        raise ReportError(f"{output.parent} does not exist; create the folder first")
    catalog, loaded = load_assessment_file(assessment)
    data = render_document(
        name, fmt, catalog, loaded.assessment, evidence_db=evidence_path(assessment), paper=paper
    )
    yamlio.write_atomic(output, data)
    console().print(
        f"Wrote {output}. When it is adopted, record it as evidence with: "
        f"hicp docs adopt {name} {assessment} {output}"
    )


@app.command("adopt")
def adopt(
    name: str = typer.Argument(..., help="The document's name (see `hicp docs list`)."),
    assessment: Path = typer.Argument(
        ..., metavar="ASSESSMENT", help="The assessment file (YAML).", dir_okay=False
    ),
    document: str = typer.Argument(
        ..., metavar="DOCUMENT", help="Where the adopted copy is kept (path or URL)."
    ),
) -> None:
    """Record an adopted document as evidence for the sub-practices it supports."""
    from hicp.catalog import default_catalog
    from hicp.documents.adopt import adopt as adopt_document

    _, changed = adopt_document(assessment, name, document, default_catalog())
    if changed:
        console().print(f"Recorded {document} as evidence for {', '.join(changed)}.")
    else:
        console().print("Nothing to record: already listed, or no supported item is in scope.")
