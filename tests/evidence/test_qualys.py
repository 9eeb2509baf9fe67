"""The Qualys importer: CSV exports, XML scan reports and asset data reports."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import detect
from hicp.evidence.models import Finding, Severity
from hicp.evidence.qualys import IMPORTER
from hicp.evidence.store import EvidenceStore
from tests.evidence import files
from tests.evidence.files import (
    FIXTURES,
    GENERIC_FINDINGS,
    NESSUS_SCAN,
    OPENVAS_REPORTS,
    QUALYS_ASSETS,
    QUALYS_CSV,
    QUALYS_EXPORTS,
    QUALYS_SCAN,
    SAMPLES,
    needs_samples,
    stored_findings,
)

QUALYS = FIXTURES / "qualys"
OTHER_FORMATS = [NESSUS_SCAN, *OPENVAS_REPORTS, GENERIC_FINDINGS]
sniff = partial(files.sniff, IMPORTER)


def read(path: Path) -> list[Finding]:
    return list(IMPORTER.read(path))


def by_key(path: Path) -> dict[tuple[str, str], Finding]:
    return {(f.host, f.check_id): f for f in read(path)}


# ---- CSV ------------------------------------------------------------------------------------


def test_the_csv_export_skips_its_metadata_rows_and_fixed_findings() -> None:
    findings = read(QUALYS_CSV)
    assert len(findings) == 6  # 7 rows after the header, one of them Fixed
    assert ("10.30.3.5", "105782") not in by_key(QUALYS_CSV)
    assert Counter(f.severity for f in findings) == {
        Severity.CRITICAL: 1,
        Severity.HIGH: 2,
        Severity.MEDIUM: 1,
        Severity.LOW: 1,
        Severity.INFO: 1,
    }
    assert all(f.source == "qualys" for f in findings)


def test_a_csv_row_maps_ip_dns_qid_title_cves_cvss3_dates_and_exploitability() -> None:
    update = by_key(QUALYS_CSV)[("10.30.1.10", "91840")]
    assert update.hostname == "emr01.maple-clinic.local"
    assert update.os == "Windows Server 2019 Standard"
    assert update.title == "Microsoft Windows Security Update for September 2026"
    assert update.severity is Severity.CRITICAL  # Qualys 5 (Urgent)
    assert (update.port, update.protocol) == (None, None)
    assert update.cves == ("CVE-2026-21001", "CVE-2026-21002")
    assert update.cvss3 == 9.8  # from "9.8 (AV:N/...)"
    assert update.first_seen == dt.date(2026, 8, 12)  # MM/DD/YYYY
    assert update.last_seen == dt.date(2026, 9, 15)
    assert update.exploit_available is True
    assert update.known_exploited is None


def test_the_medical_device_rows_keep_ports_and_information_gathered_is_info() -> None:
    findings = by_key(QUALYS_CSV)
    dicom = findings[("10.30.2.12", "87000")]
    assert dicom.hostname == "dicom-ct01.radiology.maple-clinic.local"
    assert (dicom.port, dicom.protocol, dicom.severity) == (104, "tcp", Severity.HIGH)
    assert dicom.exploit_available is False  # the Exploitability column is there and empty
    assert findings[("10.30.2.12", "45038")].severity is Severity.INFO  # Type Ig, level 1
    assert findings[("10.30.3.5", "370950")].hostname == "NURSE-WS05"  # no DNS: NetBIOS
    assert findings[("10.30.3.5", "370950")].cves == (
        "CVE-2026-7001",
        "CVE-2026-7002",
        "CVE-2026-7003",
    )


@pytest.mark.parametrize(
    ("level", "severity"),
    [
        ("1", Severity.INFO),
        ("2", Severity.LOW),
        ("3", Severity.MEDIUM),
        ("4", Severity.HIGH),
        ("5", Severity.CRITICAL),
    ],
)
def test_qualys_levels_map_one_to_five_onto_info_to_critical(
    tmp_path: Path, level: str, severity: Severity
) -> None:
    path = tmp_path / "one.csv"
    path.write_text(f'"IP","QID","Title","Severity"\n"10.0.0.1","1","t","{level}"\n')
    assert read(path)[0].severity is severity


def test_a_csv_without_a_required_column_names_it_and_lists_the_columns_found() -> None:
    path = QUALYS / "missing_severity.csv"
    with pytest.raises(ImportError_) as caught:
        read(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line, problem.where) == (path, 6, "Severity")
    assert "'Severity' is missing" in problem.message
    assert "'QID'" in problem.message and "'Sev'" in problem.message


def test_a_csv_without_any_qualys_header_row_says_what_it_looked_for() -> None:
    with pytest.raises(ImportError_) as caught:
        read(FIXTURES / "generic" / "findings.csv")
    assert "IP, QID, Title, Severity" in str(caught.value)


def test_a_truncated_csv_is_an_error_with_the_line_of_the_cut_row() -> None:
    with pytest.raises(ImportError_) as caught:
        read(QUALYS / "truncated.csv")
    assert caught.value.problems[0].line == 11
    assert "truncated" in str(caught.value)


def test_a_csv_that_is_not_utf8_is_a_clear_error_with_its_line() -> None:
    with pytest.raises(ImportError_) as caught:
        read(QUALYS / "latin1.csv")
    assert caught.value.problems[0].line == 10
    assert "not UTF-8 (save/export as UTF-8)" in str(caught.value)


def test_a_bad_severity_in_the_csv_is_named_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('"IP","QID","Title","Severity"\n"10.0.0.1","1","t","9"\n')
    with pytest.raises(ImportError_) as caught:
        read(path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.where) == (2, "Severity")


# ---- XML ------------------------------------------------------------------------------------


def test_the_scan_report_yields_vulns_potential_vulns_and_information_gathered() -> None:
    findings = by_key(QUALYS_SCAN)
    assert len(findings) == 5
    smb = findings[("10.30.1.10", "91345")]
    assert smb.hostname == "emr01.maple-clinic.local"
    assert smb.os == "Windows Server 2019 Standard"
    assert (smb.port, smb.protocol) == (445, "tcp")
    assert smb.title == "Microsoft SMB Server Remote Code Execution Vulnerability (MS17-010)"
    assert smb.severity is Severity.CRITICAL
    assert smb.cves == ("CVE-2017-0143", "CVE-2017-0144")
    assert smb.cvss3 == 8.1
    assert smb.exploit_available is True
    assert smb.first_seen == smb.last_seen == dt.date(2026, 9, 15)  # the scan's DATE
    assert findings[("10.30.1.10", "38173")].cvss3 is None  # '-'
    assert findings[("10.30.1.10", "45038")].severity is Severity.INFO
    device = findings[("10.30.2.12", "87000")]
    assert device.hostname is None  # "No registered hostname"
    assert (device.port, device.severity) == (104, Severity.HIGH)


def test_the_asset_data_report_joins_hosts_to_the_glossary_that_follows_them() -> None:
    findings = by_key(QUALYS_ASSETS)
    assert len(findings) == 4  # the Fixed VULN_INFO is skipped
    smb = findings[("10.30.1.10", "91345")]
    assert smb.title.startswith("Microsoft SMB Server")
    assert (smb.severity, smb.cvss3, smb.exploit_available) == (Severity.CRITICAL, 8.1, True)
    assert smb.cves == ("CVE-2017-0143", "CVE-2017-0144")
    assert (smb.first_seen, smb.last_seen) == (dt.date(2026, 6, 2), dt.date(2026, 9, 15))
    assert findings[("10.30.1.10", "45038")].severity is Severity.INFO
    dicom = findings[("10.30.2.12", "87000")]
    assert dicom.last_seen == dt.date(2026, 9, 15)  # no LAST_FOUND: the host's last scan
    assert (dicom.port, dicom.protocol, dicom.os) == (104, "tcp", "Embedded Linux")


def test_a_qid_missing_from_the_glossary_is_an_error_with_its_line() -> None:
    with pytest.raises(ImportError_) as caught:
        read(QUALYS / "glossary_missing_qid.xml")
    problem = caught.value.problems[0]
    assert (problem.line, problem.where) == (54, "VULN_INFO/QID")
    assert "87000" in problem.message


def test_a_truncated_scan_report_is_an_error_and_stores_nothing(tmp_path: Path) -> None:
    path = QUALYS / "truncated_scan.xml"
    with EvidenceStore(tmp_path / "e.db") as store, pytest.raises(ImportError_) as caught:
        store.store(path, "qualys", IMPORTER.read(path))
    assert caught.value.problems[0].line == 56
    assert stored_findings(tmp_path / "e.db") == 0


def test_a_scan_report_in_the_wrong_encoding_is_a_clear_error() -> None:
    with pytest.raises(ImportError_) as caught:
        read(QUALYS / "latin1_scan.xml")
    assert caught.value.problems[0].line == 40
    assert "encoding" in str(caught.value)


def test_another_xml_root_is_refused_with_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<?xml version='1.0'?><VULNS/>")
    with pytest.raises(ImportError_) as caught:
        read(path)
    assert "<SCAN>" in str(caught.value) and "<ASSET_DATA_REPORT>" in str(caught.value)


# ---- both -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", QUALYS_EXPORTS, ids=lambda p: p.name)
def test_sniff_accepts_all_three_qualys_shapes_and_detection_picks_qualys(path: Path) -> None:
    assert sniff(path)
    assert detect(path) is IMPORTER


@pytest.mark.parametrize("path", OTHER_FORMATS, ids=lambda p: p.name)
def test_sniff_rejects_the_other_formats(path: Path) -> None:
    assert not sniff(path)


@pytest.mark.parametrize("path", QUALYS_EXPORTS, ids=lambda p: p.name)
def test_progress_is_reported_up_to_the_whole_file(path: Path) -> None:
    seen: list[int] = []
    list(IMPORTER.read(path, seen.append))
    assert seen and seen == sorted(seen)
    assert seen[-1] == path.stat().st_size


@pytest.mark.parametrize("path", QUALYS_EXPORTS, ids=lambda p: p.name)
def test_importing_a_fixture_twice_stores_it_once(tmp_path: Path, path: Path) -> None:
    with EvidenceStore(tmp_path / "e.db") as store:
        first = store.store(path, "qualys", IMPORTER.read(path))
        second = store.store(path, "qualys", IMPORTER.read(path))
    assert second.already_imported
    assert stored_findings(tmp_path / "e.db") == first.records == len(read(path))


@needs_samples
def test_the_real_sample_csv_imports_every_open_row_once(tmp_path: Path) -> None:
    path = SAMPLES / "qualys_sample_report.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Vuln Status"] != "Fixed"]
    keys = {(r["IP"], r["Port"], r["Protocol"], r["QID"]) for r in rows}
    findings = read(path)
    assert len(findings) == len(rows) == 6
    assert [f.check_id for f in findings] == [r["QID"] for r in rows]
    assert {f.severity for f in findings} == {Severity.CRITICAL}  # every row is level 5
    assert findings[2].cves == tuple(c.strip() for c in rows[2]["CVE ID"].split(","))
    assert findings[0].cvss3 == 8.1
    with EvidenceStore(tmp_path / "e.db") as store:
        first = store.store(path, "qualys", IMPORTER.read(path))
        again = store.store(path, "qualys", IMPORTER.read(path))
    assert first.records == len(rows)
    assert again.already_imported
    assert stored_findings(tmp_path / "e.db") == len(keys)


def test_a_vmdr_report_with_its_preamble_reads_status_as_state() -> None:
    from hicp.evidence.models import FindingState

    path = FIXTURES / "qualys" / "vmdr_report.csv"
    assert detect(path).name == "qualys"
    findings = {f.check_id: f for f in IMPORTER.read(path)}
    assert sorted(findings) == ["105170", "38794", "45038", "91345"]  # "Fixed" 90882 skipped
    assert findings["91345"].state is FindingState.OPEN
    assert findings["105170"].state is FindingState.REOPENED
    assert findings["38794"].state is FindingState.OPEN  # New
    smb = findings["91345"]
    assert smb.cves == ("CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145")
    assert (smb.cvss3, smb.exploit_available, smb.port) == (8.1, True, 445)
    assert (smb.first_seen, smb.last_seen) == (dt.date(2026, 3, 2), dt.date(2026, 10, 14))
    assert findings["45038"].severity is Severity.INFO  # information gathered


def test_an_asset_data_report_reads_vuln_status_as_state_and_none_as_unknown() -> None:
    from hicp.evidence.models import FindingState

    states = {
        f.check_id: f.state for f in IMPORTER.read(FIXTURES / "qualys" / "clinic_asset_data.xml")
    }
    assert states["91345"] is FindingState.OPEN
    assert states["38739"] is FindingState.REOPENED
    assert states["45038"] is None  # no VULN_STATUS: the export says nothing
    assert "105782" not in states  # Fixed
