"""Generic findings CSV for any scanner hicp has no importer of its own for.

The format (one finding a row, UTF-8, a header row first; header names are matched as
``tabular.header_key`` compares them, without regard to case, spaces, hyphens or underscores,
so "Check ID" is ``check_id``):

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
          first_seen  YYYY-MM-DD (an ISO date-time is cut to its date; the other forms of
                      ``values.parse_date`` are read too)
          last_seen   YYYY-MM-DD
          exploit_available, known_exploited   true/false, yes/no, 1/0 (and the other words
                      of ``values.parse_bool``; blank, "n/a" or "unknown" -> unknown)

Severity from a CVSS score uses the CVSS v3 qualitative scale: 0 info, 0.1-3.9 low,
4.0-6.9 medium, 7.0-8.9 high, 9.0-10 critical. A numeric severity does not fill cvss3, since
the file does not say which CVSS version it is. Unparseable first_seen/last_seen (optional)
become unknown; every other bad value is an error naming the line and column. Blank rows are
skipped; a row shorter than the header (a truncated file), or with values past its last
column (an unquoted comma), is an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NoReturn

from hicp.evidence.base import Importer, Progress, at_least_one
from hicp.evidence.models import Finding, Severity
from hicp.evidence.tabular import (
    HeaderRow,
    apply_mapping,
    check_fields,
    csv_rows,
    data_rows,
    fail,
    head_rows,
    header_key,
    locate_columns,
    mapped_cells,
)
from hicp.evidence.values import (
    optional_date,
    parse_bool,
    parse_port,
    parse_score,
    severity_from_score,
    split_cves,
)

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


class GenericScanImporter:
    name = "generic"
    description = (
        "Generic findings CSV for any scanner: host, check_id, title, severity (+ optional "
        "port, protocol, hostname, cves, cvss3, cvss4, first_seen, last_seen, exploit flags)"
    )

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = check_fields(mapping, (*REQUIRED, *OPTIONAL))

    def sniff(self, head: bytes, path: Path) -> bool:
        rows = head_rows(head, 1)
        if not rows:
            return False
        columns = {header_key(name) for name in mapped_cells(rows[0], self.mapping)}
        return all(header_key(name) in columns for name in REQUIRED)

    @at_least_one
    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Finding]:
        rows = csv_rows(path, progress)
        line, cells = next(rows, (1, []))
        if not cells:
            fail(path, "empty file", "no header row; expected " + ", ".join(REQUIRED), line=1)
        header = apply_mapping(path, HeaderRow(line, cells, recognised=True), self.mapping)
        columns = locate_columns(path, header, REQUIRED, OPTIONAL)
        for line, row in data_rows(path, rows, header.cells):
            yield self._finding(path, line, row, columns)

    def _finding(
        self, path: Path, line: int, row: list[str], columns: Mapping[str, int]
    ) -> Finding:
        def cell(name: str) -> str:
            position = columns.get(name)
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
            first_seen=optional_date(cell("first_seen")),
            last_seen=optional_date(cell("last_seen")),
            exploit_available=flags["exploit_available"],
            known_exploited=flags["known_exploited"],
            os=cell("os") or None,
        )


IMPORTER: Importer = GenericScanImporter()
