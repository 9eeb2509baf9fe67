"""Qualys Web Application Scanning reports: one finding per QID and web server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import detect
from hicp.evidence.models import Finding, FindingState, Severity
from hicp.evidence.qualys import IMPORTER
from tests.evidence.files import FIXTURES, write

WAS = FIXTURES / "qualys" / "was_scan_report.xml"
HOST = "portal.northside-clinic.example"


def read(path: Path = WAS) -> dict[tuple[int | None, str], Finding]:
    findings = list(IMPORTER.read(path))
    by_key = {(f.port, f.check_id): f for f in findings}
    assert len(by_key) == len(findings)
    return by_key


def test_a_was_report_is_detected_as_qualys() -> None:
    assert detect(WAS).name == "qualys"


def test_detections_of_one_qid_on_one_server_are_one_finding_spanning_their_dates() -> None:
    xss = read()[(443, "150001")]
    assert (xss.host, xss.hostname, xss.protocol) == (HOST, HOST, "tcp")
    assert xss.title == "Reflected Cross-Site Scripting (XSS) Vulnerabilities"
    assert (xss.severity, xss.cvss3) == (Severity.HIGH, 6.1)  # Qualys 4 is our high
    assert (xss.first_seen, xss.last_seen) == (dt.date(2026, 7, 12), dt.date(2026, 10, 14))
    assert xss.state is FindingState.OPEN


def test_status_port_and_the_fixed_and_summary_entries() -> None:
    findings = read()
    assert sorted(findings) == [(443, "150001"), (443, "150204"), (443, "6"), (8443, "150085")]
    slow = findings[(8443, "150085")]
    assert (slow.state, slow.severity, slow.cvss3) == (FindingState.REOPENED, Severity.MEDIUM, None)
    # information gathered is info; a detection without a URL is on the report's web app
    assert findings[(443, "6")].severity is Severity.INFO
    assert findings[(443, "6")].host == HOST


def test_a_qid_missing_from_the_glossary_is_an_error_naming_its_line(tmp_path: Path) -> None:
    text = WAS.read_text().replace(
        "<QID>150085</QID>\n        <CATEGORY>", "<QID>9</QID>\n        <CATEGORY>"
    )
    path = write(tmp_path, text, "was.xml")
    with pytest.raises(ImportError_) as caught:
        list(IMPORTER.read(path))
    message = str(caught.value)
    assert "QID 150085 is not described in the report's GLOSSARY" in message
    start = text.rindex("<VULNERABILITY>", 0, text.index("<QID>150085</QID>"))
    assert f"{path}:{text[:start].count(chr(10)) + 1} [VULNERABILITY/QID]" in message


def test_a_was_report_with_an_entity_is_refused_like_any_xml(tmp_path: Path) -> None:
    text = WAS.read_text().replace(
        "<WAS_SCAN_REPORT>", '<!DOCTYPE WAS_SCAN_REPORT [<!ENTITY x "y">]>\n<WAS_SCAN_REPORT>', 1
    )
    with pytest.raises(ImportError_, match="declares XML entities or a DTD"):
        list(IMPORTER.read(write(tmp_path, text, "was.xml")))
