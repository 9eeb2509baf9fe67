"""Reading tabular exports (CSV, Excel) as numbered rows, finding their header, sniffing heads.

- ``csv_rows``: the records of a UTF-8 CSV file (a byte-order mark is dropped) with the line
  each starts on (a quoted cell may hold line breaks). Decoding errors name the first line
  that is not UTF-8; csv errors (a cell past the field size limit, a file that ends inside a
  quoted cell, an undoubled quote) name the line of the record they are in.
- ``workbook_sheets``: the rows of each worksheet of an .xlsx workbook, the active one first,
  after refusing parts that would inflate absurdly (zip bombs).
- headers: ``header_key`` (how headers compare: byte-order mark and one trailing "[...]" or
  "(...)" annotation dropped, case folded, spaces, underscores and punctuation removed, so
  "IP_Address", "ip address" and "ipAddress" are the same header), ``find_header`` (the
  first non-blank row an importer recognises, among the first few), ``locate_columns``.
- rows: ``data_rows``, the rows after the header that hold a value, CSV rows checked
  against the header's width; ``is_blank``.
- heads: ``head_rows`` and ``xml_root_tag``, for sniffing a file's format from its first bytes.
- errors: ``failure`` and ``fail``, the ImportError_ of one problem in one file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from hicp.errors import ImportError_, Problem
from hicp.evidence.base import Progress, utf16_as_utf8
from hicp.evidence.values import cell_text

HEADER_SEARCH_ROWS = 20
PROGRESS_EVERY = 1000  # rows between progress calls: often enough for a bar, cheap enough
NOT_UTF8 = "not UTF-8 (save/export as UTF-8)"
_MIB = 1 << 20
# Characters in one CSV record (a row, with the line breaks of its quoted cells). Nessus
# plugin outputs reach a few megabytes; the csv module holds a field as 4 bytes a character.
MAX_RECORD = 16 * _MIB

_ANNOTATION = re.compile(r"\s*[\[(][^\[\]()]*[\])]\s*$")
_XML_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_XML_TAG = re.compile(rb"<([^?!\s/>][^\s/>]*)")

Cells = Sequence[object]
Rows = Iterator[tuple[int, Cells]]  # (line the row starts on, cells)
_Row = TypeVar("_Row", bound=tuple[int, Cells])


# ---- errors ---------------------------------------------------------------------------------


def failure(
    path: Path,
    message: str,
    line: int | None = None,
    where: str | None = None,
    *,
    summary: str | None = None,
) -> ImportError_:
    """The ImportError_ for one problem in one file (summary: "cannot import NAME")."""
    return ImportError_(
        summary or f"cannot import {path.name}", [Problem(message, path, line, where)]
    )


def fail(
    path: Path, summary: str, message: str, line: int | None = None, where: str | None = None
) -> NoReturn:
    """Raise the error shape of the scan importers, whose summary names the path and why."""
    raise failure(path, message, line, where, summary=f"{path}: {summary}")


# ---- headers --------------------------------------------------------------------------------


def header_key(text: object) -> str:
    """The comparable form of a header: no BOM, annotation, case, spaces or punctuation."""
    name = str(text if text is not None else "").replace("\ufeff", "").strip()
    name = _ANNOTATION.sub("", name) or name
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass(frozen=True)
class HeaderRow:
    """A file's header row, or what stands where one was looked for."""

    line: int
    cells: Cells
    recognised: bool  # False: no row was, and this is the first non-blank row (for the error)


def find_header(
    rows: Rows, is_header: Callable[[Cells], bool], search: int = HEADER_SEARCH_ROWS
) -> HeaderRow | None:
    """The first of the first ``search`` non-blank rows that ``is_header``; None: no rows.

    Rows are consumed up to the header, so reading ``rows`` on gives the data after it.
    """
    first: HeaderRow | None = None
    non_blank = ((line, cells) for line, cells in rows if not is_blank(cells))
    for line, cells in itertools.islice(non_blank, search):
        if is_header(cells):
            return HeaderRow(line, cells, recognised=True)
        first = first or HeaderRow(line, cells, recognised=False)
    return first


def locate_columns(
    path: Path, header: HeaderRow, required: Sequence[str], optional: Iterable[str] = ()
) -> dict[str, int]:
    """Each required and optional name the header has a column for -> its position.

    A missing required column is an error naming it and listing the columns found; two
    columns with one name that is read are an error naming both (``refuse_duplicates``).
    """
    index: dict[str, int] = {}
    for position, cell in enumerate(header.cells):
        index.setdefault(header_key(cell), position)
    for name in required:
        if header_key(name) not in index:
            fail(
                path,
                f"missing required column {name!r}",
                f"required column {name!r} is missing; columns found: "
                f"{columns_found(header.cells)}",
                line=header.line,
                where=name,
            )
    names = (*required, *optional)
    columns = {name: index[key] for name in names if (key := header_key(name)) in index}
    refuse_duplicates(path, header, columns.values())
    return columns


def refuse_duplicates(path: Path, header: HeaderRow, used: Iterable[int]) -> None:
    """Two columns whose names compare equal, one of them read, are an error naming both.

    Taking the first would silently read one of two columns that may disagree (an export
    merged from two sources, a column added by hand). Repeats among columns no importer
    reads are harmless and allowed.
    """
    keys = [header_key(cell) for cell in header.cells]
    for position in sorted(used):
        key = keys[position]
        twin = next((i for i, k in enumerate(keys) if k == key and i != position), None)
        if key and twin is not None:
            first, second = sorted((position, twin))
            fail(
                path,
                "two columns with one name",
                f"columns {first + 1} ({str(header.cells[first]).strip()!r}) and {second + 1} "
                f"({str(header.cells[second]).strip()!r}) have the same name, so which one "
                "holds the data is unclear; rename or delete one",
                line=header.line,
                where=str(header.cells[first]).strip(),
            )


def check_fields(mapping: Mapping[str, str] | None, fields: Iterable[str]) -> dict[str, str]:
    """A --map mapping whose fields are all in ``fields``, or the error listing them."""
    known = list(fields)
    for name in mapping or {}:
        if name not in known:
            raise ImportError_(f"--map {name}=…: no field {name!r}; fields: {', '.join(known)}")
    return dict(mapping or {})


def mapped_cells(cells: Cells, mapping: Mapping[str, str]) -> list[object]:
    """A header row with each mapped column renamed to the field it holds (--map field=Header),
    so a table importer that finds columns by name finds it under its field's name."""
    renamed = {header_key(header): field for field, header in mapping.items()}
    return [renamed.get(header_key(cell), cell) for cell in cells]


def apply_mapping(path: Path, header: HeaderRow, mapping: Mapping[str, str]) -> HeaderRow:
    """``mapped_cells`` of a file's header row; a mapped column it lacks is an error."""
    keys = {header_key(cell) for cell in header.cells}
    for field, wanted in mapping.items():
        if header_key(wanted) not in keys:
            fail(
                path,
                f"--map {field}={wanted!r}: no such column",
                f"--map {field}={wanted!r}: no such column; columns found: "
                f"{columns_found(header.cells)}",
                line=header.line,
            )
    return HeaderRow(header.line, mapped_cells(header.cells, mapping), header.recognised)


def columns_found(header: Cells) -> str:
    """The non-empty header names, quoted, for an error message."""
    return ", ".join(repr(str(c).strip()) for c in header if cell_text(c)) or "none"


# ---- rows -----------------------------------------------------------------------------------


def data_rows(
    path: Path, rows: Iterator[_Row], header: Cells, *, csv_widths: bool = True
) -> Iterator[_Row]:
    """The rows after the header that hold a value; CSV rows checked against its width.

    A CSV writer pads every row to the header's width, so a shorter row means a cut file and
    one with values past the last named column a comma without quotes. Workbook rows
    (``csv_widths=False``) omit their trailing blank cells and are not checked.
    """
    width = max((i + 1 for i, name in enumerate(header) if cell_text(name)), default=0)
    for row in rows:
        line, cells = row
        if is_blank(cells):
            continue
        if csv_widths and len(cells) < width:
            raise failure(
                path,
                f"this row has {len(cells)} of the header's {width} cells: the file may be "
                "truncated, or a cell holds a line break without quotes",
                line,
            )
        if csv_widths and any(cell_text(c) for c in cells[width:]):
            raise failure(
                path,
                f"this row has {len(cells)} cells but the header has {width}: a cell may hold "
                "a comma without quotes",
                line,
            )
        yield row


def is_blank(cells: Cells) -> bool:
    """No cell holds a value (empty cells and placeholders like "-" only)."""
    return not any(cell_text(c) for c in cells)


# ---- CSV ------------------------------------------------------------------------------------


class _RecordTooLong(Exception):
    """A CSV record grew past the limit; raised from inside the csv reader's line source."""


class _BoundedLines:
    """The lines of a text stream, read so that no record holds more than ``limit`` characters.

    ``csv.field_size_limit`` alone does not bound memory: the reader first takes a whole line
    from its source, so a 400 MB line is read whole before any limit applies. Reading each
    line with a size cap does; ``record_done`` restarts the count at each record.
    """

    def __init__(self, handle: io.TextIOWrapper, limit: int) -> None:
        self.handle = handle
        self.limit = limit
        self.used = 0

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        text = self.handle.readline(self.limit - self.used + 1)
        if not text:
            raise StopIteration
        self.used += len(text)
        if self.used > self.limit:
            raise _RecordTooLong
        return text

    def record_done(self) -> None:
        self.used = 0


def csv_rows(
    path: Path, progress: Progress | None = None, max_record: int | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each CSV record; multi-line quoted cells count from their start.

    ``progress`` gets the bytes read every ``PROGRESS_EVERY`` records and at the end. A
    record longer than ``max_record`` characters (default ``MAX_RECORD``) is an error naming
    the line it starts on, found without reading more than that into memory.
    """
    limit = MAX_RECORD if max_record is None else max_record
    _refuse_xml(path)
    # Process-wide, but only ever raised: every CSV field up to a record's limit is allowed.
    csv.field_size_limit(max(csv.field_size_limit(), limit))
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise failure(path, f"cannot read ({exc.strerror})") from None
    # The binary layer is kept for its byte position, which the progress bar needs.
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
        lines = _BoundedLines(handle, limit)
        # strict: a file that ends inside a quoted cell is an error, not a silently cut value
        reader = csv.reader(lines, strict=True)
        line = 1
        try:
            for count, cells in enumerate(reader, 1):
                lines.record_done()
                yield line, cells
                line = reader.line_num + 1
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(raw.tell())
        except UnicodeDecodeError:
            raise failure(
                path, f"{NOT_UTF8}; in Excel choose 'CSV UTF-8'", _first_bad_line(path)
            ) from None
        except csv.Error as exc:
            # The record's first line: an unclosed quote makes line_num run far past it.
            raise failure(path, _csv_problem(str(exc)), line) from None
        except _RecordTooLong:
            raise failure(
                path,
                f"the record starting here is longer than {_size(limit)}; no export row is "
                "that long (is a quote never closed, or is this not a text table?)",
                line,
            ) from None
        if progress is not None:
            progress(raw.tell())


def _refuse_xml(path: Path) -> None:
    """An XML export given to a table importer (a wrong --kind) is named as such, instead of
    failing later on a header row made of markup."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError as exc:
        raise failure(path, f"cannot read ({exc.strerror})") from None
    if looks_like_xml(head):
        root = xml_root_tag(head)
        found = f"<{root.decode(errors='replace')}>" if root else "markup"
        raise failure(
            path,
            f"the file is XML ({found}), but this importer reads CSV tables: is it the "
            "right --kind?",
            1,
        )


def _size(chars: int) -> str:
    return f"{chars >> 20} MB" if chars >= _MIB else f"{chars:,} characters"


def _csv_problem(message: str) -> str:
    if "unexpected end of data" in message:
        return "the file ends inside a quoted cell that starts here (is the file complete?)"
    if "NUL" in message:
        return "the file holds NUL bytes: it is not a text CSV (UTF-16, or a binary file?)"
    if "expected after" in message:
        return 'a quote inside a quoted cell is not doubled ("") as CSV requires'
    if "field limit" in message:
        return f"not readable as CSV ({message}): is a quote here never closed?"
    return f"not readable as CSV ({message})"


def _first_bad_line(path: Path) -> int | None:
    """The line of the first byte that is not UTF-8 (the text stream decodes ahead of it)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(_MIB):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk.count(b"\n", 0, max(exc.start - pending, 0))
            line += chunk.count(b"\n")
    return None


# ---- Excel ----------------------------------------------------------------------------------

# What openpyxl and zipfile raise for a damaged workbook; nothing else is caught.
_WORKBOOK_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError,
                    SyntaxError, zlib.error)  # fmt: skip
_MAX_PART = 64 * _MIB
_MAX_RATIO = 100
_UNREADABLE_WORKBOOK = (
    "not a readable Excel workbook (the file may be truncated or damaged; re-export it, "
    "or save it as CSV UTF-8)"
)


def is_workbook(path: Path) -> bool:
    """Whether the file is a zip archive, as .xlsx workbooks are."""
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise failure(path, f"cannot read ({exc.strerror})") from None


def workbook_sheets(path: Path, progress: Progress | None = None) -> Generator[Rows, None, None]:
    """The numbered rows of each worksheet, the active one first; chart sheets are skipped.

    The workbook stays open until this iterator is exhausted or closed.
    """
    # Imported here, not at the top: the XML and CSV importers use this module too, and
    # openpyxl costs them its import time and a heap the garbage collector then walks.
    import openpyxl

    _check_zip(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _WORKBOOK_ERRORS:
        raise failure(path, _UNREADABLE_WORKBOOK) from None
    try:
        active = book.active
        for sheet in [active, *(s for s in book.worksheets if s is not active)]:
            if hasattr(sheet, "iter_rows"):
                yield _sheet_rows(path, sheet, progress)
    finally:
        book.close()


def _sheet_rows(path: Path, sheet: Any, progress: Progress | None) -> Rows:
    size = path.stat().st_size
    rows_total = getattr(sheet, "max_row", None) or 0
    try:
        rows = sheet.iter_rows(min_row=1, values_only=True)
        for number, cells in enumerate(rows, 1):
            yield number, cells
            if progress is not None and rows_total and number % PROGRESS_EVERY == 0:
                # read-only mode exposes no byte position; the row share is the best estimate
                progress(min(size, size * number // rows_total))
    except _WORKBOOK_ERRORS:
        raise failure(path, _UNREADABLE_WORKBOOK) from None


def _check_zip(path: Path) -> None:
    """Refuse workbooks whose parts would inflate absurdly (zip bombs) before opening them."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > _MAX_PART and ratio > _MAX_RATIO:
                    raise failure(
                        path,
                        f"refused: {info.filename} would inflate {ratio:.0f}-fold to "
                        f"{info.file_size // _MIB} MB; real workbooks compress far less",
                    )
    except _WORKBOOK_ERRORS:
        raise failure(path, _UNREADABLE_WORKBOOK) from None


# ---- file heads -----------------------------------------------------------------------------


def head_rows(head: bytes, limit: int = HEADER_SEARCH_ROWS) -> list[list[str]]:
    """The first complete CSV rows of a file's head, for sniffing; [] for XML or binary."""
    if b"\x00" in head:
        return []
    text = head.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("<"):
        return []
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and not lines[-1].endswith(("\n", "\r")):
        lines.pop()  # the head may stop mid-row
    rows: list[list[str]] = []
    # A malformed row ends the sniff; the rows read before it still count.
    with contextlib.suppress(csv.Error):
        for row in itertools.islice(csv.reader(lines), limit):
            rows.append(row)
    return rows


def xml_root_tag(head: bytes) -> bytes | None:
    """The root element's name in a file's head: the first tag after prolog and DOCTYPE.

    A UTF-16 head (with a byte-order mark, or recognisable from its first "<") is decoded
    first, so detection finds such exports as XML parsers do.
    """
    head = utf16_as_utf8(head)
    text_bytes = _XML_COMMENT.sub(b"", head)
    match = _XML_TAG.search(text_bytes)
    return match.group(1) if match else None


def is_xml(path: Path) -> bool:
    """Whether a file starts (after a BOM and blanks) with markup: an XML export, not a table."""
    try:
        with path.open("rb") as handle:
            return looks_like_xml(handle.read(4096))
    except OSError as exc:
        raise failure(path, f"cannot read ({exc.strerror})") from None


def looks_like_xml(head: bytes) -> bool:
    """Whether a file's head starts (after a BOM and blanks) with markup, in UTF-8 or UTF-16."""
    return utf16_as_utf8(head).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
