"""Scanner CSV exports read by one data-driven path: a ``ScanTable`` per product says which
headers mean which finding field, how its severity and state words read, and which headers
mark its exports; ``read_findings`` turns the rows into findings.

The tables themselves live with their scanner (``tenable_csv``, ``greenbone_csv``). Headers
compare as ``tabular.header_key`` does, the header row is found as for inventories (title rows
before it are skipped), a user mapping (``--map field=Header``) wins over the spellings, and
two columns with one read name are an error. Rows of one finding that follow each other (Nessus
writes a row per CVE) become one finding with all the CVEs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hicp.errors import ImportError_
from hicp.evidence.base import Progress
from hicp.evidence.columns import Row, Schema, read_table
from hicp.evidence.models import Finding, FindingState, Severity
from hicp.evidence.tabular import head_rows, header_key
from hicp.evidence.values import (
    optional_date,
    parse_bool,
    parse_port,
    parse_score,
    severity_from_score,
    split_cves,
)

# The finding fields a scan table can fill, and those a file must have a column for.
FIELDS = ("host", "hostname", "netbios", "os", "port", "protocol", "check_id", "title", "severity",
          "score", "cves", "cvss3", "cvss4", "first_seen", "last_seen", "seen",
          "exploit_available", "state")  # fmt: skip
REQUIRED = ("host", "check_id", "title", "severity")
SEVERITY_WORDS = {
    "none": Severity.INFO,
    "info": Severity.INFO,
    "informational": Severity.INFO,
    "log": Severity.INFO,
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "moderate": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}


@dataclass(frozen=True)
class ScanTable:
    """What one scanner's CSV export looks like."""

    source: str  # Finding.source: the scanner, the same as for its XML export
    what: str  # the export's name in messages
    spellings: Mapping[str, tuple[str, ...]]  # field -> headers that mean it, best first
    marks: tuple[frozenset[str], ...]  # header sets (as header_key) any one of which marks it
    levels: Mapping[str, Severity] = field(default_factory=dict)  # numeric severity words
    states: Mapping[str, FindingState | None] = field(default_factory=dict)
    skipped_states: frozenset[str] = frozenset()  # state words whose rows are not findings
    skipped_severities: frozenset[str] = frozenset()  # e.g. Greenbone's "False Positive"

    @property
    def schema(self) -> Schema:
        return Schema(
            fields={name: self.spellings.get(name, ()) for name in FIELDS},
            required_any=REQUIRED,
            required_all=REQUIRED,
        )

    def marked(self, cells: list[str], mapping: Mapping[str, str] | None = None) -> bool:
        """Whether a row is this product's header; a mapped column counts as its field's
        usual spelling, so a file with a renamed column is still recognised."""
        keys = {header_key(cell) for cell in cells}
        for name, header in (mapping or {}).items():
            if header_key(header) in keys:
                keys |= {header_key(spelling) for spelling in self.spellings.get(name, ())}
        return any(mark <= keys for mark in self.marks)

    def sniff(self, head: bytes, mapping: Mapping[str, str]) -> bool:
        """Whether one of the first rows is this product's header (and has mapped columns)."""
        for row in head_rows(head):
            if self.marked(row, mapping):
                columns = self.schema.match(row, mapping)
                return all(name in columns for name in mapping)
        return False


def read_findings(
    table: ScanTable, path: Path, mapping: Mapping[str, str], progress: Progress | None
) -> Iterator[Finding]:
    """The findings of a CSV (or .xlsx) export described by ``table``, streamed."""
    pending: Finding | None = None
    for row in read_table(path, table.schema, mapping, progress):
        finding = _finding(table, row)
        if finding is None:
            continue
        if pending is not None and pending.key == finding.key:
            cves = tuple(dict.fromkeys((*pending.cves, *finding.cves)))
            pending = pending.model_copy(update={"cves": cves})
            continue
        if pending is not None:
            yield pending
        pending = finding
    if pending is not None:
        yield pending


def _finding(table: ScanTable, row: Row) -> Finding | None:
    state_word = (row.text("state") or "").casefold()
    if state_word in table.skipped_states:
        return None
    if state_word and state_word not in table.states:
        raise row.error(
            "state",
            f"{row.text('state')!r} is not a state of a {table.what} "
            f"({', '.join(sorted({*table.states, *table.skipped_states}))})",
        )
    # Raw, not row.text: "None" is Nessus's word for an informational finding, not a blank.
    severity_text = str(row.raw("severity") or "").strip()
    if severity_text.casefold() in table.skipped_severities:
        return None
    for name in REQUIRED:
        if (severity_text if name == "severity" else row.text(name)) is None or (
            name == "severity" and not severity_text
        ):
            raise row.error(name, f"{name} is empty")
    score = _score(row, "score")
    severity = _severity(table, row, score)
    if severity is None:
        return None
    try:
        port, port_protocol = parse_port(row.text("port") or "")
    except ValueError as exc:
        raise row.error("port", str(exc)) from None
    seen = optional_date(row.raw("seen"))
    try:
        exploit = parse_bool(row.raw("exploit_available"))
    except ValueError:
        exploit = None  # a vendor word we do not know says nothing either way
    return Finding(
        source=table.source,
        host=row.text("host") or "",
        hostname=row.text("hostname") or row.text("netbios"),  # a blank DNS name falls back
        os=_first_line(row.text("os")),
        port=port,
        protocol=(row.text("protocol") or "").lower() or port_protocol,
        check_id=row.text("check_id") or "",
        title=" ".join((row.text("title") or "").split()),
        severity=severity,
        cves=split_cves(row.text("cves"))[0],
        cvss3=_score(row, "cvss3") or (score if score else None),
        cvss4=_score(row, "cvss4"),
        first_seen=optional_date(row.raw("first_seen")) or seen,
        last_seen=optional_date(row.raw("last_seen")) or seen,
        exploit_available=exploit,
        state=table.states.get(state_word) if state_word else None,
    )


def _severity(table: ScanTable, row: Row, score: float | None) -> Severity | None:
    """The row's severity: its score when the table has one, else its word or level.

    None: the row is skipped (a negative score, which Greenbone gives false positives).
    """
    if score is not None:
        return None if score < 0 else severity_from_score(score)
    text = str(row.raw("severity") or "").strip()
    word = text.casefold()
    found = SEVERITY_WORDS.get(word) or table.levels.get(word)
    if found is None:
        allowed = ", ".join([*(w.capitalize() for w in SEVERITY_WORDS), *table.levels])
        raise row.error("severity", f"{text!r} is not a severity of a {table.what} ({allowed})")
    return found


def _score(row: Row, name: str) -> float | None:
    text = row.text(name)
    if text is not None and text.startswith("-") and name == "score":
        return -1.0  # Greenbone's false positive (-1) and debug (-2, -3) rows
    try:
        return parse_score(text)
    except ValueError as exc:
        raise row.error(name, str(exc)) from None


def _first_line(text: str | None) -> str | None:
    return text.splitlines()[0].strip() or None if text else None


def refuse_mapping(path: Path, what: str) -> ImportError_:
    """The error for --map given with an XML export, which has no columns to map."""
    return ImportError_(f"{path}: --map applies to CSV exports; a {what} has no columns")
