"""Asset inventory import: one Asset per row of a CSV or Excel (.xlsx) inventory export.

Columns are found by header (spellings in ``SCHEMA``, compared as ``tabular.header_key`` does),
and a mapping names any the detection misses or gets wrong:
``InventoryImporter(mapping={"hostname": "Asset Tag"})``. The CLI builds that mapping from
repeated ``--map hostname="Asset Tag"`` options with ``columns.parse_mapping``.

Source column -> Asset field:
- hostname: hostname, host name, computer name, device name, asset name, machine name, fqdn,
  dns name, name (the last only when nothing more specific is there)
- ip: ip, ip address, ipv4 (address), primary ip; the first address of a list ("10.0.0.5;
  10.0.0.6") is kept, "DHCP" is no address, anything else that is not an address is an error
- mac: mac (address); written as aa:bb:cc:dd:ee:ff whatever the separators
- type: type, device/asset type, category; free text via ``values.asset_type``
- os: os, operating system, os name, platform; os_version: os version, build
- owner: owner, assigned to, user, primary user (upn), checked out to
- location: location, site, building; segment: segment, network segment, vlan, subnet
- disk_encrypted: disk encryption, encrypted, bitlocker, filevault (yes/no values)
- endpoint_agent: endpoint agent/protection, edr, av, antivirus, agent installed (yes/no)
- last_seen: last seen, last check-in, last contact (date, optional)

A row needs a hostname, an IP or a MAC; two rows for one asset (same ``Asset.key``) are an
error naming both lines, since keeping either would silently drop the other's facts.
An inventory carries no severities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from hicp.evidence.base import Progress, at_least_one
from hicp.evidence.columns import SCAN_HEADERS, Row, Schema, read_table, sniff_header
from hicp.evidence.models import Asset
from hicp.evidence.values import asset_type, parse_ip, parse_mac

SCHEMA = Schema(
    fields={
        "hostname": ("host name", "computer name", "computer", "device name", "asset name",
                     "machine name", "fqdn", "dns name", "name"),
        "ip": ("ip address", "ipv4", "ipv4 address", "ip addresses", "primary ip", "ip"),
        "mac": ("mac address", "mac", "ethernet mac", "wifi mac"),
        "type": ("device type", "asset type", "type", "category", "device category"),
        "os": ("operating system", "os name", "os", "platform"),
        "os_version": ("os version", "operating system version", "os build", "build"),
        "owner": ("owner", "assigned to", "primary user upn", "primary user", "user",
                  "checked out to", "custodian"),
        "location": ("location", "site", "building"),
        "segment": ("network segment", "segment", "vlan", "subnet"),
        "disk_encrypted": ("disk encryption", "encrypted", "encryption", "bitlocker",
                           "filevault"),
        "endpoint_agent": ("endpoint protection", "edr", "av", "antivirus", "anti virus",
                           "agent installed", "edr installed", "av installed"),
        "last_seen": ("last seen", "last check in", "last checkin", "last contact"),
    },
    required_any=("hostname", "ip", "mac"),
)  # fmt: skip

DEVICE_FIELDS = ("hostname", "ip", "mac")
_WEAK_HOSTNAME = "name"  # alone, "Name" is as likely a person or product as a host


class InventoryImporter:
    name = "inventory"
    description = "Asset inventory (CSV or Excel .xlsx): one row per device"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = SCHEMA.check_mapping(mapping)

    def sniff(self, head: bytes, path: Path) -> bool:
        if head.startswith(b"PK\x03\x04"):
            # No other importer takes a workbook; "xl/" names the parts of an Excel one.
            return b"xl/" in head or path.suffix.lower() in {".xlsx", ".xlsm"}
        found = sniff_header(head, SCHEMA, self.mapping)
        if found is None:
            return False
        columns, keys = found
        # A bare "Name" needs more inventory columns beside it to vouch for it.
        enough = 2 if device_columns(columns, keys) else 3
        has_device = any(f in columns for f in DEVICE_FIELDS)
        return has_device and len(columns) >= enough and not SCAN_HEADERS.intersection(keys)

    @at_least_one
    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Asset]:
        seen: dict[str, int] = {}  # asset key -> line: duplicates must name both rows
        for row in read_table(path, SCHEMA, self.mapping, progress):
            asset = _asset(row)
            if asset.key in seen:
                raise row.error(
                    None,
                    f"the asset {asset.key!r} is also on line {seen[asset.key]}: "
                    "keep one row per asset",
                )
            seen[asset.key] = row.line
            yield asset


def device_columns(columns: Mapping[str, int], keys: Sequence[str]) -> list[str]:
    """The device fields a header names (for sniffing), not counting a bare "Name"."""
    return [f for f in DEVICE_FIELDS if f in columns and keys[columns[f]] != _WEAK_HOSTNAME]


def _asset(row: Row) -> Asset:
    hostname = row.text("hostname")
    ip, mac = _address(row, "ip", parse_ip), _address(row, "mac", parse_mac)
    if not (hostname or ip or mac):
        names = [row.column(f) or f for f in DEVICE_FIELDS if f in row.columns]
        raise row.error(None, f"the row has no {' or '.join(names)}: each asset needs one")
    return Asset(
        hostname=hostname,
        ip=ip,
        mac=mac,
        type=asset_type(row.raw("type")),
        os=row.text("os"),
        os_version=row.text("os_version"),
        owner=row.text("owner"),
        location=row.text("location"),
        segment=row.text("segment"),
        disk_encrypted=row.flag("disk_encrypted"),
        endpoint_agent=row.flag("endpoint_agent"),
        last_seen=row.date("last_seen"),
    )


def _address(row: Row, field: str, parse: Callable[[object], str | None]) -> str | None:
    """The row's IP or MAC address, normalised; a value that is no address is an error."""
    try:
        return parse(row.text(field))
    except ValueError as exc:
        raise row.error(field, str(exc)) from None


IMPORTER = InventoryImporter()
