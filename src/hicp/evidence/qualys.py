"""Qualys importer: vulnerability CSV exports, the XML scan and asset data reports, and (in
``qualys_was``) Web Application Scanning reports.

Severity: Qualys rates 1-5 (1 Minimal, 2 Medium, 3 Serious, 4 Critical, 5 Urgent) and maps
as 1 info, 2 low, 3 medium, 4 high, 5 critical. Why: level 1 is information an attacker could
use but no flaw; 2 exposes information or minor weaknesses; 3 can give limited access;
4 can give control of the host or read its files; 5 is remote code execution as root or
administrator. Qualys's word "Critical" is its 4 and means our high. Information-gathered
items (Type "Ig"/"Info", <INFOS>) are info whatever their level: Qualys rates what the data
would be worth to an attacker, not a vulnerability on the host.

CSV (header names matched without regard to case or spacing; report metadata rows before the
header are allowed and skipped: the header is the first row with both IP and QID):
  required   IP -> host, QID -> check_id, Title -> title, Severity -> severity
  optional   DNS, else FQDN, else NetBIOS -> hostname; OS -> os; Port, Protocol;
             CVE ID (comma-separated) -> cves; CVSS3 Base ("8.1 (AV:N/...)"; also
             CVSS3.1 Base) -> cvss3; First Detected / Last Detected -> first/last_seen;
             Exploitability non-empty -> exploit_available (empty -> false; column absent ->
             unknown); Vuln Status, Type.
  Dates: "MM/DD/YYYY HH:MM:SS" (the US form Qualys writes) or ISO 8601; unparseable -> unknown.

XML, scan report (<SCAN> ... <IP value= name=> <VULNS|PRACTICES|INFOS><CAT port= protocol=>
<VULN|PRACTICE|INFO number= severity=>): IP@value -> host, IP@name -> hostname, IP/OS -> os,
@number -> check_id, TITLE -> title, CVE_ID_LIST/CVE_ID/ID and @cveid -> cves, CVSS3_BASE ->
cvss3, CORRELATION/EXPLOITABILITY/.../EXPLT present -> exploit_available, the HEADER's
KEY[@value="DATE"] -> first/last_seen.

XML, asset data report (<ASSET_DATA_REPORT> <HOST_LIST><HOST><IP> ... <VULN_INFO_LIST>
<VULN_INFO><QID>, with titles and severities in <GLOSSARY><VULN_DETAILS>): HOST/IP -> host,
DNS, else NETBIOS -> hostname, OPERATING_SYSTEM -> os, VULN_INFO PORT/PROTOCOL/FIRST_FOUND/
LAST_FOUND, and TITLE, SEVERITY, CVE_ID_LIST, CVSS3_BASE, exploits from the glossary entry of
the QID. The glossary may come after the hosts, so this shape is read in two streaming passes
(the first keeps only the glossary's few fields per QID).

Skipped by rule: findings whose Vuln Status / VULN_STATUS is "Fixed" (Qualys reports them as
remediated, not present). Otherwise the status fills Finding.state: New and Active -> open,
Re-Opened -> reopened; a missing or other status leaves it unknown. known_exploited is left
unknown: these exports do not carry CISA KEV.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from hicp.evidence import qualys_was, xmlsafe
from hicp.evidence.base import Importer, Progress, at_least_one, two_passes
from hicp.evidence.models import Finding, FindingState, Severity
from hicp.evidence.scan_table import refuse_mapping
from hicp.evidence.tabular import (
    Cells,
    apply_mapping,
    check_fields,
    csv_rows,
    data_rows,
    fail,
    find_header,
    head_rows,
    header_key,
    locate_columns,
    looks_like_xml,
    mapped_cells,
    xml_root_tag,
)
from hicp.evidence.values import optional_date, parse_port, parse_score, split_cves

SEVERITY = {
    1: Severity.INFO,
    2: Severity.LOW,
    3: Severity.MEDIUM,
    4: Severity.HIGH,
    5: Severity.CRITICAL,
}
# Vuln Status / VULN_STATUS -> Finding.state ("Fixed" rows are skipped, see above)
STATES = {
    "new": FindingState.OPEN,
    "active": FindingState.OPEN,
    "re-opened": FindingState.REOPENED,
    "reopened": FindingState.REOPENED,
}
REQUIRED = ("IP", "QID", "Title", "Severity")
_HEADER_SEARCH_ROWS = 200  # report metadata before the header is a dozen rows at most
_INFO_TYPES = frozenset({"ig", "info", "information", "information gathered"})
_LEVEL = re.compile(r"\s*([1-5])(?:\D|$)")
# The CSV columns read, by header_key; several names for one field are tried in order.
_CSV_FIELDS = ("ip", "qid", "title", "severity", "vuln_status", "status", "type", "port",
               "protocol", "cvss3_base", "cvss3_1_base", "cvss_v3_base", "exploitability",
               "dns", "fqdn", "netbios", "os", "operating_system", "cve_id", "cve_ids", "cve",
               "first_detected", "first_found", "last_detected", "last_found")  # fmt: skip
# --map field names: the CSV fields above, as written there (ip, qid, cve_id, ...)
MAPPABLE = tuple(dict.fromkeys(_CSV_FIELDS))
_NO_HOSTNAME = frozenset({"", "no registered hostname"})
_XML_SUMMARY = "not a valid Qualys XML report"
_CSV_SUMMARY = "not a valid Qualys CSV export"


def level(text: str | None) -> Severity | None:
    """Our severity for a Qualys level "1".."5" (also "5 - Urgent"); None if it is not one."""
    match = _LEVEL.match(text or "")
    return SEVERITY[int(match.group(1))] if match else None


def _strip(text: str | None) -> str:
    return (text or "").strip()


def _exploit_known(element: Any) -> bool:
    return element.find("CORRELATION/EXPLOITABILITY//EXPLT") is not None


@dataclass(frozen=True)
class _Glossary:
    title: str
    severity: Severity
    cves: tuple[str, ...]
    cvss3: float | None
    exploit: bool | None


class QualysImporter:
    name = "qualys"
    description = "Qualys vulnerability CSV (VMDR), XML scan / asset data report, or WAS report"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = check_fields(mapping, MAPPABLE)

    def sniff(self, head: bytes, path: Path) -> bool:
        if self.mapping:  # only the CSV export has columns to map
            rows = head_rows(head, 60) if not looks_like_xml(head) else []
            return any(_is_csv_header(mapped_cells(row, self.mapping)) for row in rows)
        root = xml_root_tag(head)
        if root in (b"ASSET_DATA_REPORT", b"WAS_SCAN_REPORT", b"WAS_WEBAPP_REPORT"):
            return True
        if root == b"SCAN":
            return b"<IP value=" in head or b'<KEY value="' in head
        if looks_like_xml(head):
            return False
        return any(_is_csv_header(row) for row in head_rows(head, 60))

    @at_least_one
    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Finding]:
        try:
            with path.open("rb") as handle:
                head = handle.read(64 * 1024)
        except OSError as exc:
            fail(path, "cannot read", exc.strerror or str(exc))
        root = xml_root_tag(head) if looks_like_xml(head) else None
        if root is not None and self.mapping:
            raise refuse_mapping(path, "Qualys XML report")
        if root == b"ASSET_DATA_REPORT":
            yield from self._asset_data(path, progress)
        elif root == b"SCAN":
            yield from self._scan(path, progress)
        elif root in (b"WAS_SCAN_REPORT", b"WAS_WEBAPP_REPORT"):
            yield from qualys_was.read(path, progress)
        elif root is not None:
            fail(
                path,
                _XML_SUMMARY,
                f"root element <{root.decode(errors='replace')}> is none of <SCAN>, "
                "<ASSET_DATA_REPORT>, <WAS_SCAN_REPORT> and <WAS_WEBAPP_REPORT>",
                line=1,
            )
        else:
            yield from self._csv(path, progress)

    # ---- CSV ----------------------------------------------------------------------------

    def _csv(self, path: Path, progress: Progress | None) -> Iterator[Finding]:
        rows = csv_rows(path, progress)
        header = find_header(
            rows,
            lambda cells: _is_csv_header(mapped_cells(cells, self.mapping)),
            search=_HEADER_SEARCH_ROWS,
        )
        if header is None or not header.recognised:
            fail(
                path,
                _CSV_SUMMARY,
                "no header row with the columns " + ", ".join(REQUIRED) + f" in the first "
                f"{_HEADER_SEARCH_ROWS} rows; export the vulnerability report as CSV",
                line=1,
            )
        header = apply_mapping(path, header, self.mapping)
        columns = locate_columns(path, header, REQUIRED, _CSV_FIELDS)
        for line, row in data_rows(path, rows, header.cells):
            finding = self._csv_finding(path, line, row, columns)
            if finding is not None:
                yield finding

    def _csv_finding(
        self, path: Path, line: int, row: list[str], columns: Mapping[str, int]
    ) -> Finding | None:
        def cell(*names: str) -> str:
            for name in names:
                position = columns.get(name)
                if position is not None and row[position].strip():
                    return row[position].strip()
            return ""

        def bad(name: str, message: str) -> NoReturn:
            fail(path, f"bad value in column {name!r}", message, line=line, where=name)

        status = cell("vuln_status", "status").lower()
        if status == "fixed":
            return None
        for name in REQUIRED:
            if not cell(name.lower()):
                bad(name, f"{name} is empty")
        severity = level(cell("severity"))
        if severity is None:
            bad("Severity", f"{cell('severity')!r} is not a Qualys severity 1-5")
        if cell("type").lower() in _INFO_TYPES:
            severity = Severity.INFO
        try:
            port, port_protocol = parse_port(cell("port"))
        except ValueError as exc:
            bad("Port", str(exc))
        try:
            cvss3 = parse_score(cell("cvss3_base", "cvss3_1_base", "cvss_v3_base"))
        except ValueError as exc:
            bad("CVSS3 Base", str(exc))
        exploit = None
        if "exploitability" in columns:
            exploit = bool(cell("exploitability"))
        return Finding(
            source=self.name,
            host=cell("ip"),
            hostname=cell("dns", "fqdn", "netbios") or None,
            os=cell("os", "operating_system") or None,
            port=port,
            protocol=cell("protocol").lower() or port_protocol,
            check_id=cell("qid"),
            title=" ".join(cell("title").split()),
            severity=severity,
            cves=split_cves(cell("cve_id", "cve_ids", "cve"))[0],
            cvss3=cvss3,
            first_seen=optional_date(cell("first_detected", "first_found")),
            last_seen=optional_date(cell("last_detected", "last_found")),
            exploit_available=exploit,
            state=STATES.get(status),
        )

    # ---- XML: scan report ---------------------------------------------------------------

    def _scan(self, path: Path, progress: Progress | None) -> Iterator[Finding]:
        scan_date: dt.date | None = None
        for element in xmlsafe.iterparse(path, ("HEADER", "IP"), progress, roots=("SCAN",)):
            if element.tag == "HEADER":
                scan_date = optional_date(element.findtext("KEY[@value='DATE']"))
                continue
            parent = element.getparent()
            if parent is None or parent.tag != "SCAN":
                continue
            yield from self._scan_host(path, element, scan_date)

    def _scan_host(self, path: Path, ip: Any, scan_date: dt.date | None) -> Iterator[Finding]:
        host = _strip(ip.get("value"))
        if not host:
            fail(path, _XML_SUMMARY, "<IP> has no value attribute", ip.sourceline, "IP@value")
        name = _strip(ip.get("name"))
        hostname = None if name.lower() in _NO_HOSTNAME else name
        os_name = _strip(ip.findtext("OS")) or None
        for group, tag in (("VULNS", "VULN"), ("PRACTICES", "PRACTICE"), ("INFOS", "INFO")):
            for cat in ip.iterfind(f"{group}/CAT"):
                try:
                    port, _ = parse_port(cat.get("port") or "")
                except ValueError as exc:
                    fail(path, _XML_SUMMARY, str(exc), cat.sourceline, "CAT@port")
                protocol = _strip(cat.get("protocol")).lower() or None
                for vuln in cat.iterfind(tag):
                    line = vuln.sourceline
                    check_id = _strip(vuln.get("number"))
                    if not check_id:
                        fail(path, _XML_SUMMARY, f"<{tag}> has no number", line, f"{tag}@number")
                    severity = level(vuln.get("severity"))
                    if severity is None:
                        fail(
                            path,
                            _XML_SUMMARY,
                            f"severity {vuln.get('severity')!r} is not 1-5",
                            line,
                            f"{tag}@severity",
                        )
                    title = " ".join(_strip(vuln.findtext("TITLE")).split())
                    if not title:
                        fail(path, _XML_SUMMARY, f"<{tag}> has no TITLE", line, f"{tag}/TITLE")
                    ids = [_strip(i.text) for i in vuln.iterfind("CVE_ID_LIST/CVE_ID/ID")]
                    cves, _ = split_cves(" ".join([*ids, vuln.get("cveid") or ""]))
                    try:
                        cvss3 = parse_score(vuln.findtext("CVSS3_BASE"))
                    except ValueError as exc:
                        fail(path, _XML_SUMMARY, str(exc), line, f"{tag}/CVSS3_BASE")
                    yield Finding(
                        source=self.name,
                        host=host,
                        hostname=hostname,
                        os=os_name,
                        port=port,
                        protocol=protocol,
                        check_id=check_id,
                        title=title,
                        severity=Severity.INFO if tag == "INFO" else severity,
                        cves=cves,
                        cvss3=cvss3,
                        first_seen=scan_date,
                        last_seen=scan_date,
                        exploit_available=True if _exploit_known(vuln) else None,
                    )

    # ---- XML: asset data report ---------------------------------------------------------

    def _asset_data(self, path: Path, progress: Progress | None) -> Iterator[Finding]:
        first, second = two_passes(path.stat().st_size, progress)

        glossary: dict[str, _Glossary] = {}
        for element in xmlsafe.iterparse(
            path, ("VULN_DETAILS", "HOST"), first, roots=("ASSET_DATA_REPORT",)
        ):
            if element.tag == "VULN_DETAILS":
                qid, entry = self._glossary_entry(path, element)
                glossary[qid] = entry
        for element in xmlsafe.iterparse(path, ("HOST", "VULN_DETAILS"), second):
            if element.tag == "HOST":
                yield from self._asset_host(path, element, glossary)

    def _glossary_entry(self, path: Path, details: Any) -> tuple[str, _Glossary]:
        line = details.sourceline
        qid = _strip(details.findtext("QID")) or _strip(details.get("id")).removeprefix("qid_")
        if not qid:
            fail(path, _XML_SUMMARY, "VULN_DETAILS has no QID", line, "VULN_DETAILS/QID")
        severity = level(details.findtext("SEVERITY"))
        if severity is None:
            fail(
                path,
                _XML_SUMMARY,
                f"QID {qid}: SEVERITY {details.findtext('SEVERITY')!r} is not 1-5",
                line,
                "VULN_DETAILS/SEVERITY",
            )
        title = " ".join(_strip(details.findtext("TITLE")).split())
        if not title:
            fail(path, _XML_SUMMARY, f"QID {qid} has no TITLE", line, "VULN_DETAILS/TITLE")
        ids = [_strip(i.text) for i in details.iterfind("CVE_ID_LIST/CVE_ID/ID")]
        try:
            cvss3 = parse_score(details.findtext(".//CVSS3_BASE"))
        except ValueError as exc:
            fail(path, _XML_SUMMARY, f"QID {qid}: {exc}", line, "CVSS3_BASE")
        return qid, _Glossary(
            title=title,
            severity=severity,
            cves=split_cves(" ".join(ids))[0],
            cvss3=cvss3,
            exploit=True if _exploit_known(details) else None,
        )

    def _asset_host(
        self, path: Path, host_element: Any, glossary: dict[str, _Glossary]
    ) -> Iterator[Finding]:
        host = _strip(host_element.findtext("IP"))
        if not host:
            fail(path, _XML_SUMMARY, "HOST has no IP", host_element.sourceline, "HOST/IP")
        hostname = (
            _strip(host_element.findtext("DNS")) or _strip(host_element.findtext("NETBIOS")) or None
        )
        os_name = (
            _strip(host_element.findtext("OPERATING_SYSTEM"))
            or _strip(host_element.findtext("OS"))
            or None
        )
        scanned = optional_date(host_element.findtext("LAST_SCAN_DATETIME"))
        for info in host_element.iterfind("VULN_INFO_LIST/VULN_INFO"):
            line = info.sourceline
            status = _strip(info.findtext("VULN_STATUS")).lower()
            if status == "fixed":
                continue
            qid = _strip(info.findtext("QID"))
            if not qid:
                fail(path, _XML_SUMMARY, "VULN_INFO has no QID", line, "VULN_INFO/QID")
            entry = glossary.get(qid)
            if entry is None:
                fail(
                    path,
                    _XML_SUMMARY,
                    f"QID {qid} is not described in the report's GLOSSARY (export the report "
                    "with vulnerability details)",
                    line,
                    "VULN_INFO/QID",
                )
            try:
                port, _ = parse_port(info.findtext("PORT") or "")
            except ValueError as exc:
                fail(path, _XML_SUMMARY, str(exc), line, "VULN_INFO/PORT")
            info_type = _strip(info.findtext("TYPE")).lower()
            first_found = optional_date(info.findtext("FIRST_FOUND"))
            last_found = optional_date(info.findtext("LAST_FOUND")) or scanned
            yield Finding(
                source=self.name,
                host=host,
                hostname=hostname,
                os=os_name,
                port=port,
                protocol=_strip(info.findtext("PROTOCOL")).lower() or None,
                check_id=qid,
                title=entry.title,
                severity=Severity.INFO if info_type in _INFO_TYPES else entry.severity,
                cves=entry.cves,
                cvss3=entry.cvss3,
                first_seen=first_found or last_found,
                last_seen=last_found,
                exploit_available=entry.exploit,
                state=STATES.get(status),
            )


def _is_csv_header(cells: Cells) -> bool:
    keys = {header_key(cell) for cell in cells}
    return "ip" in keys and "qid" in keys


IMPORTER: Importer = QualysImporter()
