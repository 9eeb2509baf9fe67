"""Qualys Web Application Scanning (WAS) XML reports: the scan report (<WAS_SCAN_REPORT>) and
the web application report (<WAS_WEBAPP_REPORT>). Read by ``--kind qualys``.

A report lists detections under RESULTS (directly, or per <WEB_APPLICATION>):
<VULNERABILITY_LIST><VULNERABILITY>, <SENSITIVE_CONTENT_LIST><SENSITIVE_CONTENT> and
<INFORMATION_GATHERED_LIST><INFORMATION_GATHERED>, each with a <QID> and the <URL> it was
found at; titles and severities are in <GLOSSARY><QID_LIST><QID>, after the results, so the
file is read in two streaming passes (the first keeps only the glossary's few fields).

host, hostname     the URL's host name (an address stays an address; no URL: the report's
                   <WEBAPP><URL> or <TARGET>, else an error)
port, protocol     the URL's port, else 443 for https and 80 for http; tcp
check_id, title    QID; the glossary's TITLE
severity           the glossary's SEVERITY 1-5, mapped as for Qualys host scans; information
                   gathered is info whatever its level
cvss3              the glossary's CVSS_V3/BASE (a v2-only CVSS_BASE is not put there)
first/last_seen    FIRST_TIME_DETECTED / LAST_TIME_DETECTED, else DETECTION_DATE
                   ("12 Mar 2020 04:42PM GMT-0400"); first falls back to last
state              STATUS: NEW, ACTIVE -> open; REOPENED -> reopened; FIXED -> skipped

Detections of one QID on one web server (several URLs) are one finding: its first and last
dates span theirs. A QID the glossary does not describe is an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hicp.evidence import xmlsafe
from hicp.evidence.base import Progress, two_passes
from hicp.evidence.models import Finding, FindingState, Severity
from hicp.evidence.tabular import fail
from hicp.evidence.values import optional_date, parse_score

ROOTS = ("WAS_SCAN_REPORT", "WAS_WEBAPP_REPORT")
_SUMMARY = "not a valid Qualys WAS report"
_LISTS = {
    "VULNERABILITY": "VULNERABILITY_LIST",
    "SENSITIVE_CONTENT": "SENSITIVE_CONTENT_LIST",
    "INFORMATION_GATHERED": "INFORMATION_GATHERED_LIST",
}
_STATES = {
    "new": FindingState.OPEN,
    "active": FindingState.OPEN,
    "reopened": FindingState.REOPENED,
    "re-opened": FindingState.REOPENED,
}
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class _Entry:
    title: str
    severity: Severity
    cvss3: float | None
    gathered: bool  # an information-gathered QID


def read(path: Path, progress: Progress | None) -> Iterator[Finding]:
    """The findings of a WAS report, one per QID and web server."""
    from hicp.evidence.qualys import level  # the host scans' severity scale

    first, second = two_passes(path.stat().st_size, progress)

    glossary: dict[str, _Entry] = {}
    fallback: str | None = None
    detections = tuple(_LISTS)
    for element in xmlsafe.iterparse(
        path, ("QID_LIST", "WEBAPP", "TARGET"), first, discard=detections, roots=ROOTS
    ):
        if element.tag == "QID_LIST":
            for entry in element.iterfind("QID"):
                qid, found = _glossary_entry(path, entry, level)
                glossary[qid] = found
        elif element.tag == "WEBAPP":
            fallback = (element.findtext("URL") or "").strip() or fallback
    merged: dict[tuple[str, int | None, str], Finding] = {}
    for element in xmlsafe.iterparse(path, detections, second, discard=("QID_LIST",), roots=ROOTS):
        parent = element.getparent()
        if parent is None or parent.tag != _LISTS[element.tag]:
            continue  # the summary's counts share these names
        finding = _finding(path, element, glossary, fallback)
        if finding is None:
            continue
        key = (finding.host, finding.port, finding.check_id)
        earlier = merged.get(key)
        merged[key] = finding if earlier is None else _span(earlier, finding)
    yield from merged.values()


def _glossary_entry(path: Path, entry: Any, level: Any) -> tuple[str, _Entry]:
    line = entry.sourceline
    qid = (entry.findtext("QID") or "").strip()
    if not qid:
        fail(path, _SUMMARY, "a glossary entry has no QID", line, "QID_LIST/QID/QID")
    severity = level(entry.findtext("SEVERITY"))
    if severity is None:
        fail(
            path,
            _SUMMARY,
            f"QID {qid}: SEVERITY {entry.findtext('SEVERITY')!r} is not 1-5",
            line,
            "QID_LIST/QID/SEVERITY",
        )
    title = " ".join((entry.findtext("TITLE") or "").split())
    if not title:
        fail(path, _SUMMARY, f"QID {qid} has no TITLE", line, "QID_LIST/QID/TITLE")
    try:
        cvss3 = parse_score(entry.findtext("CVSS_V3/BASE"))
    except ValueError as exc:
        fail(path, _SUMMARY, f"QID {qid}: {exc}", line, "CVSS_V3/BASE")
    category = (entry.findtext("CATEGORY") or "").strip().lower()
    return qid, _Entry(title, severity, cvss3, category == "information gathered")


def _finding(
    path: Path, item: Any, glossary: dict[str, _Entry], fallback: str | None
) -> Finding | None:
    line = item.sourceline
    status = (item.findtext("STATUS") or "").strip().lower()
    if status == "fixed":
        return None
    qid = (item.findtext("QID") or "").strip()
    if not qid:
        fail(path, _SUMMARY, f"<{item.tag}> has no QID", line, f"{item.tag}/QID")
    entry = glossary.get(qid)
    if entry is None:
        fail(
            path,
            _SUMMARY,
            f"QID {qid} is not described in the report's GLOSSARY (export the report with "
            "its glossary)",
            line,
            f"{item.tag}/QID",
        )
    url = (item.findtext("URL") or "").strip() or fallback or ""
    parts = urlsplit(url if "//" in url else f"//{url}")
    if not parts.hostname:
        fail(path, _SUMMARY, f"QID {qid}: no URL says which web server", line, f"{item.tag}/URL")
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        fail(path, _SUMMARY, f"QID {qid}: {url!r} has no valid port", line, f"{item.tag}/URL")
    detected = optional_date(item.findtext("DETECTION_DATE"))
    last = optional_date(item.findtext("LAST_TIME_DETECTED")) or detected
    gathered = entry.gathered or item.tag == "INFORMATION_GATHERED"
    return Finding(
        source="qualys",
        host=parts.hostname,
        hostname=parts.hostname,
        port=port,
        protocol="tcp",
        check_id=qid,
        title=entry.title,
        severity=Severity.INFO if gathered else entry.severity,
        cvss3=entry.cvss3,
        first_seen=optional_date(item.findtext("FIRST_TIME_DETECTED")) or detected or last,
        last_seen=last,
        state=_STATES.get(status),
    )


def _span(one: Finding, other: Finding) -> Finding:
    """One finding for two detections of a QID on one server: the dates span both."""
    firsts = [d for d in (one.first_seen, other.first_seen) if d is not None]
    lasts = [d for d in (one.last_seen, other.last_seen) if d is not None]
    update: dict[str, dt.date | FindingState | None] = {
        "first_seen": min(firsts, default=None),
        "last_seen": max(lasts, default=None),
    }
    if other.state is FindingState.REOPENED:
        update["state"] = other.state
    return one.model_copy(update=update)
