"""The DOCX report: real headings in report order, practice and plan tables, inert user text."""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import cache

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Inches
from docx.table import Table
from docx.text.paragraph import Paragraph

from hicp.catalog import Tier, default_catalog
from hicp.reports.context import ReportContext
from hicp.reports.docx_report import CONFLICT, EVIDENCE_HEADERS, PRACTICE_HEADERS, render
from hicp.reports.markdown_report import evidence_sentence
from hicp.reports.wording import pct
from tests.reports.conftest import (
    EVIDENCE_CONFLICTS,
    EVIDENCE_NOTES,
    EXAMPLE_NAMES,
    FORMULA_OWNER,
    SECTIONS,
    crafted,
    example_context,
    improved_since,
)

CHANGES = "Changes since the previous assessment"


@cache
def _document(name: str) -> Document:
    return docx.Document(io.BytesIO(render(example_context(name))))


def _blocks(doc: Document) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in reading order."""
    for element in doc.element.body.iterchildren():
        if element.tag == qn("w:p"):
            yield Paragraph(element, doc)
        elif element.tag == qn("w:tbl"):
            yield Table(element, doc)


def _is_heading(block: Paragraph | Table, level: int) -> bool:
    return isinstance(block, Paragraph) and (
        block.style is not None and block.style.name == f"Heading {level}"
    )


def _headings(doc: Document, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if _is_heading(p, level)]


def _section(doc: Document, title: str) -> list[Paragraph | Table]:
    """The blocks under one Heading 1, up to the next."""
    blocks: list[Paragraph | Table] = []
    inside = False
    for block in _blocks(doc):
        if _is_heading(block, 1):
            inside = block.text == title  # type: ignore[union-attr]
        elif inside:
            blocks.append(block)
    return blocks


def _cells(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _tables_headed(doc: Document, headers: tuple[str, ...]) -> list[Table]:
    return [t for t in doc.tables if tuple(c.text for c in t.rows[0].cells) == headers]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_major_sections_are_heading_1_in_report_order(name: str) -> None:
    assert _headings(_document(name), 1) == SECTIONS


def test_document_opens_with_its_title_and_sets_core_properties() -> None:
    context = example_context("small-clinic")
    doc = _document("small-clinic")
    first = doc.paragraphs[0]
    assert first.style is not None and first.style.name == "Title"
    assert first.text == context.title
    assert doc.core_properties.title == context.title
    assert "HICP" in doc.core_properties.subject


def test_pages_are_us_letter_with_one_inch_margins() -> None:
    section = _document("small-clinic").sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    margins = {section.left_margin, section.right_margin, section.top_margin}
    assert margins | {section.bottom_margin} == {Inches(1)}


def footer_fields(doc: Document) -> list[list[str]]:
    """The field codes in each section's footer (PAGE, NUMPAGES...), in order."""
    return [
        [code.text.strip() for code in section.footer._element.iter(qn("w:instrText"))]
        for section in doc.sections
    ]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_page_footer_shows_page_n_of_m_as_word_fields(name: str) -> None:
    doc = _document(name)
    assert footer_fields(doc) == [["PAGE", "NUMPAGES"]] * len(doc.sections)
    assert all(s.footer.paragraphs[0].text == "Page 1 of 1" for s in doc.sections)


def test_executive_summary_shows_threat_bars_and_the_top_action_with_its_owner() -> None:
    context = example_context("community-hospital")
    tables = [
        b for b in _section(_document("community-hospital"), SECTIONS[0]) if isinstance(b, Table)
    ]
    threats, actions = (_cells(t) for t in tables)
    for info, row in zip(context.threats, threats[1:], strict=True):
        exposure = round(context.score.threat(info.id).exposure * 100)
        assert row[0] == info.name and row[1].startswith("█") and row[1].endswith(f" {exposure}%")
    top = context.top_actions[0]
    assert top.title in actions[1][1] and actions[1][2] == top.owner


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_practice_tables_have_a_header_and_one_row_per_sub_practice(name: str) -> None:
    context = example_context(name)
    tables = _tables_headed(_document(name), PRACTICE_HEADERS)
    assert [len(t.rows) - 1 for t in tables] == [len(p.items) for p in context.practices]
    ids = [row[0] for t in tables for row in _cells(t)[1:]]
    org = context.organization
    in_scope = default_catalog().in_scope(Tier(org.tier), map(Tier, org.include_tiers))
    assert ids == [sp.id for sp in in_scope]


def test_action_plan_has_a_heading_per_phase_and_every_action_once() -> None:
    context = example_context("health-system")
    section = _section(_document("health-system"), "Action plan")
    phases = [b.text for b in section if isinstance(b, Paragraph) and _is_heading(b, 2)]
    assert phases == [p.label for p in context.plan.phases]
    numbers = [row[0] for t in section if isinstance(t, Table) for row in _cells(t)[1:]]
    assert numbers == [str(n) for n in range(1, len(context.plan.actions) + 1)]


def test_every_table_repeats_its_header_row_and_uses_a_template_grid_style() -> None:
    for table in _document("community-hospital").tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert table.style is not None and table.style.name == "Light Grid Accent 1"


def test_recognized_section_explains_the_twelve_months_and_lists_each_standing() -> None:
    context = example_context("community-hospital")
    section = _section(_document("community-hospital"), "Recognized security practices")
    intro = section[0]
    assert isinstance(intro, Paragraph) and "Public Law 116-321" in intro.text
    standing = next(b for b in section if isinstance(b, Table))
    assert [row[1] for row in _cells(standing)[1:]] == [
        p.standing.label for p in context.recognized
    ]


def test_hostile_text_in_answers_is_kept_as_plain_text() -> None:
    context = crafted(
        {
            "1.M.A": {"owner": FORMULA_OWNER},
            "1.M.B": {"notes": "<w:p>not markup</w:p> & Bell\x07 rings"},
        }
    )
    doc = docx.Document(io.BytesIO(render(context)))
    (first, *_) = _tables_headed(doc, PRACTICE_HEADERS)
    rows = _cells(first)
    assert rows[1][3] == FORMULA_OWNER
    assert rows[2][5].startswith("<w:p>not markup</w:p> & Bell rings")


def test_changes_section_appears_only_with_a_previous_assessment() -> None:
    context, improved = improved_since("community-hospital")
    doc = docx.Document(io.BytesIO(render(context)))
    assert _headings(doc, 1) == [SECTIONS[0], CHANGES, *SECTIONS[1:]]
    table = next(b for b in _section(doc, CHANGES) if isinstance(b, Table))
    assert [(row[0], row[2]) for row in _cells(table)[1:]] == [(i, "Improved") for i in improved]


def test_same_context_gives_the_same_bytes() -> None:
    context = example_context("small-clinic")
    assert render(context) == render(context)


# Imported tool evidence -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence_document(evidence_context: ReportContext) -> Document:
    return docx.Document(io.BytesIO(render(evidence_context)))


def _notes_by_item(doc: Document) -> dict[str, list[Paragraph]]:
    """The paragraphs of each sub-practice's "Notes and evidence" cell."""
    return {
        row.cells[0].text: row.cells[5].paragraphs
        for table in _tables_headed(doc, PRACTICE_HEADERS)
        for row in table.rows[1:]
    }


def test_the_summary_says_how_many_answers_the_tool_evidence_contradicts(
    evidence_document: Document,
) -> None:
    texts = [b.text for b in _section(evidence_document, SECTIONS[0]) if isinstance(b, Paragraph)]
    assert (
        "Conflicts: 3 answers are contradicted by the evidence imported from your tools; "
        "see “Practice by practice”."
    ) in texts


def test_a_conflict_opens_its_items_notes_under_a_bold_label(
    evidence_context: ReportContext, evidence_document: Document
) -> None:
    notes = _notes_by_item(evidence_document)
    items = {i.id: i for p in evidence_context.practices for i in p.items}
    for sid, paragraphs in notes.items():
        if sid in EVIDENCE_CONFLICTS:
            label, text = paragraphs[:2]
            assert label.text == CONFLICT and all(run.bold for run in label.runs)
            assert text.text == evidence_sentence(items[sid].evidence_conflict or "")
        else:
            assert not any("Conflict" in p.text for p in paragraphs), sid
    assert "3 of 10 workstations and servers have no endpoint-protection agent" in (
        notes["2.M.A"][1].text
    )
    for sid in EVIDENCE_NOTES:
        note = evidence_sentence(items[sid].evidence_note or "")
        assert notes[sid][0].text == f"Evidence from your tools: {note}"


def test_the_evidence_subsection_ends_practice_by_practice_with_every_rule(
    evidence_context: ReportContext, evidence_document: Document
) -> None:
    assert evidence_context.evidence is not None
    assert _headings(evidence_document, 1) == SECTIONS
    section = _section(evidence_document, "Practice by practice")
    headings = [b for b in section if isinstance(b, Paragraph) and _is_heading(b, 2)]
    assert headings[-1].text == "Evidence from your tools"
    after = section[section.index(headings[-1]) :]
    bullets = [
        b.text
        for b in after
        if isinstance(b, Paragraph) and b.style is not None and b.style.name == "List Bullet"
    ]
    assert bullets == list(evidence_context.evidence.imports)
    (table,) = [b for b in after if isinstance(b, Table)]
    rows = _cells(table)
    assert tuple(rows[0]) == EVIDENCE_HEADERS
    assert [r[0] for r in rows[1:]] == [r.title for r in evidence_context.evidence.rules]
    assert rows[1][2:4] == ["7 of 10 (70%)", "Not implemented"]
    for row, rule in zip(rows[1:], evidence_context.evidence.rules, strict=True):
        assert row[2] == f"{rule.total - rule.bad} of {rule.total} ({pct(rule.share)})"
        assert row[4] == rule.explanation
        assert all(sid in row[1] for sid in rule.sub_practices)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_without_evidence_there_is_no_conflict_or_evidence_subsection(name: str) -> None:
    doc = _document(name)
    assert "Evidence from your tools" not in _headings(doc, 2)
    assert not any("contradicted" in p.text for p in doc.paragraphs)
    assert not any(p[0].text == CONFLICT for p in _notes_by_item(doc).values())


def test_the_small_clinics_crosswalk_tables_mark_borrowed_links_as_derived() -> None:
    doc = _document("small-clinic")
    cells = [text for table in doc.tables for row in _cells(table) for text in row]
    assert any("8.S.A (derived)" in c for c in cells)
    assert any("borrows the references" in p.text for p in doc.paragraphs)
