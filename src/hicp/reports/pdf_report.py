"""The PDF report: the HTML report laid out on Letter pages by WeasyPrint, with page numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hicp.errors import ReportError
from hicp.reports.html_report import report_html

if TYPE_CHECKING:
    from hicp.reports.context import ReportContext

# Paged-media additions to the HTML's own print stylesheet: running footer with the
# organization (taken from the header, so it is never written into CSS text) and page numbers.
PAGE_CSS = """
.masthead .org { string-set: organization content(text); }
@page {
  @bottom-left {
    content: string(organization);
    font-family: system-ui, "Helvetica Neue", Arial, sans-serif;
    font-size: 8pt;
    color: #52606d;
  }
  @bottom-right {
    content: "Page " counter(page) " of " counter(pages);
    font-family: system-ui, "Helvetica Neue", Arial, sans-serif;
    font-size: 8pt;
    color: #52606d;
  }
}
"""


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The report is self-contained; refusing every fetch guarantees that text from the
    # assessment file can never make the renderer reach the network or the disk.
    raise ReportError(f"the PDF renderer does not load external resources ({url})")


def html_to_pdf(html: str) -> bytes:
    """Lay out self-contained HTML on Letter pages, tagged for accessibility; an element of
    class ``org`` inside ``.masthead`` names the organization in the footer."""
    import weasyprint  # slow to import (about a second); only the PDF format needs it

    document = weasyprint.HTML(string=html, url_fetcher=_no_fetch)
    # Tagged for screen readers: a structure tree (headings, tables, lists), the language from
    # <html lang> and the <title> shown as the window title. We do not declare PDF/UA
    # conformance (pdf_variant="pdf/ua-1") as no validator has checked these files.
    pdf: bytes = document.write_pdf(stylesheets=[weasyprint.CSS(string=PAGE_CSS)], pdf_tags=True)
    return pdf


def render(context: ReportContext) -> bytes:
    return html_to_pdf(report_html(context))
