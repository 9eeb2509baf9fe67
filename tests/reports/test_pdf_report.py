"""The PDF report: the summary is page one, pages are numbered, the content is the report's.

WeasyPrint takes a second or two per report, so each example is rendered once, with the options
that make its first page fullest: the hospital with changes since a previous assessment, the
health system with changes and the technical wording.
"""

from __future__ import annotations

import io
from functools import cache

import pytest
from pypdf import PdfReader

from hicp.reports.context import Audience, ReportContext
from hicp.reports.pdf_report import render
from tests.reports.conftest import example_context
from tests.reports.test_html_report import previous_context


@cache
def _context(name: str) -> ReportContext:
    if name == "small-clinic":
        return example_context(name)
    if name == "community-hospital":
        return previous_context(name)
    return previous_context(name, Audience.IT)


@cache
def _pdf(name: str) -> tuple[bytes, PdfReader]:
    pdf = render(_context(name))
    return pdf, PdfReader(io.BytesIO(pdf))


@cache
def _text(name: str, index: int) -> str:
    """One page's text (extracting all of them would double the test time)."""
    # Extraction may break lines anywhere; compare with whitespace collapsed.
    return " ".join(_pdf(name)[1].pages[index].extract_text().split())


def _bookmarks(name: str) -> dict[str, int]:
    """Second-level PDF bookmarks (WeasyPrint makes them from the h2s) -> 1-based page."""
    reader = _pdf(name)[1]
    h1, sections = reader.outline[0], reader.outline[1]
    assert not isinstance(h1, list) and isinstance(sections, list)
    return {
        str(entry.title): reader.get_destination_page_number(entry) + 1
        for entry in sections
        if not isinstance(entry, list)
    }


NAMES = ("small-clinic", "community-hospital", "health-system")


@pytest.mark.parametrize("name", NAMES)
def test_page_one_is_the_executive_summary_of_the_organization(name: str) -> None:
    pdf, _ = _pdf(name)
    assert pdf.startswith(b"%PDF-")
    first = _text(name, 0)
    assert _context(name).organization.name in first
    assert "Executive summary" in first
    assert "Practice by practice" not in first


@pytest.mark.parametrize("name", NAMES)
def test_the_whole_summary_fits_on_page_one(name: str) -> None:
    context = _context(name)
    first = _text(name, 0)
    assert context.top_actions
    for action in context.top_actions:
        assert action.title in first
    if context.changes is not None:
        assert "Changes since the previous assessment" in first


@pytest.mark.parametrize("name", NAMES)
def test_pages_are_numbered_in_the_footer(name: str) -> None:
    count = len(_pdf(name)[1].pages)
    assert count > 10
    assert "Page 1 of " + str(count) in _text(name, 0)
    assert f"Page {count} of {count}" in _text(name, count - 1)


@pytest.mark.parametrize("name", NAMES)
def test_each_major_section_starts_a_new_page(name: str) -> None:
    pages = _bookmarks(name)
    order = [
        "Executive summary",
        *(
            ["Changes since the previous assessment, item by item"]
            if name != "small-clinic"
            else []
        ),
        "Practice by practice",
        "Action plan",
        "Recognized security practices",
        "Crosswalk appendix",
        "About this report",
    ]
    assert list(pages) == order
    assert pages["Executive summary"] == 1
    numbers = list(pages.values())
    assert numbers == sorted(set(numbers))  # each on a later page than the one before
