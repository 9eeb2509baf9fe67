"""Mapping the columns of an inventory or user export to an importer's fields.

Real exports name one thing many ways ("Computer Name", "hostName", "Device name [READ ONLY]"),
so each importer declares a ``Schema``: its canonical fields, each with the header spellings
that mean it, most specific first. A user mapping (canonical field -> header, what the CLI
builds from ``--map field=Header`` with ``parse_mapping``) wins over that detection.

Headers compare by ``tabular.header_key``. The header row is the first non-empty row, among
the first ``tabular.HEADER_SEARCH_ROWS``, in which at least one header is known (exports often
open with a title). ``read_table`` yields each data row as a ``Row``, which reads cells by
field with the parsers of ``values`` and turns their errors into ones naming the file, line
and column.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from hicp.errors import ImportError_
from hicp.evidence.base import Progress
from hicp.evidence.tabular import (
    Cells,
    HeaderRow,
    Rows,
    columns_found,
    csv_rows,
    data_rows,
    failure,
    find_header,
    head_rows,
    header_key,
    is_workbook,
    refuse_duplicates,
    workbook_sheets,
)
from hicp.evidence.values import cell_text, parse_bool, parse_date

# Headers that only a vulnerability scan export has: a file with one is not an inventory or a
# user list, however many of their columns it also has (Qualys exports carry "IP" and "OS").
SCAN_HEADERS = frozenset(
    header_key(h)
    for h in ("qid", "cve", "cves", "cve id", "cve ids", "severity", "risk", "risk factor",
              "plugin", "plugin id", "plugin name", "cvss", "cvss3", "cvss score",
              "cvss base score", "vulnerability", "vuln status", "nvt oid", "check id",
              "solution")
)  # fmt: skip


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["hostname=Asset Tag", "ip=Primary IP"]`` (the CLI's --map values) as a mapping."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise ImportError_(f"--map {pair!r}: write it as FIELD=Header, e.g. hostname=Asset")
        mapping[field.strip()] = header.strip()
    return mapping


@dataclass(frozen=True)
class Schema:
    """The canonical fields of one importer, each with the header spellings that mean it."""

    fields: Mapping[str, tuple[str, ...]]  # most specific spelling first
    required_any: tuple[str, ...]  # the file needs a column for at least one of these
    required_all: tuple[str, ...] = ()  # ... and one for each of these

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
        found = columns_found(header)
        columns = self.match(header, mapping)
        for field, wanted in mapping.items():
            if field not in columns:
                return failure(
                    path, f"--map {field}={wanted!r}: no such column; columns found: {found}", line
                )
        missing = [field for field in self.required_all if field not in columns]
        if missing:
            spellings = "; ".join(
                f"{field}: " + " or ".join(repr(name) for name in self.fields[field][:3])
                for field in missing
            )
            return failure(
                path,
                f"no column for {', '.join(missing)} (expected {spellings}); columns found: "
                f'{found}. If one of them holds it, name it: --map {missing[0]}="Column name"',
                line,
            )
        if any(field in columns for field in self.required_any):
            return None
        return failure(
            path,
            f"no column for {' or '.join(self.required_any)}; columns found: {found}. If one "
            f'of them holds it, name it: --map {self.required_any[0]}="Column name"',
            line,
        )


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
    """The data rows of a CSV or Excel file, streamed, with the header found and checked.

    In a workbook, the first worksheet (the active one first) with a known header row.
    """
    if not is_workbook(path):
        rows: Rows = csv_rows(path, progress)
        header = _header(path, rows, schema, mapping)
        if isinstance(header, ImportError_):
            raise header
        yield from _data(path, rows, header, csv_widths=True)
        return
    first_error: ImportError_ | None = None
    with contextlib.closing(workbook_sheets(path, progress)) as sheets:
        for rows in sheets:
            header = _header(path, rows, schema, mapping)
            if isinstance(header, ImportError_):
                first_error = first_error or header
                continue
            yield from _data(path, rows, header, csv_widths=False)
            if progress is not None:
                progress(path.stat().st_size)
            return
    raise first_error or failure(path, "the workbook has no worksheet")


def _header(
    path: Path, rows: Rows, schema: Schema, mapping: Mapping[str, str]
) -> tuple[HeaderRow, dict[str, int]] | ImportError_:
    """The header row and its columns (rows then continue after it), or the error to raise."""
    found = find_header(rows, lambda cells: bool(schema.match(cells, mapping)))
    if found is None:
        return failure(path, "the file has no rows (is it empty?)", 1)
    error = schema.header_error(path, found.cells, found.line, mapping)
    if error is not None:
        return error
    if not found.recognised:
        return failure(path, "no header row found", found.line)
    columns = schema.match(found.cells, mapping)
    refuse_duplicates(path, found, columns.values())
    return found, columns


def _data(
    path: Path, rows: Rows, header: tuple[HeaderRow, dict[str, int]], *, csv_widths: bool
) -> Iterator[Row]:
    names, columns = header[0].cells, header[1]
    for line, cells in data_rows(path, rows, names, csv_widths=csv_widths):
        yield Row(path, line, cells, columns, names)
