"""Writing cells for the XLSX report: number formats, safe text, widths and row heights."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# openpyxl ships no type information, so its objects are typed Any here.
Sheet = Any


class Formula(str):
    """A cell formula we wrote ourselves (text from the assessment never becomes one)."""

    __slots__ = ()


Value = str | float | int | dt.date | None

PERCENT = "0%"
DATE = "yyyy-mm-dd"
RISK = "0.00"
HEADER_ROW = 4  # below a title and a one-line note, so every sheet explains itself
HEADER_FILL = "DCE6F1"
# A text cell starting with one of these is a formula once someone edits it in Excel, or once
# it is exported as CSV; assessment text is user input and must stay inert.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold; openpyxl raises on them rather than dropping them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

NOT_SCORED = "–"  # wording.pct's mark for "not scored", kept as text so numbers stay numbers


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | long | percent | date | number | count


def inert_text(text: str) -> str:
    """``text`` for a CSV cell that a spreadsheet will show, never run: a leading formula
    character gets Excel's quote prefix (in XLSX, ``put`` sets the cell's flag instead)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def percent_or_mark(value: float | None) -> float | str:
    return NOT_SCORED if value is None else value


def joined(values: Sequence[str]) -> str:
    return "; ".join(values)


def put(ws: Sheet, row: int, column: int, value: Value, number_format: str | None = None) -> Any:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Formula):
        cell.value = str(value)
        cell.data_type = "f"
        if number_format:
            cell.number_format = number_format
        return cell
    if isinstance(value, str):
        text = _ILLEGAL.sub("", value)
        cell.value = text
        # openpyxl stores "=..." as a formula and "#N/A" as an error; force plain text, and
        # mark risky starts with Excel's quote prefix so editing the cell keeps it text.
        cell.data_type = "s"
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
    if number_format and not isinstance(value, str):
        cell.number_format = number_format
    return cell


def font(*, bold: bool = False, italic: bool = False, size: int = 11) -> Any:
    """openpyxl's body font, named: a Font without a name renders in the viewer's default."""
    from openpyxl.styles import Font

    return Font(name="Calibri", size=size, bold=bold, italic=italic)


def write_title(ws: Sheet, title: str, note: str) -> None:
    put(ws, 1, 1, title).font = font(bold=True, size=14)
    put(ws, 2, 1, note).font = font(italic=True)


def write_header(ws: Sheet, row: int, headers: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Border, PatternFill, Side

    for column, header in enumerate(headers, 1):
        cell = put(ws, row, column, header)
        cell.font = font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.border = Border(bottom=Side(style="thin"))
        cell.alignment = Alignment(vertical="top", wrap_text=True)


FORMATS = {"percent": PERCENT, "date": DATE, "number": RISK, "count": "0"}
WRAPPED = frozenset({"text", "long"})


def column_width(column: Column, values: list[Value]) -> float:
    longest = max([len(column.header), *(len(str(v)) for v in values if v is not None)])
    if column.kind == "long":
        return 60
    if column.kind == "text":
        return min(max(longest + 2, 8), 40)
    return max(len(column.header) + 2, 11)


def write_table(
    ws: Sheet, title: str, note: str, columns: Sequence[Column], rows: Sequence[Sequence[Value]]
) -> None:
    """A sheet holding one table: bold frozen header, autofilter, widths fitted to the content."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    write_title(ws, title, note)
    write_header(ws, HEADER_ROW, [c.header for c in columns])
    top = Alignment(vertical="top", wrap_text=True)
    # Short figures and dates centred, so they do not run into the text beside them.
    centred = Alignment(horizontal="center", vertical="top")
    for r, values in enumerate(rows, HEADER_ROW + 1):
        for c, (column, value) in enumerate(zip(columns, values, strict=True), 1):
            cell = put(ws, r, c, value, FORMATS.get(column.kind))
            cell.alignment = top if column.kind in WRAPPED else centred
    last = get_column_letter(len(columns))
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(rows)}"
    for c, column in enumerate(columns, 1):
        values = [row[c - 1] for row in rows]
        ws.column_dimensions[get_column_letter(c)].width = column_width(column, values)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


LINE_HEIGHT = 15  # points per line of openpyxl's default 11-point Calibri


def wrapped_lines(text: str, width: float) -> int:
    """Lines wrapped text takes in a column ``width`` characters wide (erring on more)."""
    per_line = max(int(width * 1.2) - 2, 1)  # widths count "0"s; most letters are narrower
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def fit_rows(ws: Sheet) -> None:
    """Give rows with wrapped text their height: LibreOffice keeps one line on opening."""
    from openpyxl.utils import get_column_letter

    def width(column: int) -> float:
        return float(ws.column_dimensions[get_column_letter(column)].width or 8.43)

    spans = {
        (r.min_row, r.min_col): sum(width(c) for c in range(r.min_col, r.max_col + 1))
        for r in ws.merged_cells.ranges
    }
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                span = spans.get((cell.row, cell.column)) or width(cell.column)
                lines = max(lines, wrapped_lines(cell.value, span))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = LINE_HEIGHT * lines
