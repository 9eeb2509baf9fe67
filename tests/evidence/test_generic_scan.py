"""The generic findings CSV importer, for scanners hicp has no importer of its own for."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import detect
from hicp.evidence.generic_scan import IMPORTER
from hicp.evidence.models import Finding, Severity
from hicp.evidence.store import EvidenceStore
from tests.evidence import files
from tests.evidence.files import (
    FIXTURES,
    GENERIC_FINDINGS,
    NESSUS_SCAN,
    OPENVAS_REPORT,
    QUALYS_EXPORTS,
)

GENERIC = FIXTURES / "generic"
HEADER = "host,check_id,title,severity"
OTHER_FORMATS = [NESSUS_SCAN, OPENVAS_REPORT, *QUALYS_EXPORTS]
sniff = partial(files.sniff, IMPORTER)


def read(path: Path) -> list[Finding]:
    return list(IMPORTER.read(path))


def by_check(path: Path) -> dict[str, Finding]:
    return {f.check_id: f for f in read(path)}


def one_row(tmp_path: Path, header: str, row: str) -> Path:
    path = tmp_path / "findings.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    return path


def error_of(path: Path) -> ImportError_:
    with pytest.raises(ImportError_) as caught:
        read(path)
    return caught.value


def test_every_non_blank_row_is_a_finding_with_every_severity() -> None:
    findings = read(GENERIC_FINDINGS)
    assert len(findings) == 7  # 8 rows after the header, one blank
    assert Counter(f.severity for f in findings) == {
        Severity.CRITICAL: 1,
        Severity.HIGH: 2,
        Severity.MEDIUM: 1,
        Severity.LOW: 1,
        Severity.INFO: 2,
    }
    assert all(f.source == "generic" for f in findings)


def test_a_full_row_maps_every_column() -> None:
    bluekeep = by_check(GENERIC_FINDINGS)["RDP-BLUEKEEP"]
    assert bluekeep.host == "10.40.0.5"
    assert bluekeep.hostname == "fileserver.maple-clinic.local"
    assert (bluekeep.port, bluekeep.protocol) == (3389, "tcp")
    assert bluekeep.title == "Remote Desktop Services RCE (BlueKeep)"
    assert bluekeep.severity is Severity.CRITICAL
    assert bluekeep.cves == ("CVE-2019-0708",)
    assert (bluekeep.cvss3, bluekeep.cvss4) == (9.8, 9.3)
    assert (bluekeep.first_seen, bluekeep.last_seen) == (dt.date(2026, 8, 1), dt.date(2026, 9, 15))
    assert (bluekeep.exploit_available, bluekeep.known_exploited) == (True, True)
    assert bluekeep.os == "Windows Server 2016"


def test_the_medical_device_rows_read_quoted_and_multi_line_cells() -> None:
    findings = by_check(GENERIC_FINDINGS)
    creds = findings["WEB-DEFAULT-CREDS"]
    assert creds.title == "Patient monitor web console, default credentials"
    assert creds.severity is Severity.HIGH  # "High": case does not matter
    assert (creds.exploit_available, creds.known_exploited) == (True, False)  # 1 / 0
    eol = findings["OS-EOL"]
    assert eol.title == "Operating system past end of support (no vendor patches since 2021)"
    assert eol.severity is Severity.HIGH  # 7.2 as a CVSS score
    assert eol.cvss3 is None  # a numeric severity does not say which CVSS version it is
    assert eol.cves == ("CVE-2021-1111", "CVE-2021-2222", "CVE-2021-3333")
    assert eol.last_seen is None  # "not recorded": an optional date that does not parse
    assert eol.port is None and eol.exploit_available is None


def test_ports_accept_a_protocol_suffix_general_and_zero() -> None:
    findings = by_check(GENERIC_FINDINGS)
    assert (findings["SNMP-PUBLIC"].port, findings["SNMP-PUBLIC"].protocol) == (161, "udp")
    assert findings["HOST-UP"].port is None
    assert (findings["TCP-TS"].port, findings["TCP-TS"].protocol) == (None, "tcp")
    assert findings["TCP-TS"].first_seen == dt.date(2026, 9, 15)  # an ISO date-time


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        ("info", Severity.INFO),
        ("Informational", Severity.INFO),
        ("none", Severity.INFO),
        ("LOW", Severity.LOW),
        ("moderate", Severity.MEDIUM),
        ("critical", Severity.CRITICAL),
        ("0", Severity.INFO),
        ("3.9", Severity.LOW),
        ("4", Severity.MEDIUM),
        ("8.9", Severity.HIGH),
        ("9.0", Severity.CRITICAL),
        ("10", Severity.CRITICAL),
    ],
)
def test_severity_words_and_cvss_scores_map_onto_the_five_levels(
    tmp_path: Path, value: str, severity: Severity
) -> None:
    path = one_row(tmp_path, HEADER, f"10.0.0.1,X-1,t,{value}")
    assert read(path)[0].severity is severity


def test_header_names_match_whatever_their_case_spacing_or_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf HOST , Check-ID,Title ,Severity\r\n10.0.0.1,X-1,t,low\r\n")
    assert sniff(path)
    assert read(path)[0].check_id == "X-1"


def test_a_missing_required_column_is_named_with_the_columns_found() -> None:
    error = error_of(GENERIC / "missing_title.csv")
    problem = error.problems[0]
    assert (problem.line, problem.where) == (1, "title")
    assert "'title' is missing" in problem.message
    assert "'Name'" in problem.message and "'Check ID'" in problem.message


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("10.0.0.1,X-1,t,urgent", "severity"),
        ("10.0.0.1,X-1,t,11", "severity"),
        (",X-1,t,low", "host"),
        ("10.0.0.1,X-1,,low", "title"),
        ("10.0.0.1,X-1,t,low,https", "port"),
        ("10.0.0.1,X-1,t,low,70000", "port"),
        ("10.0.0.1,X-1,t,low,,maybe", "exploit_available"),
        ("10.0.0.1,X-1,t,low,,,CVE-2020-1 MS17-010", "cves"),
        ("10.0.0.1,X-1,t,low,,,,high", "cvss3"),
    ],
)
def test_a_bad_value_is_an_error_naming_its_line_and_column(
    tmp_path: Path, row: str, column: str
) -> None:
    path = one_row(tmp_path, HEADER + ",port,exploit_available,cves,cvss3", row)
    path.write_text(path.read_text().replace(row, row + "," * (8 - row.count(","))))
    problem = error_of(path).problems[0]
    assert (problem.file, problem.line, problem.where) == (path, 2, column)


def test_a_truncated_file_is_an_error_with_the_line_of_the_cut_row() -> None:
    error = error_of(GENERIC / "truncated.csv")
    assert error.problems[0].line == 7
    assert "truncated" in str(error)


def test_a_file_that_is_not_utf8_is_a_clear_error_with_its_line() -> None:
    error = error_of(GENERIC / "latin1.csv")
    assert error.problems[0].line == 2
    assert "not UTF-8 (save/export as UTF-8)" in str(error)


def test_an_empty_file_is_an_error_saying_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "host, check_id, title, severity" in str(error_of(path))


def test_a_csv_error_is_reported_with_its_line_not_a_traceback(tmp_path: Path) -> None:
    # An opening quote never closed swallows the rest of the file into one oversized cell.
    path = tmp_path / "quote.csv"
    rest = "10.0.0.9,X-9,t,low\n" * 8000
    path.write_text(f'{HEADER}\n10.0.0.1,X-1,t,low\n10.0.0.2,X-2,"broken,low\n{rest}')
    error = error_of(path)
    assert "the file ends inside a quoted cell that starts here" in str(error)
    assert error.problems[0].line == 3


def test_a_bad_row_stores_nothing(tmp_path: Path) -> None:
    path = GENERIC / "bad_severity.csv"
    with EvidenceStore(tmp_path / "e.db") as store, pytest.raises(ImportError_):
        store.store(path, "generic", IMPORTER.read(path))
    with EvidenceStore(tmp_path / "e.db") as store:
        assert store.db.execute("SELECT count(*) FROM findings").fetchone()[0] == 0


def test_importing_the_file_twice_stores_it_once(tmp_path: Path) -> None:
    with EvidenceStore(tmp_path / "e.db") as store:
        first = store.store(GENERIC_FINDINGS, "generic", IMPORTER.read(GENERIC_FINDINGS))
        second = store.store(GENERIC_FINDINGS, "generic", IMPORTER.read(GENERIC_FINDINGS))
        rows = store.db.execute("SELECT count(*) FROM findings").fetchone()[0]
    assert (first.records, second.already_imported, rows) == (7, True, 7)


def test_progress_is_reported_up_to_the_whole_file() -> None:
    seen: list[int] = []
    list(IMPORTER.read(GENERIC_FINDINGS, seen.append))
    assert seen and seen[-1] == GENERIC_FINDINGS.stat().st_size


def test_sniff_accepts_the_generic_header_and_detection_picks_generic() -> None:
    assert sniff(GENERIC_FINDINGS)
    assert detect(GENERIC_FINDINGS) is IMPORTER


@pytest.mark.parametrize("path", OTHER_FORMATS, ids=lambda p: p.name)
def test_sniff_rejects_the_other_formats(path: Path) -> None:
    assert not sniff(path)


@pytest.mark.parametrize(
    "header",
    [
        "host,check_id,title",  # no severity
        "hostname,ip,os,owner",  # an asset inventory
        "IP,QID,Title,Severity",  # Qualys
    ],
)
def test_sniff_rejects_a_csv_without_all_four_required_columns(tmp_path: Path, header: str) -> None:
    assert not sniff(one_row(tmp_path, header, "a,b,c,d"))


def test_sniff_only_looks_at_the_header_row(tmp_path: Path) -> None:
    path = tmp_path / "later.csv"
    path.write_text(f"report,2026\n{HEADER}\n10.0.0.1,X-1,t,low\n")
    assert not sniff(path)


def test_a_row_with_values_past_the_last_column_is_an_error(tmp_path: Path) -> None:
    error = error_of(one_row(tmp_path, HEADER, "10.0.0.1,X-1,Title, with a comma,low"))
    assert error.problems[0].line == 2
    assert "a comma without quotes" in str(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Yes", True), ("enabled", True), ("none", False), ("n/a", None), ("unknown", None)],
)
def test_exploit_flags_read_the_yes_no_words_of_every_importer(
    tmp_path: Path, value: str, expected: bool | None
) -> None:
    path = one_row(tmp_path, HEADER + ",exploit_available", f"10.0.0.1,X-1,t,low,{value}")
    assert read(path)[0].exploit_available is expected


def test_dates_in_the_forms_other_exports_write_are_read(tmp_path: Path) -> None:
    row = "10.0.0.1,X-1,t,low,09/15/2026 02:11:09,Tue Sep 22 14:02:11 2026"
    finding = read(one_row(tmp_path, HEADER + ",first_seen,last_seen", row))[0]
    assert (finding.first_seen, finding.last_seen) == (dt.date(2026, 9, 15), dt.date(2026, 9, 22))
