"""A tailored document as Markdown, every piece of text escaped."""

from __future__ import annotations

from hicp.documents.models import Block
from hicp.documents.tailor import Tailored
from hicp.reports.markdown_report import escape


def _cell(text: str) -> str:
    return escape(text) or " "


def _block(block: Block) -> list[str]:
    if block.text is not None:
        return [escape(block.text), ""]
    if block.bullets is not None:
        return [*(f"- {escape(i)}" for i in block.bullets), ""]
    if block.numbered is not None:
        return [*(f"{n}. {escape(i)}" for n, i in enumerate(block.numbered, 1)), ""]
    if block.checklist is not None:
        return [*(f"- [ ] {escape(i)}" for i in block.checklist), ""]
    if block.note is not None:
        return [f"> {escape(block.note)}", ""]
    if block.fields is not None:
        return [*(f"**{escape(label)}:** ________________  " for label in block.fields), ""]
    assert block.table is not None  # noqa: S101 - Block allows exactly one kind
    headers = block.table.headers
    return [
        "| " + " | ".join(_cell(h) for h in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in block.table.rows),
        "",
    ]


def write_markdown(document: Tailored) -> bytes:
    lines = [f"# {escape(document.title)}", ""]
    for section in document.sections:
        lines += [f"## {escape(section.heading)}", ""]
        for block in section.blocks:
            lines += _block(block)
    lines.append(
        f"*Prepared by hicp on {document.generated_on.isoformat()}; supports HICP "
        f"{', '.join(document.supports)}.*"
    )
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")
