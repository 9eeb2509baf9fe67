"""A tailored document as an editable Word file."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from hicp.documents.tailor import Tailored
from hicp.reports.docx_parts import TEXT_WIDTH, add_table, clean, para, setup
from hicp.reports.zipfiles import pin_timestamps

if TYPE_CHECKING:
    from docx.document import Document

    from hicp.documents.models import Block

BOX = "☐"


def _block(doc: Document, block: Block) -> None:
    if block.text is not None:
        doc.add_paragraph(clean(block.text))
    elif block.bullets is not None:
        for item in block.bullets:
            doc.add_paragraph(clean(item), style="List Bullet")
    elif block.numbered is not None:
        for item in block.numbered:
            doc.add_paragraph(clean(item), style="List Number")
    elif block.checklist is not None:
        for item in block.checklist:
            doc.add_paragraph(f"{BOX}  {clean(item)}")
    elif block.note is not None:
        doc.add_paragraph(clean(block.note), style="Intense Quote")
    elif block.fields is not None:
        for label in block.fields:
            para(doc, " ________________________________", bold=f"{label}:")
    elif block.table is not None:
        columns = len(block.table.headers)
        add_table(
            doc,
            block.table.headers,
            [list(r) for r in block.table.rows],
            [TEXT_WIDTH / columns] * columns,
        )


def write_docx(document: Tailored) -> bytes:
    from docx import Document as new_document

    doc = new_document()
    setup(
        doc,
        title=document.title,
        subject="HHS 405(d) Health Industry Cybersecurity Practices (HICP) resource",
        comments=f"Prepared by hicp for {document.organization}; supports HICP "
        + ", ".join(document.supports),
        day=document.generated_on,
    )
    doc.add_heading(clean(document.title), level=0)
    for section in document.sections:
        doc.add_heading(clean(section.heading), level=1)
        for block in section.blocks:
            _block(doc, block)
    buffer = io.BytesIO()
    doc.save(buffer)
    return pin_timestamps(buffer.getvalue(), document.generated_on)
