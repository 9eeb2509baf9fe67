"""Scanner CSV exports: Nessus, Tenable.io, Tenable.sc and Greenbone, read by one table path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import detect, importer
from hicp.evidence.models import Finding, FindingState, Severity
from tests.evidence.files import FIXTURES, problem, write

NESSUS_CSV = FIXTURES / "nessus" / "nessus_export.csv"
TENABLE_IO = FIXTURES / "nessus" / "tenable_io.csv"
TENABLE_SC = FIXTURES / "nessus" / "tenable_sc.csv"
GREENBONE_CSV = FIXTURES / "openvas" / "clinic_results.csv"


def read(kind: str, path: Path, **mapping: str) -> dict[tuple[str, str], Finding]:
    findings = list(importer(kind, mapping or None).read(path))
    by_key = {(f.host, f.check_id): f for f in findings}
    assert len(by_key) == len(findings)
    return by_key


def test_a_nessus_csv_merges_its_row_per_cve_into_one_finding() -> None:
    findings = read("nessus", NESSUS_CSV)
    assert len(findings) == 4
    smb = findings[("10.20.0.15", "97833")]
    assert smb.cves == ("CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145")
    assert (smb.port, smb.protocol, smb.severity, smb.cvss3) == (445, "tcp", Severity.CRITICAL, 8.1)
    assert smb.source == "nessus"  # the same scanner as its .nessus export


def test_nessus_risk_none_is_an_informational_finding_without_a_port() -> None:
    trace = read("nessus", NESSUS_CSV)[("10.20.6.21", "10287")]
    assert (trace.severity, trace.port, trace.protocol) == (Severity.INFO, None, "udp")
    assert trace.title == "Traceroute Information"


def test_tenable_io_states_and_dates_are_read_and_fixed_rows_are_not_findings() -> None:
    findings = read("nessus", TENABLE_IO)
    assert len(findings) == 4  # of 5 rows: the "Fixed" one is remediated, not present
    assert ("10.20.6.21", "35291") not in findings
    smb = findings[("10.20.0.15", "97833")]
    assert smb.state is FindingState.OPEN
    assert (smb.first_seen, smb.last_seen) == (dt.date(2026, 5, 2), dt.date(2026, 10, 14))
    assert smb.hostname == "fs01.clinic.local"
    assert smb.os == "Microsoft Windows Server 2012 R2 Standard"
    assert smb.exploit_available is True
    assert findings[("10.20.0.15", "108797")].state is FindingState.REOPENED
    assert findings[("10.20.6.21", "157288")].state is FindingState.OPEN


def test_tenable_sc_month_name_dates_and_exploit_words_are_read() -> None:
    findings = read("nessus", TENABLE_SC)
    smb = findings[("10.20.0.15", "97833")]
    assert (smb.first_seen, smb.last_seen) == (dt.date(2026, 3, 2), dt.date(2026, 10, 17))
    assert smb.exploit_available is True
    assert findings[("10.20.0.15", "42873")].exploit_available is False
    icmp = findings[("10.20.6.21", "10114")]
    assert (icmp.severity, icmp.protocol, icmp.cvss3) == (Severity.LOW, "icmp", None)
    assert icmp.hostname == "RAD-WS04"  # no DNS name in this row: the NetBIOS name stands in


def test_a_greenbone_csv_reads_scores_and_skips_false_positives() -> None:
    findings = read("openvas", GREENBONE_CSV)
    assert len(findings) == 3  # of 4 rows: the -1.0 false positive is not a finding
    smb = findings[("10.20.0.15", "1.3.6.1.4.1.25623.1.0.810676")]
    assert (smb.severity, smb.cvss3, smb.port) == (Severity.CRITICAL, 9.3, 445)
    assert smb.cves == ("CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145")
    assert smb.first_seen == smb.last_seen == dt.date(2026, 9, 15)
    os_log = findings[("10.20.6.21", "1.3.6.1.4.1.25623.1.0.105937")]
    assert (os_log.severity, os_log.cvss3, os_log.port) == (Severity.INFO, None, None)
    assert smb.source == "openvas"


@pytest.mark.parametrize(
    ("path", "kind"),
    [(NESSUS_CSV, "nessus"), (TENABLE_IO, "nessus"), (TENABLE_SC, "nessus"),
     (GREENBONE_CSV, "openvas")],
)  # fmt: skip
def test_each_scanner_csv_is_detected_as_its_scanner(path: Path, kind: str) -> None:
    assert detect(path).name == kind


def test_a_renamed_column_is_found_with_map(tmp_path: Path) -> None:
    text = TENABLE_IO.read_text().replace('"Plugin ID"', '"Check"', 1)
    path = write(tmp_path, text, "renamed.csv")
    with pytest.raises(ImportError_) as caught:
        list(importer("nessus").read(path))
    assert "no column for check_id" in problem(caught)
    assert '--map check_id="Column name"' in problem(caught)
    assert read("nessus", path, check_id="Check") == read("nessus", TENABLE_IO)
    assert detect(path, {"check_id": "Check"}).name == "nessus"


def test_map_with_an_unknown_field_lists_the_fields() -> None:
    with pytest.raises(ImportError_, match="no field 'plugin'; fields: host, hostname"):
        importer("nessus", {"plugin": "Plugin ID"})


def test_map_with_an_xml_export_is_refused() -> None:
    with pytest.raises(ImportError_, match="--map applies to CSV exports"):
        list(importer("nessus", {"host": "IP"}).read(FIXTURES / "nessus" / "clinic_scan.nessus"))


def test_a_severity_word_the_export_does_not_use_names_line_and_column(tmp_path: Path) -> None:
    text = TENABLE_SC.read_text().replace('"Low"', '"Urgent"', 1)
    path = write(tmp_path, text, "sc.csv")
    with pytest.raises(ImportError_) as caught:
        list(importer("nessus").read(path))
    assert problem(caught).startswith(f"{path}:4 [Severity]: 'Urgent' is not a severity")


def test_an_unknown_state_is_an_error_not_a_guess(tmp_path: Path) -> None:
    text = TENABLE_IO.read_text().replace('"Resurfaced"', '"Parked"')
    path = write(tmp_path, text, "io.csv")
    with pytest.raises(ImportError_) as caught:
        list(importer("nessus").read(path))
    assert "[State]: 'Parked' is not a state of a Tenable CSV export" in problem(caught)


def test_two_severity_columns_with_one_name_are_refused(tmp_path: Path) -> None:
    text = GREENBONE_CSV.read_text().replace('"QoD"', '"CVSS"', 1)
    path = write(tmp_path, text, "dup.csv")
    with pytest.raises(ImportError_) as caught:
        list(importer("openvas").read(path))
    assert "columns 5 ('CVSS') and 7 ('CVSS') have the same name" in problem(caught)


def test_map_names_a_renamed_column_of_a_generic_findings_csv(tmp_path: Path) -> None:
    from tests.evidence.files import GENERIC_FINDINGS

    original = list(importer("generic").read(GENERIC_FINDINGS))
    header, rest = GENERIC_FINDINGS.read_text().split("\n", 1)
    renamed = write(tmp_path, header.replace("Check ID", "Rule") + "\n" + rest, "g.csv")
    assert detect(renamed, {"check_id": "Rule"}).name == "generic"
    assert list(importer("generic", {"check_id": "Rule"}).read(renamed)) == original


def test_map_names_a_renamed_column_of_a_qualys_csv(tmp_path: Path) -> None:
    from tests.evidence.files import QUALYS_CSV

    original = list(importer("qualys").read(QUALYS_CSV))
    renamed = write(tmp_path, QUALYS_CSV.read_text().replace('"QID"', '"Vuln ID"', 1), "q.csv")
    with pytest.raises(ImportError_):
        detect(renamed)
    assert detect(renamed, {"qid": "Vuln ID"}).name == "qualys"
    assert list(importer("qualys", {"qid": "Vuln ID"}).read(renamed)) == original


def test_a_mapped_column_the_file_lacks_is_named(tmp_path: Path) -> None:
    from tests.evidence.files import GENERIC_FINDINGS

    with pytest.raises(ImportError_) as caught:
        list(importer("generic", {"check_id": "Rule"}).read(GENERIC_FINDINGS))
    assert "--map check_id='Rule': no such column; columns found: 'Host'" in problem(caught)


def test_map_is_refused_for_dns_and_for_a_qualys_xml_report() -> None:
    with pytest.raises(ImportError_, match="scanner CSV files, not to dns"):
        importer("dns", {"domain": "x"})
    with pytest.raises(ImportError_, match="--map applies to CSV exports"):
        list(importer("qualys", {"qid": "x"}).read(FIXTURES / "qualys" / "clinic_scan.xml"))
