"""Greenbone / OpenVAS XML report importer: one Finding per report result, log-level ones included.

Reads the report of the standard "XML" report format (GMP and older OMP): a <report> (also
wrapped in <get_reports_response>) holding <results><result>. Field mapping (r = result):

host               r/host text (the IP address)
hostname           r/host/hostname
port, protocol     r/port: "443/tcp" -> 443, tcp; "general/tcp" -> none, tcp; "0" or "" -> none
check_id           r/nvt@oid
title              r/nvt/name, else r/name (GMP's result name is the NVT name; exports that
                   anonymise it keep the real title in nvt/name)
severity           r/severity, a CVSS score: 0 info, 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high,
                   9.0-10 critical (CVSS v3 qualitative scale, which splits Greenbone's own
                   "High" 7-10 band at 9). Reports without <severity> (OpenVAS 7 and older) map
                   r/threat: Log info, Low low, Medium medium, High high
cvss3              the same score when above 0 (Greenbone scores results with the NVT's CVSS
                   base; older NVTs carry only a v2 vector, which is still stored here: the
                   export does not say which version the result score is). When the NVT says
                   its score is CVSS v4 (nvt/severities/severity@type cvss_base_v4) it goes to
                   cvss4 instead.
cves               every r/nvt/refs/ref[@type="cve"]@id, plus r/nvt/cve text (older exports:
                   comma-separated, "NOCVE" meaning none)
first_seen         r/creation_time; last_seen: r/modification_time, else creation_time.
                   ISO 8601 ("2023-09-29T11:36:37.717168Z") or ctime ("Tue Aug 25 21:48:25 2015")
os                 none: Greenbone puts the OS in host details after all results

Skipped by rule: results with a negative severity, which gvmd uses for false positives (-1)
and debug/error messages (-2, -3), none of them a finding on the host. Nothing else is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hicp.evidence import greenbone_csv, xmlsafe
from hicp.evidence.base import Importer, Progress, at_least_one, incomplete
from hicp.evidence.models import Finding, Severity
from hicp.evidence.scan_table import read_findings, refuse_mapping
from hicp.evidence.tabular import fail, failure, is_xml, looks_like_xml, xml_root_tag
from hicp.evidence.values import (
    optional_date,
    parse_port,
    parse_score,
    severity_from_score,
    split_cves,
)

# Any one of these near the top marks a Greenbone report rather than another tool's <report>.
_MARKERS = (
    b"<scan_run_status>",
    b"<gmp>",
    b"<omp>",
    b"a994b278-1f62-11e1-96ac-406186ea4fc5",  # the UUID of Greenbone's XML report format
    b"<nvt oid=",
)
_THREAT = {
    "log": Severity.INFO,
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "alarm": Severity.CRITICAL,
}
_SKIPPED_THREATS = frozenset({"false positive", "debug", "error"})
_SUMMARY = "not a valid OpenVAS/Greenbone report"


@dataclass
class _Page:
    """What a report says about its own completeness: a GSA download holds one page of
    results under the filter in force (rows=10 by default), and says so."""

    seen: int = 0  # <result> elements in <results>, skipped ones included
    start: int | None = None  # results@start: 1 unless the download began on a later page
    total: int | None = None  # result_count/filtered: the results the filter matched
    term: str = ""  # the filter, for the message

    def check(self, path: Path) -> None:
        first = self.start or 1
        if first <= 1 and (self.total is None or self.seen >= self.total):
            return
        rows = re.search(r"(?:^|\s)rows=(-?\d+)", self.term)
        of = f" of {self.total}" if self.total is not None else ""
        shown = f"results {first}-{first + self.seen - 1}{of}"
        hint = f" (its filter says rows={rows.group(1)})" if rows else ""
        incomplete(
            failure(
                path,
                f"the report holds {shown}{hint}: Greenbone downloads one page of results "
                "under the current filter. Download it again with all results: add rows=-1 "
                "first=1 to the report's filter (or pass that filter to get_reports), then "
                "import that file (or pass --allow-partial to import this page as it is)",
                where="results",
                summary=f"{path}: a partial Greenbone report",
            )
        )


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.lstrip("-").isdigit() else None


class OpenVASImporter:
    name = "openvas"
    description = "Greenbone/OpenVAS report: XML (<report> with <results>) or CSV results"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = greenbone_csv.TABLE.schema.check_mapping(mapping)

    def sniff(self, head: bytes, path: Path) -> bool:
        if not looks_like_xml(head):
            return greenbone_csv.TABLE.sniff(head, self.mapping)
        if self.mapping:
            return False
        root = xml_root_tag(head)
        if root not in (b"report", b"get_reports_response"):
            return False
        return any(marker in head for marker in _MARKERS)

    @at_least_one
    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Finding]:
        if not is_xml(path):
            yield from read_findings(greenbone_csv.TABLE, path, self.mapping, progress)
            return
        if self.mapping:
            raise refuse_mapping(path, "Greenbone XML report")
        page = _Page()
        # <detail> is listed only so the per-host details after the results are cleared as
        # they stream past; without it a large report's host section would stay in memory.
        tags = ("result", "detail", "results", "result_count", "term")
        roots = ("report", "get_reports_response")
        for element in xmlsafe.iterparse(path, tags, progress, roots=roots):
            parent = element.getparent()
            parent_tag = parent.tag if parent is not None else None
            if element.tag == "results" and parent_tag == "report":
                page.start = _number(element.get("start"))
            elif element.tag == "result_count" and parent_tag == "report":
                page.total = _number(element.findtext("filtered"))
            elif element.tag == "term" and parent_tag == "filters":
                page.term = " ".join((element.text or "").split())
            # result elements also nest inside detection, notes and overrides: not findings.
            elif element.tag == "result" and parent_tag == "results":
                page.seen += 1
                finding = self._finding(path, element)
                if finding is not None:
                    yield finding
        # Raised after the stream: the store's transaction then keeps nothing of the file.
        page.check(path)

    def _finding(self, path: Path, result: Any) -> Finding | None:
        line = result.sourceline
        severity, score = self._severity(path, result, line)
        if severity is None:
            return None
        host_element = result.find("host")
        host = (host_element.text or "").strip() if host_element is not None else ""
        if not host:
            fail(path, _SUMMARY, "result has no host", line, "result/host")
        hostname = (host_element.findtext("hostname") or "").strip() or None
        try:
            port, protocol = parse_port(result.findtext("port") or "")
        except ValueError as exc:
            fail(path, _SUMMARY, str(exc), line, "result/port")
        nvt = result.find("nvt")
        if nvt is None or not (nvt.get("oid") or "").strip():
            fail(path, _SUMMARY, "result has no nvt@oid", line, "result/nvt@oid")
        check_id = nvt.get("oid").strip()
        title = (nvt.findtext("name") or "").strip() or (result.findtext("name") or "").strip()
        if not title:
            fail(path, _SUMMARY, "result has no name", line, "result/nvt/name")
        refs = [
            ref.get("id") or ""
            for ref in nvt.iterfind("refs/ref")
            if (ref.get("type") or "").lower() == "cve"
        ]
        cves, _ = split_cves(" ".join([*refs, nvt.findtext("cve") or ""]))
        # GMP 20.08+ says which CVSS version the NVT's score is; older exports do not.
        scored = nvt.find("severities/severity")
        version = (scored.get("type") or "").lower() if scored is not None else ""
        positive = score if score is not None and score > 0 else None
        created = optional_date(result.findtext("creation_time"))
        modified = optional_date(result.findtext("modification_time"))
        return Finding(
            source=self.name,
            host=host,
            hostname=hostname,
            port=port,
            protocol=protocol,
            check_id=check_id,
            title=" ".join(title.split()),  # titles wrap across lines in pretty-printed XML
            severity=severity,
            cves=cves,
            cvss3=None if version.startswith("cvss_base_v4") else positive,
            cvss4=positive if version.startswith("cvss_base_v4") else None,
            first_seen=created or modified,
            last_seen=modified or created,
        )

    def _severity(self, path: Path, result: Any, line: int) -> tuple[Severity | None, float | None]:
        """(severity, score); severity None means the result is skipped by the rule above."""
        text = (result.findtext("severity") or "").strip()
        if text:
            try:
                score = float(text)
            except ValueError:
                score = None
            if score is None or score > 10:
                fail(path, _SUMMARY, f"severity {text!r} is not a score 0-10", line, "severity")
            if score < 0:
                return None, None
            return severity_from_score(score), score
        threat = (result.findtext("threat") or "").strip().lower()
        if threat in _SKIPPED_THREATS:
            return None, None
        if threat not in _THREAT:
            fail(path, _SUMMARY, "result has neither a severity nor a threat", line, "severity")
        fallback = result.findtext("nvt/cvss_base")
        try:
            score = parse_score(fallback)
        except ValueError:
            score = None
        return _THREAT[threat], score


IMPORTER: Importer = OpenVASImporter()
