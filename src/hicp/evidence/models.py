"""Normalised evidence records: what every importer produces, whatever the source format."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AssetType(StrEnum):
    WORKSTATION = "workstation"
    SERVER = "server"
    MOBILE = "mobile"
    NETWORK = "network"
    MEDICAL_DEVICE = "medical_device"
    IOT = "iot"
    OTHER = "other"


class Severity(StrEnum):
    """Normalised severity; sources' own scales map onto it (docs/formats.md)."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ("info", "low", "medium", "high", "critical").index(self.value)


class Asset(_Record):
    """One row of an asset inventory."""

    hostname: str | None = None
    ip: str | None = None
    mac: str | None = None
    type: AssetType = AssetType.OTHER
    os: str | None = None
    os_version: str | None = None
    owner: str | None = None
    location: str | None = None
    segment: str | None = None  # network segment or VLAN
    disk_encrypted: bool | None = None
    endpoint_agent: bool | None = None
    last_seen: dt.date | None = None

    @property
    def key(self) -> str:
        """Natural key: the hostname, else the IP, else the MAC (lower-cased)."""
        return (self.hostname or self.ip or self.mac or "").lower()


class FindingState(StrEnum):
    """A scanner's own word on a finding, where its export carries one (Tenable's state,
    Qualys' status, Greenbone's delta). None on a Finding means the export says nothing."""

    OPEN = "open"  # new or still active
    REOPENED = "reopened"  # fixed once, seen again
    FIXED = "fixed"  # the scanner itself says it is gone


class Finding(_Record):
    """One vulnerability on one host and port, from any scanner."""

    source: str  # importer name: nessus, openvas, qualys, generic
    host: str  # IP address or host name as the scanner reports it
    hostname: str | None = None
    port: int | None = None
    protocol: str | None = None
    check_id: str  # plugin ID, NVT OID or QID
    title: str
    severity: Severity
    cves: tuple[str, ...] = ()
    cvss3: float | None = None
    cvss4: float | None = None
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None
    exploit_available: bool | None = None
    known_exploited: bool | None = None  # on CISA's KEV list, where the source says
    os: str | None = None  # the host's operating system, where the scan reports it
    state: FindingState | None = None

    @property
    def key(self) -> tuple[str, str, int, str, str]:
        return (self.source, self.host, self.port or 0, self.protocol or "", self.check_id)


class DmarcPolicy(StrEnum):
    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


class EmailDomain(_Record):
    """SPF, DKIM and DMARC for one mail domain, as published in DNS."""

    domain: str
    spf: str | None = None  # the v=spf1 record
    spf_all: str | None = None  # the qualifier of its `all` term: -all, ~all, ?all, +all
    dkim_selectors: tuple[str, ...] = ()
    dmarc: str | None = None  # the v=DMARC1 record
    dmarc_policy: DmarcPolicy | None = None


class Identity(_Record):
    """One account from an identity provider export."""

    user: str
    enabled: bool = True
    mfa: bool | None = None
    privileged: bool = False
    last_sign_in: dt.date | None = None
