"""Report and assessment-file downloads: names, media types, and always as attachments."""

from __future__ import annotations

from django.http import HttpResponse

# format -> (file suffix, media type). Suffixes go through the core's format_for, so the web
# app and `hicp report -o FILE` agree on which suffix means which format.
FORMATS: dict[str, tuple[str, str]] = {
    "html": (".html", "text/html; charset=utf-8"),
    "pdf": (".pdf", "application/pdf"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "json": (".json", "application/json"),
    "md": (".md", "text/markdown; charset=utf-8"),
    "oscal": (".oscal.json", "application/json"),
}
LABELS = {
    "html": "Web page (HTML)",
    "pdf": "PDF",
    "xlsx": "Excel workbook",
    "docx": "Word document",
    "json": "JSON data",
    "md": "Markdown",
    "oscal": "OSCAL assessment results (JSON)",
}


def attachment(data: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """A download that browsers save rather than show: user content never renders inline."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Should a browser open it anyway, nothing in it may run or load.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
