"""Building blocks for Word documents: Letter pages, clean text, tables with repeating headers.

Shared by the DOCX report and the generated documents so both look and behave alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import _Cell, _Row
    from docx.text.paragraph import Paragraph


class Strong(str):
    """Text a table cell shows in bold, such as an action's label above its description."""

    __slots__ = ()


# A cell holds one paragraph per string.
Cell = str | Sequence[str]

TABLE_STYLES = ("Light Grid Accent 1", "Table Grid")  # the first the template has wins
TABLE_TEXT = "Table Text"  # our paragraph style for table cells: one place to restyle them all
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 8.5, 11.0, 1.0  # US Letter, inches
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
# Characters XML 1.0 cannot hold; python-docx raises on them rather than dropping them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def para(doc: Document, text: str = "", style: str | None = None, bold: str = "") -> None:
    """A paragraph, with an optional bold lead-in such as a label.

    Kept with what follows: these paragraphs introduce a table, which should not start on the
    next page without them.
    """
    p = doc.add_paragraph(style=style)
    p.paragraph_format.keep_with_next = True
    if bold:
        p.add_run(clean(bold)).bold = True
    if text:
        p.add_run(clean(text))


def mark_row(row: _Row, *, header: bool) -> None:
    """Keep each row on one page, and repeat the header row at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        # w:tblHeader follows w:cantSplit in the schema's sequence.
        element = OxmlElement("w:tblHeader")
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def fill_cell(cell: _Cell, content: Cell, style_id: str, *, bold: bool = False) -> None:
    texts = [content] if isinstance(content, str) else list(content) or [""]
    for i, text in enumerate(texts):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        # By id on the element: python-docx resolves a style *name* by scanning every style,
        # which made naming it here most of the rendering time.
        p._p.style = style_id
        run = p.add_run(clean(text))
        run.bold = bold or isinstance(text, Strong) or None


def add_table(
    doc: Document, headers: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[float]
) -> None:
    """A table in the template's grid style; ``widths`` in inches, adding up to the text width."""
    from docx.shared import Inches

    names = {x.name for x in doc.styles}
    style = next(s for s in TABLE_STYLES if s in names)
    text_style = doc.styles[TABLE_TEXT].style_id
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles[style]
    table.autofit = False
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        fill_cell(cell, header, text_style, bold=True)
    mark_row(table.rows[0], header=True)
    for values in rows:
        row = table.add_row()
        for cell, value in zip(row.cells, values, strict=True):
            fill_cell(cell, value, text_style)
        mark_row(row, header=False)
    # Word reads the cell widths, LibreOffice the grid: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Inches(width)
        for cell in column.cells:
            cell.width = Inches(width)
    doc.add_paragraph()  # tables that touch merge when edited in Word


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) that Word and LibreOffice compute when they lay
    out the pages; ``placeholder`` shows until they do."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def page_footer(doc: Document) -> None:
    """ "Page N of M" at the foot of every page, as in the PDF: printed copies come apart."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for section in doc.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run("Page ")
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(" of ")
        _field(paragraph, "NUMPAGES", "1")


def _property(text: str) -> str:
    """Word's document properties hold at most 255 characters (python-docx raises beyond)."""
    text = clean(text)
    return text if len(text) <= 255 else text[:254] + "…"


def setup(doc: Document, *, title: str, subject: str, comments: str, day: dt.date) -> None:
    """Letter pages with 1-inch margins and numbered footers, the table text style, and fixed
    document properties (dated ``day``, so one input always gives the same file)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Inches, Pt

    for section in doc.sections:
        section.page_width, section.page_height = Inches(PAGE_WIDTH), Inches(PAGE_HEIGHT)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Inches(MARGIN))
    page_footer(doc)
    style = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(9)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.0

    stamp = dt.datetime.combine(day, dt.time())
    props = doc.core_properties
    props.title = _property(title)
    props.subject = _property(subject)
    props.author = props.last_modified_by = "hicp"
    props.keywords = "HICP; 405(d); cybersecurity"
    props.comments = _property(comments)
    props.created = props.modified = stamp
    props.revision = 1
