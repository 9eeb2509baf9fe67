"""The OpenVAS/Greenbone importer, on the project's own report fixtures and on a real export."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import detect
from hicp.evidence.models import Finding, Severity
from hicp.evidence.openvas import IMPORTER
from hicp.evidence.store import EvidenceStore
from tests.evidence import files
from tests.evidence.files import (
    FIXTURES,
    GENERIC_FINDINGS,
    NESSUS_SCAN,
    OPENVAS_OMP,
    OPENVAS_REPORT,
    QUALYS_EXPORTS,
    SAMPLES,
    needs_samples,
    stored_findings,
)

OTHER_FORMATS = [NESSUS_SCAN, *QUALYS_EXPORTS, GENERIC_FINDINGS]
sniff = partial(files.sniff, IMPORTER)


def read(path: Path) -> list[Finding]:
    return list(IMPORTER.read(path))


def by_check(path: Path) -> dict[str, Finding]:
    return {f.check_id.rsplit(".", 1)[-1]: f for f in read(path)}


def grab(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match.group(1)


def test_the_clinic_report_yields_each_result_of_every_severity_but_the_false_positive() -> None:
    findings = read(OPENVAS_REPORT)
    assert len(findings) == 6  # 7 results, one overridden to false positive (-1.0)
    assert Counter(f.severity for f in findings) == {
        Severity.CRITICAL: 1,
        Severity.HIGH: 1,
        Severity.MEDIUM: 2,
        Severity.LOW: 1,
        Severity.INFO: 1,
    }
    assert "105611" not in by_check(OPENVAS_REPORT)
    assert all(f.source == "openvas" for f in findings)


def test_a_result_maps_host_port_oid_title_cves_score_and_dates() -> None:
    ghostcat = by_check(OPENVAS_REPORT)["143545"]
    assert ghostcat.host == "10.20.0.15"
    assert ghostcat.hostname == "ehr-app01.maple-clinic.local"
    assert (ghostcat.port, ghostcat.protocol) == (8009, "tcp")
    assert ghostcat.check_id == "1.3.6.1.4.1.25623.1.0.143545"
    assert ghostcat.title == "Apache Tomcat AJP RCE Vulnerability (Ghostcat)"  # unwrapped
    assert ghostcat.severity is Severity.CRITICAL
    assert ghostcat.cves == ("CVE-2020-1938",)  # the url and cert-bund refs are not CVEs
    assert ghostcat.cvss3 == 9.8
    assert ghostcat.first_seen == dt.date(2026, 9, 14)
    assert ghostcat.last_seen == dt.date(2026, 9, 15)
    assert ghostcat.os is None


def test_the_medical_device_results_keep_their_ports_and_score_versions() -> None:
    findings = by_check(OPENVAS_REPORT)
    dicom = findings["900001"]
    assert dicom.hostname == "ct-scanner-02.radiology.maple-clinic.local"
    assert (dicom.port, dicom.severity, dicom.cvss3) == (104, Severity.HIGH, 7.5)
    assert dicom.last_seen == dicom.first_seen == dt.date(2026, 9, 15)  # empty modification
    hl7 = findings["900002"]
    assert (hl7.port, hl7.cvss3, hl7.cvss4) == (2575, None, 4.3)  # the NVT says CVSS v4


def test_general_ports_have_no_number_and_log_results_are_info_without_a_score() -> None:
    findings = by_check(OPENVAS_REPORT)
    assert (findings["80091"].port, findings["80091"].protocol) == (None, "tcp")
    log = findings["105937"]
    assert (log.severity, log.cvss3, log.hostname) == (Severity.INFO, None, None)


def test_an_older_omp_export_reads_cve_lists_ctime_dates_and_threat_only_results() -> None:
    findings = by_check(OPENVAS_OMP)
    assert len(findings) == 3
    samba = findings["108011"]
    assert samba.cves == ("CVE-2007-2447", "CVE-2007-2446")
    assert samba.first_seen == dt.date(2015, 8, 25)
    assert samba.last_seen == dt.date(2015, 8, 26)
    assert findings["100074"].cves == ()  # NOCVE
    ftp = findings["900600"]  # no <severity>: its threat and the NVT's base score
    assert (ftp.severity, ftp.cvss3) == (Severity.MEDIUM, 6.4)


def test_nested_results_in_detection_blocks_are_not_findings() -> None:
    assert len([f for f in read(OPENVAS_REPORT) if f.host == "10.20.0.15"]) == 2


@pytest.mark.parametrize(
    ("score", "severity"),
    [
        ("0.0", Severity.INFO),
        ("0.1", Severity.LOW),
        ("3.9", Severity.LOW),
        ("4.0", Severity.MEDIUM),
        ("6.9", Severity.MEDIUM),
        ("7.0", Severity.HIGH),
        ("8.9", Severity.HIGH),
        ("9.0", Severity.CRITICAL),
        ("10.0", Severity.CRITICAL),
    ],
)
def test_scores_map_onto_the_cvss_v3_rating_bands(
    tmp_path: Path, score: str, severity: Severity
) -> None:
    path = tmp_path / "one.xml"
    path.write_text(
        OPENVAS_OMP.read_text().replace("<severity>6.0</severity>", f"<severity>{score}</severity>")
    )
    assert by_check(path)["108011"].severity is severity


def test_sniff_accepts_both_report_shapes_and_detection_picks_openvas() -> None:
    assert sniff(OPENVAS_REPORT) and sniff(OPENVAS_OMP)
    assert detect(OPENVAS_REPORT) is IMPORTER


@pytest.mark.parametrize("path", OTHER_FORMATS, ids=lambda p: p.name)
def test_sniff_rejects_the_other_formats(path: Path) -> None:
    assert not sniff(path)


def test_sniff_rejects_another_tools_report_element(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?><report><issues><issue name="x"/></issues></report>')
    assert not sniff(path)


def test_a_truncated_report_is_an_error_with_its_line_and_stores_nothing(tmp_path: Path) -> None:
    path = FIXTURES / "openvas" / "truncated.xml"
    with EvidenceStore(tmp_path / "e.db") as store, pytest.raises(ImportError_) as caught:
        store.store(path, "openvas", IMPORTER.read(path))
    assert caught.value.problems[0].line == 129
    assert "truncated" in str(caught.value)
    assert stored_findings(tmp_path / "e.db") == 0


def test_a_report_in_the_wrong_encoding_is_a_clear_error_with_its_line() -> None:
    with pytest.raises(ImportError_) as caught:
        read(FIXTURES / "openvas" / "latin1.xml")
    assert caught.value.problems[0].line == 67
    assert "encoding" in str(caught.value)


def test_a_result_without_an_nvt_oid_is_named_with_its_line() -> None:
    with pytest.raises(ImportError_) as caught:
        read(FIXTURES / "openvas" / "missing_oid.xml")
    problem = caught.value.problems[0]
    assert (problem.line, problem.where) == (98, "result/nvt@oid")


def test_a_severity_that_is_not_a_score_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(
        OPENVAS_OMP.read_text().replace("<severity>6.0</severity>", "<severity>High</severity>")
    )
    with pytest.raises(ImportError_) as caught:
        read(path)
    assert "'High'" in caught.value.problems[0].message


def test_progress_is_reported_up_to_the_whole_file() -> None:
    seen: list[int] = []
    list(IMPORTER.read(OPENVAS_REPORT, seen.append))
    assert seen and seen == sorted(seen)
    assert seen[-1] == OPENVAS_REPORT.stat().st_size


def test_importing_the_fixture_twice_stores_it_once(tmp_path: Path) -> None:
    with EvidenceStore(tmp_path / "e.db") as store:
        first = store.store(OPENVAS_REPORT, "openvas", IMPORTER.read(OPENVAS_REPORT))
        second = store.store(OPENVAS_REPORT, "openvas", IMPORTER.read(OPENVAS_REPORT))
    assert (first.records, second.already_imported) == (6, True)
    assert stored_findings(tmp_path / "e.db") == 6


@needs_samples
def test_the_real_sample_imports_every_result_once(tmp_path: Path) -> None:
    path = SAMPLES / "openvas_many_vuln.xml"
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"<result id=.*?</result>", text, re.DOTALL)
    keys = {
        (grab(r"<host>([^<]*)", b).strip(), grab(r"<port>([^<]*)", b), grab(r'oid="([^"]*)"', b))
        for b in blocks
    }
    findings = read(path)
    assert len(findings) == len(blocks) == 44
    scores = [float(re.findall(r"<severity>([^<]*)</severity>", b)[-1]) for b in blocks]
    assert Counter(f.severity for f in findings) == {
        Severity.CRITICAL: sum(s >= 9 for s in scores),
        Severity.HIGH: sum(7 <= s < 9 for s in scores),
        Severity.MEDIUM: sum(4 <= s < 7 for s in scores),
    }
    assert {f.host for f in findings} == {"192.168.1.1001"}
    assert sum(len(f.cves) for f in findings) == text.count('type="cve"')
    with EvidenceStore(tmp_path / "e.db") as store:
        first = store.store(path, "openvas", IMPORTER.read(path))
        again = store.store(path, "openvas", IMPORTER.read(path))
    assert first.records == len(blocks)
    assert again.already_imported
    assert stored_findings(tmp_path / "e.db") == len(keys)


def _paged(tmp_path: Path, start: int, total: int, rows: int) -> Path:
    text = (FIXTURES / "openvas" / "clinic_report.xml").read_text()
    text = text.replace('<results start="1" max="-1">', f'<results start="{start}" max="{rows}">')
    text = text.replace(
        "<filtered>7</filtered></result_count>", f"<filtered>{total}</filtered></result_count>"
    )
    filters = f"<filters id='0'><term>apply_overrides=0 rows={rows} first={start}</term></filters>"
    text = text.replace("<scan_run_status>", filters + "<scan_run_status>", 1)
    path = tmp_path / "paged.xml"
    path.write_text(text)
    return path


def test_a_report_holding_one_page_of_its_results_fails_saying_how_to_export_all(
    tmp_path: Path,
) -> None:
    path = _paged(tmp_path, start=1, total=44, rows=8)
    with pytest.raises(ImportError_) as caught:
        read(path)
    message = str(caught.value)
    assert f"{path}: a partial Greenbone report" in message
    assert "holds results 1-7 of 44 (its filter says rows=8)" in message
    assert "add rows=-1 first=1 to the report's filter" in message


def test_a_report_starting_on_a_later_page_fails_and_nothing_is_stored(tmp_path: Path) -> None:
    path = _paged(tmp_path, start=11, total=7, rows=10)
    with EvidenceStore(tmp_path / "e.db") as store:
        with pytest.raises(ImportError_, match="holds results 11-17 of 7"):
            store.store(path, "openvas", IMPORTER.read(path))
        assert store.imported(files.file_sha(path)) is None


def test_a_report_with_every_result_its_count_promises_imports(tmp_path: Path) -> None:
    path = _paged(tmp_path, start=1, total=7, rows=-1)
    assert read(path) == read(FIXTURES / "openvas" / "clinic_report.xml")


def test_a_partial_report_imports_what_it_holds_when_partial_imports_are_allowed(
    tmp_path: Path,
) -> None:
    from hicp.evidence.base import partial_allowed

    path = _paged(tmp_path, start=1, total=44, rows=8)
    with partial_allowed() as notes:
        findings = read(path)
    assert findings == read(FIXTURES / "openvas" / "clinic_report.xml")
    assert len(notes) == 1
    assert "a partial Greenbone report" in notes[0]
    assert "holds results 1-7 of 44" in notes[0]
    with pytest.raises(ImportError_):  # outside the block, refused again
        read(path)
