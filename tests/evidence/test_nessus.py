"""The Nessus importer, on the project's own .nessus fixtures and on a real export."""

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
from hicp.evidence.nessus import IMPORTER
from hicp.evidence.store import EvidenceStore
from tests.evidence import files
from tests.evidence.files import (
    FIXTURES,
    GENERIC_FINDINGS,
    NESSUS_SCAN,
    OPENVAS_REPORTS,
    QUALYS_EXPORTS,
    SAMPLES,
    needs_samples,
    stored_findings,
)

OTHER_FORMATS = [*OPENVAS_REPORTS, *QUALYS_EXPORTS, GENERIC_FINDINGS]
sniff = partial(files.sniff, IMPORTER)


def read(path: Path) -> list[Finding]:
    findings = list(IMPORTER.read(path))
    assert all(isinstance(f, Finding) for f in findings)
    return findings


def by_check(path: Path) -> dict[str, Finding]:
    return {f.check_id: f for f in read(path)}


def test_the_clinic_scan_yields_one_finding_per_report_item_of_every_severity() -> None:
    findings = read(NESSUS_SCAN)
    assert len(findings) == NESSUS_SCAN.read_text().count("<ReportItem ")
    assert Counter(f.severity for f in findings) == {
        Severity.CRITICAL: 2,
        Severity.HIGH: 1,
        Severity.MEDIUM: 2,
        Severity.LOW: 2,
        Severity.INFO: 1,
    }
    assert {f.host for f in findings} == {"10.20.0.15", "10.20.5.40", "10.20.9.9"}
    assert all(f.source == "nessus" for f in findings)


def test_a_critical_item_carries_its_cves_scores_and_exploit_flags() -> None:
    smb = by_check(NESSUS_SCAN)["97833"]
    assert smb.host == "10.20.0.15"
    assert smb.hostname == "pacs01.maple-clinic.local"
    assert (smb.port, smb.protocol) == (445, "tcp")
    assert smb.title.startswith("MS17-010")
    assert smb.severity is Severity.CRITICAL
    assert smb.cves == ("CVE-2017-0143", "CVE-2017-0144")
    assert smb.cvss3 == 8.1  # the v2 score beside it is not taken for v3
    assert smb.cvss4 is None
    assert smb.exploit_available is True
    assert smb.known_exploited is True
    assert smb.os == "Microsoft Windows Server 2012 R2 Standard"
    assert smb.first_seen == smb.last_seen == dt.date(2026, 9, 15)


def test_flags_absent_from_an_item_stay_unknown_and_false_stays_false() -> None:
    findings = by_check(NESSUS_SCAN)
    assert findings["42873"].exploit_available is False
    assert findings["42873"].known_exploited is None
    assert findings["30218"].exploit_available is None


def test_the_medical_device_gets_its_cvss4_score_and_first_os_line() -> None:
    pump = by_check(NESSUS_SCAN)
    urgent11 = pump["127123"]
    assert urgent11.hostname == "infusion-pump-07.biomed.maple-clinic.local"
    assert urgent11.cvss3 == 9.8
    assert urgent11.cvss4 == 9.3
    assert urgent11.os == "VxWorks 6.9"  # Nessus lists OS guesses one a line
    assert pump["41028"].protocol == "udp"


def test_informational_items_are_imported_with_severity_info_and_port_zero_is_no_port() -> None:
    info = by_check(NESSUS_SCAN)["19506"]
    assert info.severity is Severity.INFO
    assert info.port is None
    assert info.protocol == "tcp"


def test_a_host_without_host_ip_uses_its_report_host_name_and_timestamp() -> None:
    bare = by_check(NESSUS_SCAN)["70658"]
    assert bare.host == "10.20.9.9"
    assert bare.hostname is None
    assert bare.first_seen == dt.date(2026, 9, 16)  # HOST_END_TIMESTAMP 1789567200 (UTC)


def test_host_properties_apply_even_when_they_follow_the_items(tmp_path: Path) -> None:
    text = NESSUS_SCAN.read_text()
    props = re.search(r"<HostProperties>.*?</HostProperties>\n", text, re.DOTALL)
    assert props is not None
    moved = text.replace(props.group(0), "", 1).replace(
        "</ReportHost>", props.group(0) + "</ReportHost>", 1
    )
    path = tmp_path / "late-properties.nessus"
    path.write_text(moved)
    assert read(path) == read(NESSUS_SCAN)


def test_sniff_accepts_nessus_exports_and_detection_picks_nessus() -> None:
    assert sniff(NESSUS_SCAN)
    assert detect(NESSUS_SCAN) is IMPORTER


@pytest.mark.parametrize("path", OTHER_FORMATS, ids=lambda p: p.name)
def test_sniff_rejects_the_other_formats(path: Path) -> None:
    assert not sniff(path)


def test_a_truncated_file_is_an_error_with_its_line() -> None:
    path = FIXTURES / "nessus" / "truncated.nessus"
    with pytest.raises(ImportError_) as caught:
        read(path)
    problem = caught.value.problems[0]
    assert problem.file == path
    assert problem.line == 61
    assert "truncated" in str(caught.value)


def test_a_file_in_the_wrong_encoding_is_a_clear_error_with_its_line() -> None:
    path = FIXTURES / "nessus" / "latin1.nessus"
    with pytest.raises(ImportError_) as caught:
        read(path)
    assert caught.value.problems[0].line == 35
    assert "encoding" in str(caught.value)


def test_a_report_item_without_its_plugin_id_is_named_with_its_line() -> None:
    with pytest.raises(ImportError_) as caught:
        read(FIXTURES / "nessus" / "missing_plugin_id.nessus")
    problem = caught.value.problems[0]
    assert (problem.line, problem.where) == (50, "ReportItem@pluginID")
    assert "pluginID" in problem.message


def test_a_severity_outside_0_to_4_is_an_error_naming_the_attribute() -> None:
    with pytest.raises(ImportError_) as caught:
        read(FIXTURES / "nessus" / "bad_severity.nessus")
    problem = caught.value.problems[0]
    assert (problem.line, problem.where) == (50, "ReportItem@severity")
    assert "'High'" in problem.message


def test_progress_is_reported_up_to_the_whole_file() -> None:
    seen: list[int] = []
    list(IMPORTER.read(NESSUS_SCAN, seen.append))
    assert seen
    assert seen == sorted(seen)
    assert seen[-1] == NESSUS_SCAN.stat().st_size


def test_a_truncated_file_stores_nothing(tmp_path: Path) -> None:
    path = FIXTURES / "nessus" / "truncated.nessus"
    with EvidenceStore(tmp_path / "e.db") as store, pytest.raises(ImportError_):
        store.store(path, "nessus", IMPORTER.read(path))
    assert stored_findings(tmp_path / "e.db") == 0


def test_importing_the_fixture_twice_stores_it_once(tmp_path: Path) -> None:
    with EvidenceStore(tmp_path / "e.db") as store:
        first = store.store(NESSUS_SCAN, "nessus", IMPORTER.read(NESSUS_SCAN))
        second = store.store(NESSUS_SCAN, "nessus", IMPORTER.read(NESSUS_SCAN))
    assert first.records == 8
    assert second.already_imported
    assert stored_findings(tmp_path / "e.db") == 8


def test_a_later_scan_of_the_same_findings_updates_rather_than_double_counts(
    tmp_path: Path,
) -> None:
    later = tmp_path / "later.nessus"
    later.write_text(
        NESSUS_SCAN.read_text().replace("Sep 15 14:02:11 2026", "Sep 22 14:02:11 2026")
    )
    with EvidenceStore(tmp_path / "e.db") as store:
        store.store(NESSUS_SCAN, "nessus", IMPORTER.read(NESSUS_SCAN))
        result = store.store(later, "nessus", IMPORTER.read(later))
        seen = store.db.execute(
            "SELECT first_seen, last_seen FROM findings WHERE check_id = '97833'"
        ).fetchone()
    assert result.records == 8 and not result.already_imported
    assert stored_findings(tmp_path / "e.db") == 8
    assert seen == ("2026-09-15", "2026-09-22")


@needs_samples
def test_the_real_sample_imports_every_report_item_once(tmp_path: Path) -> None:
    path = SAMPLES / "nessus_many_vuln.nessus"
    text = path.read_text(encoding="utf-8")
    items = [
        dict(re.findall(r'(\w+)="([^"]*)"', a)) for a in re.findall(r"<ReportItem ([^>]*)>", text)
    ]
    keys = {(i["port"], i["protocol"], i["pluginID"]) for i in items}  # one host in this file
    findings = read(path)
    assert len(findings) == len(items) == 7
    assert {f.host for f in findings} == {"12.233.108.201"}
    assert {f.severity for f in findings} == {Severity.INFO}
    assert findings[0].os == "CISCO PIX 7.0"
    assert findings[0].first_seen == dt.date(2013, 6, 25)
    with EvidenceStore(tmp_path / "e.db") as store:
        first = store.store(path, "nessus", IMPORTER.read(path))
        again = store.store(path, "nessus", IMPORTER.read(path))
    assert first.records == len(items)
    assert again.already_imported
    assert stored_findings(tmp_path / "e.db") == len(keys)
