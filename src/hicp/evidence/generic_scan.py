"""Generic findings CSV for any other scanner, and the CSV and value helpers scan importers share.

The format (one finding a row, UTF-8, a header row first; header names are matched without
regard to case, spaces, hyphens or underscores, so "Check ID" is ``check_id``):

required  host        IP address or host name the scanner reports
          check_id    the scanner's own ID for the check (plugin ID, rule ID, ...)
          title       what was found
          severity    info | low | medium | high | critical (also: informational, none ->
                      info; moderate -> medium), or a CVSS score 0-10
optional  port        1-65535; blank, 0 or "general" -> none; "443/tcp" also sets protocol
          protocol    tcp, udp, icmp, ...
          hostname    the host's DNS name
          os          the host's operating system
          cves        CVE IDs separated by spaces, commas or semicolons
          cvss3       CVSS v3 base score 0-10
          cvss4       CVSS v4 base score 0-10
          first_seen  YYYY-MM-DD (an ISO date-time is cut to its date)
          last_seen   YYYY-MM-DD
          exploit_available, known_exploited   true/false, yes/no, 1/0 (blank -> unknown)

Severity from a CVSS score uses the CVSS v3 qualitative scale: 0 info, 0.1-3.9 low,
4.0-6.9 medium, 7.0-8.9 high, 9.0-10 critical. A numeric severity does not fill cvss3, since
the file does not say which CVSS version it is. Unparseable first_seen/last_seen (optional)
become unknown; every other bad value is an error naming the line and column. Blank rows are
skipped; a row shorter than the header is an error (a truncated file).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn

from hicp.errors import ImportError_, Problem
from hicp.evidence.base import Importer, Progress
from hicp.evidence.models import Finding, Severity

REQUIRED = ("host", "check_id", "title", "severity")
OPTIONAL = (
    "port",
    "protocol",
    "hostname",
    "os",
    "cves",
    "cvss3",
    "cvss4",
    "first_seen",
    "last_seen",
    "exploit_available",
    "known_exploited",
)

_CVE = re.compile(r"CVE-\d{4}-\d{4,}\Z")
_CVE_SPLIT = re.compile(r"[\s,;]+")
_NO_CVE = frozenset({"", "-", "N/A", "NA", "NONE", "NOCVE"})
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])")
_CTIME = re.compile(
    r"\s*[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+\d{1,2}:\d{2}:\d{2}\s+(\d{4})\s*$"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SCORE = re.compile(r"\s*(\d{1,2}(?:\.\d+)?)")
_EMPTY_SCORE = frozenset({"", "-", "'-'", "n/a", "na", "none"})
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_WORDS = {
    "info": Severity.INFO,
    "informational": Severity.INFO,
    "information": Severity.INFO,
    "none": Severity.INFO,
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "moderate": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}
_XML_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_XML_TAG = re.compile(rb"<([^?!\s/>][^\s/>]*)")
_PROGRESS_EVERY = 512  # rows between progress calls: often enough for a bar, cheap enough


# ---- errors -------------------------------------------------------------------------------


def fail(
    path: Path, summary: str, message: str, line: int | None = None, where: str | None = None
) -> NoReturn:
    """Raise the one ImportError_ shape every scan importer uses."""
    raise ImportError_(f"{path}: {summary}", [Problem(message, file=path, line=line, where=where)])


# ---- values -------------------------------------------------------------------------------


def severity_from_score(score: float) -> Severity:
    """The CVSS v3 qualitative rating of a 0-10 score (0 is "none": info)."""
    if score <= 0:
        return Severity.INFO
    if score < 4:
        return Severity.LOW
    if score < 7:
        return Severity.MEDIUM
    if score < 9:
        return Severity.HIGH
    return Severity.CRITICAL


def parse_score(text: str | None) -> float | None:
    """A CVSS score from text such as "8.1" or "8.1 (AV:N/AC:H/...)"; blank/"-" -> None.

    Raises ValueError for anything else, so the caller can name the line.
    """
    if text is None or text.strip().lower() in _EMPTY_SCORE:
        return None
    match = _SCORE.match(text)
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a CVSS score")
    score = float(match.group(1))
    if not 0 <= score <= 10:
        raise ValueError(f"{text.strip()!r} is not a CVSS score (0-10)")
    return score


def split_cves(text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """(CVE IDs in order without repeats, tokens that are not CVE IDs) from a list in text."""
    found: list[str] = []
    rejected: list[str] = []
    for token in _CVE_SPLIT.split((text or "").strip()):
        upper = token.upper()
        if upper in _NO_CVE:
            continue
        if _CVE.match(upper):
            if upper not in found:
                found.append(upper)
        else:
            rejected.append(token)
    return tuple(found), rejected


def iso_date(text: str | None) -> dt.date | None:
    """The date of "YYYY-MM-DD" or an ISO date-time starting with it; else None."""
    match = _ISO_DATE.match(text or "")
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def ctime_date(text: str | None) -> dt.date | None:
    """The date of a C ctime() stamp, "Tue Jun 25 10:39:42 2013" (Nessus, old OpenVAS).

    A regex rather than strptime: it is locale-independent and several times faster, and
    Nessus stamps every host of a scan.
    """
    match = _CTIME.match(text or "")
    if match is None or match.group(1).lower() not in _MONTHS:
        return None
    try:
        month = _MONTHS.index(match.group(1).lower()) + 1
        return dt.date(int(match.group(3)), month, int(match.group(2)))
    except ValueError:
        return None


def parse_bool(text: str) -> bool | None:
    """true/false, yes/no, y/n, 1/0 in any case; blank -> None; else ValueError."""
    value = text.strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text.strip()!r} is not true/false, yes/no or 1/0")


def parse_port(text: str) -> tuple[int | None, str | None]:
    """(port, protocol) from "443", "443/tcp", "general/tcp" or blank; bad numbers: ValueError."""
    value = text.strip()
    number, _, protocol = value.partition("/")
    number = number.strip()
    proto = protocol.strip().lower() or None
    if not number or number.lower() == "general":
        return None, proto
    if not number.isdigit() or int(number) > 65535:
        raise ValueError(f"{value!r} is not a port number (0-65535)")
    return (int(number) or None), proto


# ---- CSV reading --------------------------------------------------------------------------


def column_key(name: str) -> str:
    """How header names are matched: lower case, runs of other characters as one "_"."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _decode_error_line(path: Path) -> int:
    """The first physical line that is not UTF-8 (the text layer decodes ahead of csv)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                return number
    return 1  # not reached: the text layer found an error somewhere


def csv_rows(path: Path, progress: Progress | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line of the record, cells) for every CSV record of a UTF-8 file.

    Decoding and csv errors become ImportError_ with the line; progress gets bytes read.
    """
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read ({exc.strerror})") from None
    # The text layer reads the binary handle, so raw.tell() is how far the file is consumed.
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        start = 1
        count = 0
        try:
            for row in reader:
                yield start, row
                start = reader.line_num + 1
                count += 1
                if progress is not None and count % _PROGRESS_EVERY == 0:
                    progress(raw.tell())
        except UnicodeDecodeError:
            fail(
                path,
                "cannot import",
                "not UTF-8 (save/export as UTF-8)",
                line=_decode_error_line(path),
            )
        except csv.Error as exc:
            # The record's first line: an unclosed quote makes line_num run far past it.
            hint = " (an unclosed quote?)" if "field limit" in str(exc) else ""
            fail(path, "not readable CSV", f"{exc}{hint}", line=start)
        if progress is not None:
            progress(raw.tell())


def header_index(header: Sequence[str]) -> dict[str, int]:
    """Normalised column name -> position (the first of repeated names wins)."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(column_key(name), position)
    return index


def require_columns(
    path: Path, header: Sequence[str], index: dict[str, int], required: Sequence[str], line: int
) -> None:
    """Raise naming the first required column that is absent and listing those found."""
    for name in required:
        if column_key(name) not in index:
            found = ", ".join(repr(h.strip()) for h in header if h.strip()) or "none"
            fail(
                path,
                f"missing required column {name!r}",
                f"required column {name!r} is missing; columns found: {found}",
                line=line,
                where=name,
            )


def check_width(path: Path, row: Sequence[str], width: int, line: int) -> None:
    """A row shorter than the header means a truncated or hand-damaged file."""
    if len(row) < width:
        fail(
            path,
            "row shorter than the header",
            f"row has {len(row)} cells but the header has {width}; is the file truncated?",
            line=line,
        )


def is_blank(row: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in row)


def head_rows(head: bytes, limit: int) -> list[list[str]]:
    """The first complete CSV rows of a file's head, for sniffing (never raises)."""
    text = head.decode("utf-8-sig", errors="replace")
    cut = text.rfind("\n")
    text = text[: cut + 1] if cut >= 0 else text  # the head may end inside a row
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def xml_root_tag(head: bytes) -> bytes | None:
    """The root element's name in a file's head: the first tag after prolog and DOCTYPE."""
    text = _XML_COMMENT.sub(b"", head)
    match = _XML_TAG.search(text)
    return match.group(1) if match else None


# ---- the generic importer -----------------------------------------------------------------


class GenericScanImporter:
    name = "generic"
    description = (
        "Generic findings CSV for any scanner: host, check_id, title, severity (+ optional "
        "port, protocol, hostname, cves, cvss3, cvss4, first_seen, last_seen, exploit flags)"
    )

    def sniff(self, head: bytes, path: Path) -> bool:
        rows = head_rows(head, 1)
        if not rows:
            return False
        columns = {column_key(name) for name in rows[0]}
        return all(name in columns for name in REQUIRED)

    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Finding]:
        rows = csv_rows(path, progress)
        header_line, header = next(rows, (1, []))
        if not header:
            fail(path, "empty file", "no header row; expected " + ", ".join(REQUIRED), line=1)
        index = header_index(header)
        require_columns(path, header, index, REQUIRED, header_line)
        for line, row in rows:
            if is_blank(row):
                continue
            check_width(path, row, len(header), line)
            yield self._finding(path, line, row, index)

    def _finding(self, path: Path, line: int, row: list[str], index: dict[str, int]) -> Finding:
        def cell(name: str) -> str:
            position = index.get(name)
            return row[position].strip() if position is not None else ""

        def bad(name: str, message: str) -> NoReturn:
            fail(path, f"bad value in column {name!r}", message, line=line, where=name)

        for name in REQUIRED:
            if not cell(name):
                bad(name, f"{name} is empty")
        severity = _WORDS.get(cell("severity").lower())
        if severity is None:
            try:
                score = parse_score(cell("severity"))
            except ValueError:
                score = None
            if score is None:
                bad(
                    "severity",
                    f"{cell('severity')!r} is not info, low, medium, high, critical "
                    "or a CVSS score 0-10",
                )
            severity = severity_from_score(score)
        try:
            port, port_protocol = parse_port(cell("port"))
        except ValueError as exc:
            bad("port", str(exc))
        cves, rejected = split_cves(cell("cves"))
        if rejected:
            bad("cves", f"{rejected[0]!r} is not a CVE ID (CVE-YYYY-NNNN)")
        scores: dict[str, float | None] = {}
        for name in ("cvss3", "cvss4"):
            try:
                scores[name] = parse_score(cell(name))
            except ValueError as exc:
                bad(name, str(exc))
        flags: dict[str, bool | None] = {}
        for name in ("exploit_available", "known_exploited"):
            try:
                flags[name] = parse_bool(cell(name))
            except ValueError as exc:
                bad(name, str(exc))
        return Finding(
            source=self.name,
            host=cell("host"),
            hostname=cell("hostname") or None,
            port=port,
            protocol=cell("protocol").lower() or port_protocol,
            check_id=cell("check_id"),
            title=" ".join(cell("title").split()),  # a wrapped cell is still one title
            severity=severity,
            cves=cves,
            cvss3=scores["cvss3"],
            cvss4=scores["cvss4"],
            first_seen=iso_date(cell("first_seen")),
            last_seen=iso_date(cell("last_seen")),
            exploit_available=flags["exploit_available"],
            known_exploited=flags["known_exploited"],
            os=cell("os") or None,
        )


IMPORTER: Importer = GenericScanImporter()
