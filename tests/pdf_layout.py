"""Where words land in a rendered PDF's tables, to catch text that overprints its neighbour.

Reports are tagged PDFs, so the structure tree says which table cell every piece of text belongs
to. Two checks need no knowledge of fonts or of where lines break:
- no word overlaps a word from another cell;
- no word runs past the left edge of the next column (the leftmost word of that column on
  the page), even where the neighbouring cell happens to be empty on that line.
Rows with fewer cells than the table's widest row (spanned cells) are left out of the second.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pdfplumber

# Glyph boxes of neighbouring words may touch; overprinting overlaps by far more than this.
TOLERANCE = 0.5  # points


@dataclass(frozen=True)
class Cell:
    table: int  # which table on the page, in reading order
    row: int
    column: int


@dataclass(frozen=True)
class Word:
    text: str
    cell: Cell
    x0: float
    x1: float
    top: float
    bottom: float

    def overlaps(self, other: Word) -> bool:
        return (
            min(self.x1, other.x1) - max(self.x0, other.x0) > TOLERANCE
            and min(self.bottom, other.bottom) - max(self.top, other.top) > TOLERANCE
        )


def _cells(tree: list[dict[str, Any]]) -> dict[int, Cell]:
    """Marked-content id -> the table cell it is drawn in (text outside tables is left out)."""
    found: dict[int, Cell] = {}
    tables = 0

    def mcids(node: dict[str, Any]) -> Iterator[int]:
        yield from node.get("mcids") or ()
        for child in node.get("children", ()):
            yield from mcids(child)

    def rows(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for child in node.get("children", ()):
            if child.get("type") == "TR":
                yield child
            elif child.get("type") in ("THead", "TBody", "TFoot"):
                yield from rows(child)

    def walk(node: dict[str, Any]) -> None:
        nonlocal tables
        if node.get("type") == "Table":
            tables += 1
            for r, row in enumerate(rows(node)):
                cells = [c for c in row.get("children", ()) if c.get("type") in ("TH", "TD")]
                for column, cell in enumerate(cells):
                    for mcid in mcids(cell):
                        found[mcid] = Cell(tables, r, column)
            return
        for child in node.get("children", ()):
            walk(child)

    for node in tree:
        walk(node)
    return found


def table_words(page: Any) -> list[Word]:
    cells = _cells(page.structure_tree)
    words = page.extract_words(extra_attrs=["mcid"], keep_blank_chars=False)
    return [
        Word(w["text"], cells[w["mcid"]], w["x0"], w["x1"], w["top"], w["bottom"])
        for w in words
        if w.get("mcid") in cells
    ]


def _has_table(tree: list[dict[str, Any]]) -> bool:
    return any(n.get("type") == "Table" or _has_table(n.get("children", [])) for n in tree)


def problems_on(page: Any) -> list[str]:
    if not _has_table(page.structure_tree):
        return []  # reading the structure is cheap; laying out the characters is not
    by_table: dict[int, list[Word]] = defaultdict(list)
    for w in table_words(page):
        by_table[w.cell.table].append(w)
    found: list[str] = []
    for table in by_table.values():
        for i, a in enumerate(table):
            for b in table[i + 1 :]:
                if a.cell != b.cell and a.overlaps(b):
                    found.append(f"{a.text!r} overlaps {b.text!r}")
        width: dict[int, int] = defaultdict(int)
        for w in table:
            width[w.cell.row] = max(width[w.cell.row], w.cell.column + 1)
        full = max(width.values())
        left: dict[int, float] = {}
        for w in table:
            if width[w.cell.row] == full:
                left[w.cell.column] = min(left.get(w.cell.column, w.x0), w.x0)
        for w in table:
            edge = left.get(w.cell.column + 1)
            if width[w.cell.row] == full and edge is not None and w.x1 > edge + TOLERANCE:
                found.append(f"{w.text!r} runs {w.x1 - edge:.1f} pt into the next column")
    return found


def overprinted(pdf: bytes) -> dict[int, list[str]]:
    """1-based page number -> what overprints on it; empty when every table is clean."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = {n: problems_on(page) for n, page in enumerate(document.pages, start=1)}
    return {n: found for n, found in pages.items() if found}
