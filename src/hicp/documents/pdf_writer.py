"""A tailored document as self-contained HTML and as PDF (the same HTML on Letter or A4 pages)."""

from __future__ import annotations

from functools import lru_cache

import jinja2

from hicp.documents.paper import Paper
from hicp.documents.tailor import Tailored
from hicp.reports.pdf_report import html_to_pdf


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("hicp.documents", "templates"),
        autoescape=True,  # organization names and contacts come from the assessment file
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_html(document: Tailored, paper: Paper = Paper.LETTER) -> bytes:
    """The document as one HTML page; ``paper`` is the size it prints on."""
    template = _environment().get_template("document.html.j2")
    return template.render(doc=document, paper=paper.value).encode("utf-8")


def write_pdf(document: Tailored, paper: Paper = Paper.LETTER) -> bytes:
    return html_to_pdf(write_html(document, paper).decode("utf-8"))
