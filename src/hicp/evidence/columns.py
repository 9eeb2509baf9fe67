"""Header mapping, cell parsing and streaming row reading shared by the tabular importers.

Real exports name one thing many ways ("Computer Name", "hostName", "Device name [READ ONLY]"),
so each importer declares a ``Schema``: its canonical fields, each with the header spellings
that mean it, most specific first. A user mapping (canonical field -> header, what the CLI
builds from ``--map field=Header`` with ``parse_mapping``) wins over that detection.

Headers are compared by ``header_key``: byte-order mark and one trailing "[...]" or "(...)"
annotation dropped, case folded, spaces, underscores and punctuation removed, so "IP_Address",
"ip address" and "ipAddress" are the same header. The header row is the first non-empty row,
among the first 20, in which at least one header is known (exports often open with a title).

Cell values:
- yes/no: see ``TRUE_WORDS`` and ``FALSE_WORDS``; an empty cell or a placeholder ("-", "n/a",
  "unknown") is None; anything else is an error naming the file, line and column.
- dates: YYYY-MM-DD (also YYYY/MM/DD), MM/DD/YYYY (the US order Microsoft and Okta consoles
  write), DD.MM.YYYY, and ISO 8601 datetimes ("Z", fractions, offsets). A time after the date
  is ignored; the calendar date is kept as written, without time-zone conversion. Excel date
  cells arrive as dates. "Never" is None; an optional date in no known format is None.
- asset types: ``asset_type`` (keywords in free text, rules in ``_TYPE_WORDS``).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from hicp.errors import ImportError_, Problem
from hicp.evidence.base import Progress
from hicp.evidence.models import AssetType

HEADER_SEARCH_ROWS = 20
PROGRESS_EVERY = 1000  # rows between progress calls: often enough for a bar, cheap enough
_MIB = 1 << 20

PLACEHOLDERS = frozenset({"", "-", "--", "n/a", "na", "none", "null", "unknown", "?"})
TRUE_WORDS = frozenset(
    {"yes", "y", "true", "t", "1", "x", "enabled", "enable", "on", "active", "present",
     "encrypted", "fully encrypted", "protected", "installed", "registered", "enrolled",
     "capable", "enforced"}
)  # fmt: skip
FALSE_WORDS = frozenset(
    {"no", "n", "false", "f", "0", "disabled", "disable", "off", "inactive", "absent",
     "missing", "not encrypted", "unencrypted", "decrypted", "fully decrypted",
     "unprotected", "not protected", "not installed", "not registered", "not enrolled",
     "not capable"}
)  # fmt: skip
_NEVER = frozenset({"never", "never logged in", "never signed in"})

# First match wins: medical before network ("patient monitor"), server before workstation.
_TYPE_WORDS: tuple[tuple[AssetType, tuple[str, ...]], ...] = (
    (AssetType.MEDICAL_DEVICE, ("medical", "infusion pump", "pump", "monitor", "imaging",
                                "modality", "ultrasound", "ventilator", "x ray", "xray", "mri",
                                "ct scanner", "ecg", "ekg")),
    (AssetType.NETWORK, ("switch", "router", "firewall", "access point", "wap",
                         "wireless controller", "load balancer")),
    (AssetType.SERVER, ("server", "vm", "virtual machine", "hypervisor")),
    (AssetType.MOBILE, ("mobile", "phone", "smartphone", "tablet", "ipad", "iphone")),
    (AssetType.WORKSTATION, ("workstation", "desktop", "laptop", "notebook", "pc",
                             "thin client", "computer")),
    (AssetType.IOT, ("iot", "camera", "printer", "badge", "badge reader", "thermostat",
                     "sensor", "copier", "mfp")),
)  # fmt: skip
_TYPE_NAMES = frozenset(kind.value for kind in AssetType)
_TYPE_PATTERNS = tuple(
    (kind, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")s?\b"))
    for kind, words in _TYPE_WORDS
)

_ANNOTATION = re.compile(r"\s*[\[(][^\[\]()]*[\])]\s*$")
_ISO_DAY = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ ,T].*)?")
_EU_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,].*)?")

Cells = Sequence[object]


def header_key(text: object) -> str:
    """The comparable form of a header: no BOM, annotation, case, spaces or punctuation."""
    name = str(text if text is not None else "").replace("\ufeff", "").strip()
    name = _ANNOTATION.sub("", name) or name
    return re.sub(r"[\W_]+", "", name.casefold())


# Headers that only a vulnerability scan export has: a file with one is not an inventory or a
# user list, however many of their columns it also has (Qualys exports carry "IP" and "OS").
SCAN_HEADERS = frozenset(
    header_key(h)
    for h in ("qid", "cve", "cves", "cve id", "cve ids", "severity", "risk", "risk factor",
              "plugin", "plugin id", "plugin name", "cvss", "cvss3", "cvss score",
              "cvss base score", "vulnerability", "vuln status", "nvt oid", "check id",
              "solution")
)  # fmt: skip


def cell_text(value: object) -> str | None:
    """A cell as stripped text; None for empty cells and placeholders like "n/a"."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores VLAN 10 as 10.0
    text = str(value).strip()
    return None if text.casefold() in PLACEHOLDERS else text


def parse_bool(value: object) -> bool | None:
    """yes/no/true/false/1/0/enabled/disabled/on/off/... -> bool; empty -> None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value if value is not None else "").strip()
    word = " ".join(text.casefold().replace("_", " ").replace("-", " ").split())
    if word == "none":
        return False  # "Antivirus: None", "MFA methods: None"
    if cell_text(text) is None:
        return None
    if word in TRUE_WORDS or word in {"✓", "✔"}:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{text!r} is not a yes/no value")


def parse_date(value: object) -> dt.date | None:
    """A date in one of the documented formats; None when empty or "never"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if text is None or text.casefold() in _NEVER:
        return None
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass  # not ISO 8601 as Python reads it; try the console formats
    try:
        if match := _ISO_DAY.fullmatch(text):
            year, month, day = match.groups()
        elif match := _US_DAY.fullmatch(text):
            month, day, year = match.groups()
        elif match := _EU_DAY.fullmatch(text):
            day, month, year = match.groups()
        else:
            raise ValueError(f"{text!r} is not a date")
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{text!r} is not a date") from None


def asset_type(value: object) -> AssetType:
    """The asset type named by free text ("Dell laptop", "Infusion pump"); else OTHER."""
    text = cell_text(value)
    if text is None:
        return AssetType.OTHER
    words = " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())
    if words.replace(" ", "_") in _TYPE_NAMES:
        return AssetType(words.replace(" ", "_"))
    for kind, pattern in _TYPE_PATTERNS:
        if pattern.search(words):
            return kind
    return AssetType.OTHER


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["hostname=Asset Tag", "ip=Primary IP"]`` (the CLI's --map values) as a mapping."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise ImportError_(f"--map {pair!r}: write it as FIELD=Header, e.g. hostname=Asset")
        mapping[field.strip()] = header.strip()
    return mapping


def failure(
    path: Path, message: str, line: int | None = None, where: str | None = None
) -> ImportError_:
    """The ImportError_ for one problem in one file."""
    return ImportError_(f"cannot import {path.name}", [Problem(message, path, line, where)])


@dataclass(frozen=True)
class Schema:
    """The canonical fields of one importer, each with the header spellings that mean it."""

    fields: Mapping[str, tuple[str, ...]]  # most specific spelling first
    required_any: tuple[str, ...]  # the file needs a column for at least one of these

    def check_mapping(self, mapping: Mapping[str, str] | None) -> dict[str, str]:
        """A user mapping with only known fields, or an error listing the fields."""
        for field in mapping or {}:
            if field not in self.fields:
                raise ImportError_(
                    f"--map {field}=…: no field {field!r}; fields: {', '.join(self.fields)}"
                )
        return dict(mapping or {})

    def match(self, header: Cells, mapping: Mapping[str, str]) -> dict[str, int]:
        """Field -> column index for one header row; the mapping claims its columns first."""
        keys = [header_key(cell) for cell in header]
        columns: dict[str, int] = {}

        def claim(field: str, spelling: str) -> bool:
            key = header_key(spelling)
            for index, found in enumerate(keys):
                if found == key and index not in columns.values():
                    columns[field] = index
                    return True
            return False

        for field, wanted in mapping.items():
            claim(field, wanted)
        for field, spellings in self.fields.items():
            if field in mapping:
                continue  # the user said which column it is, found or not
            for spelling in (field, *spellings):
                if claim(field, spelling):
                    break
        return columns

    def header_error(
        self, path: Path, header: Cells, line: int, mapping: Mapping[str, str]
    ) -> ImportError_ | None:
        """The error for a header row lacking a mapped column or every required one."""
        found = ", ".join(repr(str(c)) for c in header if cell_text(c)) or "none"
        columns = self.match(header, mapping)
        for field, wanted in mapping.items():
            if field not in columns:
                return failure(
                    path, f"--map {field}={wanted!r}: no such column; columns found: {found}", line
                )
        if any(field in columns for field in self.required_any):
            return None
        return failure(
            path,
            f"no column for {' or '.join(self.required_any)}; columns found: {found}. If one "
            f'of them holds it, name it: --map {self.required_any[0]}="Column name"',
            line,
        )


def head_rows(head: bytes) -> list[list[str]]:
    """The first rows of a CSV file's head, for sniffing; [] when it is not delimited text."""
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
        for row in itertools.islice(csv.reader(lines), HEADER_SEARCH_ROWS):
            rows.append(row)
    return rows


def sniff_header(
    head: bytes, schema: Schema, mapping: Mapping[str, str]
) -> tuple[dict[str, int], list[str]] | None:
    """Columns and header keys of the first row with a known header in a CSV head."""
    for row in head_rows(head):
        columns = schema.match(row, mapping)
        if columns:
            return columns, [header_key(cell) for cell in row]
    return None


@dataclass(frozen=True)
class Row:
    """One data row, read by canonical field; parse errors name the file, line and column."""

    path: Path
    line: int
    cells: Cells
    columns: Mapping[str, int]
    header: Cells

    def column(self, field: str) -> str | None:
        index = self.columns.get(field)
        return None if index is None else str(self.header[index])

    def raw(self, field: str) -> object:
        index = self.columns.get(field)
        return None if index is None or index >= len(self.cells) else self.cells[index]

    def text(self, field: str) -> str | None:
        return cell_text(self.raw(field))

    def error(self, field: str | None, message: str) -> ImportError_:
        return failure(self.path, message, self.line, self.column(field) if field else None)

    def flag(self, field: str) -> bool | None:
        try:
            return parse_bool(self.raw(field))
        except ValueError as exc:
            raise self.error(
                field,
                f"{exc}; use yes/no, true/false, 1/0, enabled/disabled, on/off or leave it empty",
            ) from None

    def date(self, field: str, *, required: bool = False) -> dt.date | None:
        try:
            return parse_date(self.raw(field))
        except ValueError as exc:
            if required:
                raise self.error(field, f"{exc}; use YYYY-MM-DD") from None
            return None


def read_table(
    path: Path, schema: Schema, mapping: Mapping[str, str], progress: Progress | None = None
) -> Iterator[Row]:
    """The data rows of a CSV or Excel file, streamed, with the header found and checked."""
    if _is_workbook(path):
        yield from _workbook_rows(path, schema, mapping, progress)
        return
    rows = _csv_rows(path, progress)
    found = _find_header(path, rows, schema, mapping)
    if isinstance(found, ImportError_):
        raise found
    yield from _data(path, rows, found, csv_widths=True)


def _is_workbook(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise failure(path, f"cannot read ({exc.strerror})") from None


def _find_header(
    path: Path, rows: Iterator[tuple[int, Cells]], schema: Schema, mapping: Mapping[str, str]
) -> tuple[int, Cells, dict[str, int]] | ImportError_:
    """The header row (rows then continue after it), or the error to raise if there is none."""
    non_empty = ((line, cells) for line, cells in rows if any(cell_text(c) for c in cells))
    first: tuple[int, Cells] | None = None
    for line, cells in itertools.islice(non_empty, HEADER_SEARCH_ROWS):
        first = first or (line, cells)
        columns = schema.match(cells, mapping)
        if columns:
            return schema.header_error(path, cells, line, mapping) or (line, cells, columns)
    if first is None:
        return failure(path, "the file has no rows (is it empty?)", 1)
    line, cells = first
    return schema.header_error(path, cells, line, mapping) or failure(
        path, "no header row found", line
    )


def _data(
    path: Path,
    rows: Iterator[tuple[int, Cells]],
    header: tuple[int, Cells, dict[str, int]],
    *,
    csv_widths: bool,
) -> Iterator[Row]:
    _, names, columns = header
    width = max((i + 1 for i, name in enumerate(names) if cell_text(name)), default=0)
    for line, cells in rows:
        if not any(cell_text(c) for c in cells):
            continue
        # A CSV writer pads every row to the header's width, so a short row means the file
        # was cut off or a cell holds an unquoted line break; XLSX rows omit trailing blanks.
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
        yield Row(path, line, cells, columns, names)


def _csv_rows(path: Path, progress: Progress | None) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each CSV record; multi-line quoted cells count from their start."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise failure(path, f"cannot read ({exc.strerror})") from None
    # The binary layer is kept for its byte position, which the progress bar needs.
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
        # strict: a file that ends inside a quoted cell is an error, not a silently cut value
        reader = csv.reader(handle, strict=True)
        line = 1
        try:
            for count, cells in enumerate(reader, 1):
                yield line, cells
                line = reader.line_num + 1
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(raw.tell())
        except UnicodeDecodeError:
            raise failure(
                path,
                "not UTF-8 (save/export as UTF-8; in Excel choose 'CSV UTF-8')",
                _first_bad_line(path),
            ) from None
        except csv.Error as exc:
            raise failure(path, _csv_problem(str(exc)), line) from None
        if progress is not None:
            progress(raw.tell())


def _csv_problem(message: str) -> str:
    if "unexpected end of data" in message:
        return "the file ends inside a quoted cell that starts here (is the file complete?)"
    if "NUL" in message:
        return "the file holds NUL bytes: it is not a text CSV (UTF-16, or a binary file?)"
    if "expected after" in message:
        return 'a quote inside a quoted cell is not doubled ("") as CSV requires'
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


# What openpyxl and zipfile raise for a damaged workbook; nothing else is caught.
_WORKBOOK_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError,
                    SyntaxError, zlib.error)  # fmt: skip
_MAX_PART = 64 * _MIB
_MAX_RATIO = 100


def _workbook_rows(
    path: Path, schema: Schema, mapping: Mapping[str, str], progress: Progress | None
) -> Iterator[Row]:
    """Rows of the first worksheet (the active one first) that has a known header row."""
    _check_zip(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _WORKBOOK_ERRORS:
        raise failure(path, _UNREADABLE_WORKBOOK) from None
    try:
        active = book.active
        sheets = [active, *(s for s in book.worksheets if s is not active)]
        first_error: ImportError_ | None = None
        for sheet in sheets:
            if not hasattr(sheet, "iter_rows"):
                continue  # a chart sheet
            rows = _sheet_rows(path, sheet, progress)
            found = _find_header(path, rows, schema, mapping)
            if isinstance(found, ImportError_):
                first_error = first_error or found
                continue
            yield from _data(path, rows, found, csv_widths=False)
            if progress is not None:
                progress(path.stat().st_size)
            return
        raise first_error or failure(path, "the workbook has no worksheet")
    finally:
        book.close()


_UNREADABLE_WORKBOOK = (
    "not a readable Excel workbook (the file may be truncated or damaged; re-export it, "
    "or save it as CSV UTF-8)"
)


def _sheet_rows(path: Path, sheet: Any, progress: Progress | None) -> Iterator[tuple[int, Cells]]:
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
