"""Every document hicp can produce: the written library and the generated ones, by name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hicp.assessment.models import Assessment
from hicp.catalog import Catalog
from hicp.documents import generated
from hicp.documents.library import default_library
from hicp.documents.paper import Paper
from hicp.documents.tailor import Tailored, fill, tailor
from hicp.errors import NotFoundError, ReportError

TEXT_FORMATS = ("docx", "md", "pdf", "html")
# How a listing names what a rendered copy fills in.
GENERIC = {"organization": "your organization"}


@dataclass(frozen=True)
class DocumentInfo:
    name: str
    title: str
    summary: str
    audience: str
    supports: tuple[str, ...]
    formats: tuple[str, ...]


def documents() -> dict[str, DocumentInfo]:
    infos = {
        spec.name: DocumentInfo(
            spec.name,
            fill(spec.title, GENERIC),
            spec.summary,
            spec.audience,
            spec.all_supports(),
            TEXT_FORMATS,
        )
        for spec in default_library().values()
    }
    infos["first-30-days"] = DocumentInfo(
        "first-30-days",
        "First 30 days checklist",
        "One-page checklist of the action plan's first phase, with owners and dates.",
        "leadership",
        generated.FIRST_30_DAYS_SUPPORTS,
        TEXT_FORMATS,
    )
    infos["asset-inventory"] = DocumentInfo(
        "asset-inventory",
        "Asset inventory workbook",
        "Spreadsheet to keep the asset inventory in, pre-filled from an imported inventory.",
        "it",
        generated.INVENTORY_SUPPORTS,
        ("xlsx",),
    )
    return dict(sorted(infos.items()))


def _tailored(name: str, catalog: Catalog, assessment: Assessment, today: dt.date) -> Tailored:
    if name == "first-30-days":
        return generated.first_30_days(catalog, assessment, today)
    return tailor(default_library()[name], assessment, today)


def render_document(
    name: str,
    fmt: str,
    catalog: Catalog,
    assessment: Assessment,
    *,
    evidence_db: Path | None = None,
    today: dt.date | None = None,
    paper: Paper = Paper.LETTER,
) -> bytes:
    """The organization's own copy of document ``name`` in format ``fmt``; ``paper`` is the
    page size of a PDF (and of the HTML when printed)."""
    from hicp.documents.docx_writer import write_docx
    from hicp.documents.markdown_writer import write_markdown
    from hicp.documents.pdf_writer import write_html, write_pdf

    known = documents()
    if name not in known:
        raise NotFoundError(f"no document named {name!r}; `hicp docs list` shows them all")
    info = known[name]
    if fmt not in info.formats:
        raise ReportError(f"{name} is produced as {', '.join(info.formats)}, not {fmt}")
    today = today or dt.date.today()
    if name == "asset-inventory":
        return generated.asset_inventory(assessment, evidence_db, today)
    document = _tailored(name, catalog, assessment, today)
    if fmt == "pdf":
        return write_pdf(document, paper)
    if fmt == "html":
        return write_html(document, paper)
    writers = {"docx": write_docx, "md": write_markdown}
    return writers[fmt](document)
