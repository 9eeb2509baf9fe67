"""Greenbone / OpenVAS "CSV Results" exports. Read by ``--kind openvas`` beside the XML report.

Field       Column
host        IP
hostname    Hostname
port        Port ("" or "general" for host-level results)
protocol    Port Protocol
check_id    NVT OID
title       NVT Name
severity    CVSS, a score (CVSS v3 qualitative scale as for the XML report; negative: a
            false positive or debug row, skipped); without a score, Severity: Log, Low,
            Medium, High, Critical ("False Positive" rows are skipped)
cvss3       the same CVSS score when above 0 (the export does not say which version)
cves        CVEs (comma-separated)
first/last  Timestamp (ISO 8601), both
"""

from __future__ import annotations

from hicp.evidence.scan_table import ScanTable
from hicp.evidence.tabular import header_key

TABLE = ScanTable(
    source="openvas",
    what="Greenbone CSV export",
    spellings={
        "host": ("IP",),
        "hostname": ("Hostname",),
        "port": ("Port",),
        "protocol": ("Port Protocol",),
        "check_id": ("NVT OID", "OID"),
        "title": ("NVT Name",),
        "severity": ("Severity", "Threat"),
        "score": ("CVSS",),
        "cves": ("CVEs", "CVE"),
        "seen": ("Timestamp",),
    },
    marks=(frozenset(header_key(name) for name in ("IP", "NVT OID", "NVT Name")),),
    skipped_severities=frozenset({"false positive", "debug", "error"}),
)
