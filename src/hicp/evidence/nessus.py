"""Tenable Nessus v2 XML (.nessus) importer: one Finding per ReportItem, informational included.

Field mapping (ReportHost/HostProperties/tag[@name=...] is written tag:NAME):

host               tag:host-ip, else ReportHost@name
hostname           tag:host-fqdn, else tag:hostname, else tag:netbios-name, else ReportHost@name
                   when it differs from the host
os                 tag:operating-system (its first line: Nessus lists alternatives one a line)
port, protocol     ReportItem@port (0 -> none: a host-level item), ReportItem@protocol
check_id, title    ReportItem@pluginID, ReportItem@pluginName
severity           ReportItem@severity: 0 info, 1 low, 2 medium, 3 high, 4 critical (Nessus's
                   own 0-4 scale, the same five steps)
cves               every <cve> child
cvss3, cvss4       <cvss3_base_score>, <cvss4_base_score> (a v2-only <cvss_base_score> is not
                   put in cvss3: the versions' scores are not comparable)
exploit_available  <exploit_available> true/false; absent -> unknown
known_exploited    true when a <cisa-known-exploited> child (the date it joined CISA's KEV
                   list) is present; absent -> unknown, since exports before Tenable added the
                   field cannot say "not on the list"
first/last_seen    the scan date of the host: tag:HOST_END (ctime, "Tue Jun 25 10:39:42 2013"),
                   else tag:HOST_END_TIMESTAMP (Unix seconds), else tag:HOST_START; none -> unknown

Nothing is skipped. The items of one host are buffered until its ReportHost ends, so host
properties apply whatever their position; memory is bounded by the largest host.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hicp.evidence import tenable_csv, xmlsafe
from hicp.evidence.base import Importer, Progress, at_least_one
from hicp.evidence.models import Finding, Severity
from hicp.evidence.scan_table import read_findings, refuse_mapping
from hicp.evidence.tabular import fail, is_xml, looks_like_xml, xml_root_tag
from hicp.evidence.values import optional_date, parse_port, parse_score, split_cves

_ROOT = b"NessusClientData_v2"
_SEVERITY = {
    "0": Severity.INFO,
    "1": Severity.LOW,
    "2": Severity.MEDIUM,
    "3": Severity.HIGH,
    "4": Severity.CRITICAL,
}
_SUMMARY = "not a valid Nessus export"
_CHILD_FIELDS = frozenset({"cvss3_base_score", "cvss4_base_score", "exploit_available"})
_WANTED = (*_CHILD_FIELDS, "cve", "cisa-known-exploited")


def _scan_date(props: dict[str, str]) -> dt.date | None:
    for name in ("HOST_END", "HOST_START"):
        date = optional_date(props.get(name))
        if date is not None:
            return date
        stamp = props.get(f"{name}_TIMESTAMP", "")
        if stamp.isdigit():
            return dt.datetime.fromtimestamp(int(stamp), dt.UTC).date()
    return None


class NessusImporter:
    name = "nessus"
    description = "Tenable scan export: .nessus XML, or Nessus, Tenable.io or Tenable.sc CSV"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = tenable_csv.TABLE.schema.check_mapping(mapping)

    def sniff(self, head: bytes, path: Path) -> bool:
        if looks_like_xml(head):
            return not self.mapping and xml_root_tag(head) == _ROOT
        return tenable_csv.TABLE.sniff(head, self.mapping)

    @at_least_one
    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Finding]:
        if not is_xml(path):
            yield from read_findings(tenable_csv.TABLE, path, self.mapping, progress)
            return
        if self.mapping:
            raise refuse_mapping(path, "Nessus XML export")
        props: dict[str, str] = {}
        items: list[dict[str, Any]] = []
        # A plugin's CVEs, scores and exploit flags are the plugin's, not the host's: read them
        # once per plugin ID in a file, not once per host it fires on.
        plugins: dict[str, dict[str, Any]] = {}
        tags = ("HostProperties", "ReportItem", "ReportHost")
        for element in xmlsafe.iterparse(path, tags, progress, roots=(_ROOT.decode(),)):
            if element.tag == "HostProperties":
                for tag in element.iterchildren("tag"):
                    name = tag.get("name")
                    if name and tag.text and tag.text.strip():
                        props[name] = tag.text.strip()
            elif element.tag == "ReportItem":
                items.append(self._item(path, element, plugins))
            else:
                yield from self._host(path, element, props, items)
                props = {}
                items = []

    def _item(self, path: Path, item: Any, plugins: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The fields of one ReportItem, before the host's properties are known."""
        line = item.sourceline

        def required(attribute: str) -> str:
            value = (item.get(attribute) or "").strip()
            if not value:
                fail(
                    path,
                    _SUMMARY,
                    f"ReportItem has no {attribute}",
                    line,
                    f"ReportItem@{attribute}",
                )
            return value

        severity = _SEVERITY.get(required("severity"))
        if severity is None:
            fail(
                path,
                _SUMMARY,
                f"severity {item.get('severity')!r} is not 0-4",
                line,
                "ReportItem@severity",
            )
        try:
            port, _ = parse_port(item.get("port") or "")
        except ValueError as exc:
            fail(path, _SUMMARY, str(exc), line, "ReportItem@port")
        check_id = required("pluginID")
        plugin = plugins.get(check_id)
        if plugin is None:
            plugin = plugins[check_id] = self._plugin(path, item, line)
        return {
            "port": port,
            "protocol": (item.get("protocol") or "").strip().lower() or None,
            "check_id": check_id,
            "title": required("pluginName"),
            "severity": severity,
            **plugin,
        }

    def _plugin(self, path: Path, item: Any, line: int | None) -> dict[str, Any]:
        """The plugin's own facts, from the children of its first ReportItem in the file."""
        texts: dict[str, str] = {}
        cve_texts: list[str] = []
        known_exploited: bool | None = None
        # Only the children read below: lxml filters by tag in C, so the long description,
        # solution and plugin output are never turned into Python objects.
        for child in item.iterchildren(*_WANTED):
            tag = child.tag
            if tag == "cve":
                cve_texts.append(child.text or "")
            elif tag in _CHILD_FIELDS:
                texts[tag] = (child.text or "").strip()
            elif tag == "cisa-known-exploited":
                known_exploited = True
        scores: dict[str, float | None] = {}
        for tag in ("cvss3_base_score", "cvss4_base_score"):
            try:
                scores[tag] = parse_score(texts.get(tag))
            except ValueError as exc:
                fail(path, _SUMMARY, str(exc), line, tag)
        exploit = texts.get("exploit_available") or None
        cves, _ = split_cves(" ".join(cve_texts))
        return {
            "cves": cves,
            "cvss3": scores["cvss3_base_score"],
            "cvss4": scores["cvss4_base_score"],
            "exploit_available": None if exploit is None else exploit.lower() == "true",
            "known_exploited": known_exploited,
        }

    def _host(
        self, path: Path, host: Any, props: dict[str, str], items: list[dict[str, Any]]
    ) -> Iterator[Finding]:
        name = (host.get("name") or "").strip()
        address = props.get("host-ip") or name
        if not address:
            fail(
                path,
                _SUMMARY,
                "ReportHost has neither a name nor a host-ip property",
                host.sourceline,
                "ReportHost@name",
            )
        hostname = (
            props.get("host-fqdn")
            or props.get("hostname")
            or props.get("netbios-name")
            or (name if name and name != address else None)
        )
        os_text = props.get("operating-system")
        date = _scan_date(props)
        for item in items:
            yield Finding(
                source=self.name,
                host=address,
                hostname=hostname,
                os=os_text.splitlines()[0].strip() if os_text else None,
                first_seen=date,
                last_seen=date,
                **item,
            )


IMPORTER: Importer = NessusImporter()
