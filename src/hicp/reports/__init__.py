"""Reports: one context built by the core, laid out by one renderer per format."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from hicp.errors import ReportError

if TYPE_CHECKING:  # the package is imported by the CLI at start-up; keep it light
    from hicp.reports.context import ReportContext

# format -> module with `render(context: ReportContext) -> bytes`, imported only when used
RENDERERS = {
    "html": "hicp.reports.html_report",
    "pdf": "hicp.reports.pdf_report",
    "xlsx": "hicp.reports.xlsx_report",
    "docx": "hicp.reports.docx_report",
    "json": "hicp.reports.json_report",
    "md": "hicp.reports.markdown_report",
    "oscal": "hicp.reports.oscal_report",
}
# longest suffix first, so report.oscal.json is OSCAL and report.json is JSON
SUFFIXES = (
    (".oscal.json", "oscal"),
    (".html", "html"),
    (".htm", "html"),
    (".pdf", "pdf"),
    (".xlsx", "xlsx"),
    (".docx", "docx"),
    (".json", "json"),
    (".md", "md"),
)


def format_for(path: Path, explicit: str | None = None) -> str:
    """The report format: as given, or from the output file's suffix."""
    if explicit:
        if explicit not in RENDERERS:
            raise ReportError(f"--format {explicit!r}: use one of {', '.join(RENDERERS)}")
        return explicit
    name = path.name.lower()
    for suffix, fmt in SUFFIXES:
        if name.endswith(suffix):
            return fmt
    raise ReportError(
        f"cannot tell the format of {path.name!r} from its suffix; name it .html, .pdf, .xlsx, "
        ".docx, .json, .md or .oscal.json, or pass --format"
    )


def render(fmt: str, context: ReportContext) -> bytes:
    module = import_module(RENDERERS[fmt])
    data: bytes = module.render(context)
    return data
