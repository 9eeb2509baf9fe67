"""The CSV exports of Tenable's scanners: Nessus, Tenable.io (Vulnerability Management) and
Tenable.sc (Security Center). Read by ``--kind nessus`` beside the .nessus XML.

Field      Nessus CSV              Tenable.io CSV                 Tenable.sc CSV
host       Host                    IP Address (else Host)         IP Address
hostname   -                       FQDN, else NetBIOS (per row)   DNS Name, else NetBIOS Name
check_id   Plugin ID               Plugin ID                      Plugin
title      Name                    Plugin Name (else Name)        Plugin Name
severity   Risk (None..Critical)   Severity (Info..Critical; or   Severity (Info..Critical)
                                   0-4, Nessus's own scale)
cves       CVE (one row per CVE: consecutive rows of one finding are merged)
cvss3      CVSS v3.0 Base Score    CVSS3 Base Score / CVSSv3...   CVSS V3 Base Score
cvss4      CVSS v4.0 Base Score    CVSSv4 Base Score
dates      -                       First Found / First Seen,      First Discovered,
                                   Last Found / Last Seen         Last Observed
state      -                       Vulnerability State / State:   -
                                   New, Active -> open; Resurfaced, Reopened -> reopened;
                                   Fixed -> row skipped (remediated, not present)
exploit    -                       Exploit Available              Exploit?
os         -                       OS / Operating System          -
"""

from __future__ import annotations

from hicp.evidence.models import FindingState, Severity
from hicp.evidence.scan_table import ScanTable
from hicp.evidence.tabular import header_key


def _keys(*names: str) -> frozenset[str]:
    return frozenset(header_key(name) for name in names)


TABLE = ScanTable(
    source="nessus",
    what="Tenable CSV export",
    spellings={
        "host": ("IP Address", "Host", "IP", "Asset IPv4"),
        "hostname": ("FQDN", "DNS Name", "Asset Name"),
        "netbios": ("NetBIOS Name", "NetBIOS"),
        "os": ("Operating System", "OS"),
        "port": ("Port",),
        "protocol": ("Protocol",),
        "check_id": ("Plugin ID", "Plugin"),
        "title": ("Plugin Name", "Name"),
        # Severity before Risk: Tenable.io writes both, and Risk there is the plugin's own
        # risk factor, where Severity is the (possibly recast) one in force.
        "severity": ("Severity", "Risk", "Risk Factor"),
        "cves": ("CVE", "CVEs"),
        "cvss3": (
            "CVSS v3.0 Base Score",
            "CVSS3 Base Score",
            "CVSS V3 Base Score",
            "CVSSv3 Base Score",
            "CVSS v3 Base Score",
        ),
        "cvss4": ("CVSS v4.0 Base Score", "CVSSv4 Base Score", "CVSS V4 Base Score"),
        "first_seen": ("First Found", "First Seen", "First Discovered"),
        "last_seen": ("Last Found", "Last Seen", "Last Observed"),
        "exploit_available": ("Exploit Available", "Exploit?"),
        "state": ("Vulnerability State", "State"),
    },
    marks=(
        _keys("Plugin ID", "Risk", "Host", "Name"),  # Nessus
        _keys("Plugin ID", "Severity", "Plugin Name"),  # Tenable.io
        _keys("Plugin", "Plugin Name", "Severity", "IP Address"),  # Tenable.sc
    ),
    levels={
        "0": Severity.INFO,
        "1": Severity.LOW,
        "2": Severity.MEDIUM,
        "3": Severity.HIGH,
        "4": Severity.CRITICAL,
    },
    states={
        "new": FindingState.OPEN,
        "active": FindingState.OPEN,
        "open": FindingState.OPEN,
        "resurfaced": FindingState.REOPENED,
        "reopened": FindingState.REOPENED,
    },
    skipped_states=frozenset({"fixed"}),
)
