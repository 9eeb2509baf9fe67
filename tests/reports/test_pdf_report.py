"""The PDF report: the summary is page one, pages are numbered, the content is the report's.

WeasyPrint takes a second or two per report, so each example is rendered once, with the options
that make its first page fullest: the hospital with changes since a previous assessment, the
health system with changes and the technical wording. The hospital with imported tool
evidence is the one extra render.
"""

from __future__ import annotations

import io
from functools import cache

import pytest
from pypdf import PdfReader

from hicp.assessment.models import Assessment
from hicp.assessment.store import load_assessment
from hicp.catalog import default_catalog
from hicp.reports.context import Audience, ReportContext, build_context
from hicp.reports.pdf_report import render
from tests.conftest import EXAMPLES
from tests.pdf_layout import overprinted
from tests.pdf_text import accessibility, page_text, pdf_text
from tests.reports.conftest import (
    EVIDENCE_CONFLICTS,
    EXAMPLE_NAMES,
    GENERATED_ON,
    SECTIONS,
    example_context,
    previous_context,
)


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
    return page_text(_pdf(name)[1], index + 1)


def _bookmarks(name: str) -> dict[str, int]:
    return _bookmarks_of(_pdf(name)[1])


def _bookmarks_of(reader: PdfReader) -> dict[str, int]:
    """Second-level PDF bookmarks (WeasyPrint makes them from the h2s) -> 1-based page."""
    h1, sections = reader.outline[0], reader.outline[1]
    assert not isinstance(h1, list) and isinstance(sections, list)
    return {
        str(entry.title): reader.get_destination_page_number(entry) + 1
        for entry in sections
        if not isinstance(entry, list)
    }


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_page_one_is_the_executive_summary_of_the_organization(name: str) -> None:
    pdf, _ = _pdf(name)
    assert pdf.startswith(b"%PDF-")
    first = _text(name, 0)
    assert _context(name).organization.name in first
    assert "Executive summary" in first
    assert "Practice by practice" not in first


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_whole_summary_fits_on_page_one(name: str) -> None:
    context = _context(name)
    first = _text(name, 0)
    assert context.top_actions
    for action in context.top_actions:
        assert action.title in first
    if context.changes is not None:
        assert "Changes since the previous assessment" in first


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_pdf_is_tagged_for_screen_readers_with_its_language_and_title(name: str) -> None:
    assert accessibility(_pdf(name)[1]) == {
        "tagged": True,
        "marked": True,
        "language": "en",
        "title": _context(name).title,
        "shows title": True,
    }


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_pages_are_numbered_in_the_footer(name: str) -> None:
    count = len(_pdf(name)[1].pages)
    assert count > 10
    assert "Page 1 of " + str(count) in _text(name, 0)
    assert f"Page {count} of {count}" in _text(name, count - 1)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_major_section_starts_a_new_page(name: str) -> None:
    pages = _bookmarks(name)
    changes = ["Changes since the previous assessment, item by item"]
    order = [SECTIONS[0], *(changes if name != "small-clinic" else []), *SECTIONS[1:]]
    assert list(pages) == order
    assert pages["Executive summary"] == 1
    numbers = list(pages.values())
    assert numbers == sorted(set(numbers))  # each on a later page than the one before


def test_no_table_text_overprints_another_cell_in_the_fullest_report() -> None:
    # The health system with changes and technical wording has the longest cells (dates,
    # evidence lists, CSF references); its tables are where text ran into the next column.
    assert overprinted(_pdf("health-system")[0]) == {}


def test_eight_changes_since_the_previous_assessment_fit_on_page_two() -> None:
    # Eight changed items stacked with the two before/now tables spilled three rows onto
    # page 3 and left it nearly blank, since "Practice by practice" starts a new page.
    catalog = default_catalog()
    current = load_assessment(EXAMPLES / "community-hospital.yaml", catalog).assessment
    data = current.model_dump(mode="json")
    data["assessment"]["date"] = "2025-03-31"
    for sid in list(data["answers"])[:8]:
        data["answers"][sid].update(status="not_implemented", in_place_since=None)
    context = build_context(
        catalog, current, previous=Assessment.model_validate(data), generated_on=GENERATED_ON
    )
    assert context.changes is not None and len(context.changes.items) == 8
    pages = _bookmarks_of(PdfReader(io.BytesIO(render(context))))
    assert pages["Changes since the previous assessment, item by item"] == 2
    assert pages["Practice by practice"] == 3


# Imported tool evidence (one extra render) ----------------------------------------------------


@pytest.fixture(scope="module")
def evidence_bytes(evidence_context: ReportContext) -> bytes:
    return render(evidence_context)


@pytest.fixture(scope="module")
def evidence_pdf(evidence_bytes: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(evidence_bytes))


def _subsections(reader: PdfReader) -> dict[str, int]:
    """Third-level bookmarks (the h3s inside each section) -> 1-based page."""
    nested = [entry for entry in reader.outline[1] if isinstance(entry, list)]
    pages = {
        str(entry.title): reader.get_destination_page_number(entry)
        for group in nested
        for entry in group
        if not isinstance(entry, list)
    }
    return {title: page + 1 for title, page in pages.items() if page is not None}


def test_with_evidence_page_one_still_holds_the_summary_and_the_conflict_count(
    evidence_context: ReportContext, evidence_pdf: PdfReader
) -> None:
    first = page_text(evidence_pdf, 1)
    assert "3 answers are contradicted by the evidence imported from your tools" in first
    for action in evidence_context.top_actions:
        assert action.title in first


def test_the_conflict_is_printed_in_its_items_row(
    evidence_context: ReportContext, evidence_pdf: PdfReader
) -> None:
    assert "2.M.A" in EVIDENCE_CONFLICTS
    item = next(i for p in evidence_context.practices for i in p.items if i.id == "2.M.A")
    assert item.evidence_conflict
    page = page_text(evidence_pdf, _subsections(evidence_pdf)["Endpoint Protection Systems"])
    row = page[page.index("2.M.A") :]
    assert "Conflict Evidence from your tools: Answered implemented" in row
    assert item.evidence_conflict[1:] in row


def test_the_evidence_subsection_ends_practice_by_practice_and_lists_every_rule(
    evidence_context: ReportContext, evidence_pdf: PdfReader
) -> None:
    assert evidence_context.evidence is not None
    pages, sections = _subsections(evidence_pdf), _bookmarks_of(evidence_pdf)
    start = pages["Evidence from your tools"]
    assert sections["Practice by practice"] < start < sections["Action plan"]
    text = pdf_text(evidence_pdf, range(start, sections["Action plan"]))
    for rule in evidence_context.evidence.rules:
        assert rule.title in text
    assert "7 of 10 (70%)" in text and "inventory: assets.csv (10 records)" in text


def test_no_table_text_overprints_another_cell_with_evidence(evidence_bytes: bytes) -> None:
    assert overprinted(evidence_bytes) == {}


def test_without_evidence_the_pdf_has_no_evidence_subsection_or_conflict_line() -> None:
    reader = _pdf("community-hospital")[1]
    assert "Evidence from your tools" not in _subsections(reader)
    assert "contradicted" not in _text("community-hospital", 0)
