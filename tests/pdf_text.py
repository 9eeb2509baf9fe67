"""The text of a PDF as a reader sees it, independent of fonts and line breaks.

Which words end a line depends on the fonts installed (a machine with only DejaVu wraps
differently from one with Liberation), so every test that looks for words in a PDF goes through
here rather than calling pypdf's `extract_text` itself.

Normalisation rules, applied to the PDF's text and to the phrase looked for alike:
- soft hyphens (U+00AD) vanish: they only mark where a word may break;
- a word broken by automatic hyphenation (U+2010 or U+2011 at a line end) is joined again;
- a word broken after its own hyphen ("sign-" / "in") is joined and keeps the hyphen: our
  stylesheets do not hyphenate, so an ASCII hyphen at a line end was in the source text;
- every run of whitespace, including no-break spaces, becomes one space.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from pypdf import PdfReader

_SOFT_HYPHEN = "\u00ad"
_AUTO_HYPHEN_BREAK = re.compile(r"(\w)[\u2010\u2011][ \t]*\n\s*(\w)")
_HARD_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n\s*(\w)")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text with line-break artefacts removed and whitespace collapsed (see module doc)."""
    text = text.replace(_SOFT_HYPHEN, "")
    text = _AUTO_HYPHEN_BREAK.sub(r"\1\2", text)
    text = _HARD_HYPHEN_BREAK.sub(r"\1-\2", text)
    return _SPACE.sub(" ", text).strip()


def reader(pdf: bytes | PdfReader) -> PdfReader:
    return pdf if isinstance(pdf, PdfReader) else PdfReader(io.BytesIO(pdf))


def page_text(pdf: bytes | PdfReader, number: int) -> str:
    """The normalised text of one page (1-based, as printed in the footer)."""
    return normalise(reader(pdf).pages[number - 1].extract_text())


def pdf_text(pdf: bytes | PdfReader, numbers: Iterable[int] | None = None) -> str:
    """The normalised text of the given pages (1-based), or of every page, in order.

    Pages are extracted separately but normalised together, so a word broken across a page
    boundary is joined too.
    """
    document = reader(pdf)
    wanted = range(1, len(document.pages) + 1) if numbers is None else numbers
    return normalise("\n".join(document.pages[n - 1].extract_text() for n in wanted))


def accessibility(pdf: bytes | PdfReader) -> dict[str, object]:
    """What a screen reader relies on: tags, a marked document, its language and title."""
    document = reader(pdf)
    root = document.trailer["/Root"]
    mark_info = root.get("/MarkInfo") or {}
    preferences = root.get("/ViewerPreferences") or {}
    return {
        "tagged": "/StructTreeRoot" in root,
        "marked": bool(mark_info.get("/Marked")),
        "language": str(root.get("/Lang", "")),
        "title": document.metadata.title if document.metadata else None,
        "shows title": bool(preferences.get("/DisplayDocTitle")),
    }
