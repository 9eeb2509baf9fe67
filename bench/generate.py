"""Synthetic evidence for a large health system, written in the real export formats hicp imports.

    python bench/generate.py OUTDIR [--scale 1.0] [--seed 7]

At scale 1.0: 20 hospitals, 150,000 assets (30,000 of them medical devices) and about 3 million
findings: a Nessus .nessus file (the bulk, 2.9 GB), a Greenbone/OpenVAS XML report (the two
hospitals that still run Greenbone), a Qualys CSV (one hospital, plus an external scan of every
DMZ server) and a generic CSV from a passive medical-device security platform. Beside them: an
asset inventory CSV, an identity CSV (40,000 accounts), a DNS zone file for the mail domains,
and manifest.json with every file's record count and what hicp's metrics should find.

The gaps an assessment looks for are planted on purpose, a few per cent each: medical devices on
user VLANs, scanned hosts missing from the inventory (most without DNS names), inventoried
assets never scanned, end-of-life operating systems, missing endpoint agents and disk
encryption, privileged accounts without MFA, stale accounts, domains without an enforcing DMARC
policy, a few known-exploited (CISA KEV) flaws.

Deterministic: the same seed and scale give the same bytes (seeded generators, no clock; dates
count back from AS_OF). Streaming: files are written host by host as they are generated, so
memory stays flat whatever the scale. The values are synthetic (random CVE numbers, invented
advisories) in the shapes real exports have; tests/fixtures/ holds the real-format references.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import re
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

AS_OF = dt.date(2026, 10, 31)  # the day the data is "exported"
DOMAIN = "northwind-health.example"
HOSPITALS, ASSETS, USERS = 20, 150_000, 40_000  # at scale 1.0
WRITE_BUFFER = 1 << 20
EPOCH = dt.datetime(1970, 1, 1)
UDP_SERVICES = frozenset({"snmp", "ntp", "netbios-ns"})
SCAN_KINDS = frozenset({"nessus", "openvas", "qualys", "generic"})


def words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A table written as text: whitespace- (or ``sep``-) separated words."""
    return tuple(word.strip() for word in text.split(sep))


# fmt: off
# Share of assets by type (exact totals, by largest remainder)
TYPE_SHARES = {"workstation": 0.52, "server": 0.06, "medical_device": 0.20, "network": 0.04,
               "mobile": 0.08, "iot": 0.10}
# Mean findings per actively scanned host, informational items included (~3 million at 1.0)
FINDINGS_PER_HOST = {"workstation": 25, "server": 47, "medical_device": 11, "network": 14,
                     "iot": 9}
MDS_FINDINGS = 4  # mean findings per medical device from the medical-device platform

# Per asset type: (label the inventory shows, host name prefix, weight)
LABELS: dict[str, list[tuple[str, str, int]]] = {
    "workstation": [("Desktop", "ws", 55), ("Laptop", "lt", 30),
                    ("Workstation on wheels", "cow", 10), ("Thin client", "tc", 5)],
    "server": [("Server", "srv", 40), ("Virtual machine (VM)", "vm", 60)],
    "medical_device": [("Infusion pump", "inf", 35), ("Patient monitor", "mon", 25),
                       ("Telemetry monitor", "tel", 8), ("CT scanner", "ct", 2),
                       ("MRI", "mri", 1), ("Ultrasound", "us", 6), ("X-ray", "xr", 4),
                       ("Ventilator", "vent", 6), ("ECG cart", "ecg", 5),
                       ("Medical device - lab analyzer", "lab", 5),
                       ("Imaging modality workstation", "mod", 3)],
    "network": [("Access switch", "sw", 60), ("Core switch", "core", 5), ("Router", "rtr", 5),
                ("Firewall", "fw", 5), ("Wireless access point", "ap", 25)],
    "mobile": [("Tablet", "tab", 40), ("Smartphone", "ph", 60)],
    "iot": [("Printer", "prn", 45), ("IP camera", "cam", 25), ("Badge reader", "badge", 15),
            ("Thermostat", "hvac", 10), ("Copier", "mfp", 5)],
}
# What a medical-device advisory calls each label (advisories apply to one device class)
DEVICE_NOUNS = {"Infusion pump": "Infusion pump", "Patient monitor": "Patient monitor",
                "Telemetry monitor": "Telemetry monitor", "CT scanner": "CT scanner",
                "MRI": "MRI system", "Ultrasound": "Ultrasound system",
                "X-ray": "Digital X-ray system", "Ventilator": "Ventilator",
                "ECG cart": "ECG cart", "Medical device - lab analyzer": "Laboratory analyzer",
                "Imaging modality workstation": "Imaging workstation"}
# Per asset type: (OS, version, check platform, end of life, weight). "End of life" means it
# matches data/evidence_rules.yaml's end_of_life_os; those are picked by quota, not weight.
OSES: dict[str, list[tuple[str, str, str, bool, int]]] = {
    "workstation": [("Windows 11 Enterprise", "23H2", "windows", False, 40),
                    ("Windows 10 Enterprise", "22H2", "windows", False, 52),
                    ("Windows 10 Enterprise LTSC", "1809", "windows", False, 3),
                    ("macOS 14", "14.6.1", "mac", False, 5),
                    ("Windows 7 Professional", "SP1", "windows", True, 3),
                    ("Windows 8.1 Pro", "6.3.9600", "windows", True, 1),
                    ("macOS 12", "12.7.6", "mac", True, 1)],
    "server": [("Windows Server 2022 Datacenter", "21H2", "windows_srv", False, 28),
               ("Windows Server 2019 Standard", "1809", "windows_srv", False, 30),
               ("Windows Server 2016 Standard", "1607", "windows_srv", False, 12),
               ("Red Hat Enterprise Linux 9", "9.4", "linux", False, 12),
               ("Red Hat Enterprise Linux 8", "8.10", "linux", False, 10),
               ("Ubuntu 22.04", "22.04.4 LTS", "linux", False, 8),
               ("Windows Server 2012 R2 Standard", "6.3.9600", "windows_srv", True, 4),
               ("Windows Server 2008 R2 Enterprise", "SP1", "windows_srv", True, 1),
               ("CentOS Linux 7", "7.9.2009", "linux", True, 3),
               ("Ubuntu 18.04", "18.04.6 LTS", "linux", True, 1)],
    "medical_device": [("Windows 10 IoT Enterprise", "21H2", "medical_win", False, 25),
                       ("VxWorks 6.9", "", "medical", False, 20),
                       ("Embedded Linux", "4.14", "medical", False, 30),
                       ("QNX Neutrino 6.5", "", "medical", False, 8),
                       ("", "", "medical", False, 17),
                       ("Windows 7 Embedded", "SP1", "medical_win", True, 8),
                       ("Windows XP Embedded", "SP3", "medical_win", True, 2)],
    "network": [("Cisco IOS XE", "17.9.4a", "network", False, 55),
                ("Cisco NX-OS", "9.3(10)", "network", False, 10),
                ("ArubaOS", "8.10.0.12", "network", False, 25),
                ("FortiOS", "7.2.8", "network", False, 5),
                ("PAN-OS", "10.2.9", "network", False, 5)],
    "mobile": [("iOS", "17.6.1", "mobile", False, 45), ("iPadOS", "17.6.1", "mobile", False, 25),
               ("Android", "14", "mobile", False, 30)],
    "iot": [("Embedded Linux", "", "iot", False, 40), ("Printer firmware", "", "iot", False, 35),
            ("AXIS OS", "11.9.60", "iot", False, 10), ("", "", "iot", False, 15)],
}
# The OSES entries that still get security updates on AS_OF according to the end-of-life data
# hicp ships (data/reference/os_lifecycle.yaml). Every other OS name counts against
# supported_os: past its end of life, or not recognisable (VxWorks, printer firmware), since
# unknown is never counted as supported.
SUPPORTED_ON_AS_OF = {
    "Windows 11 Enterprise", "Windows 10 Enterprise LTSC", "macOS 14",
    "Windows Server 2022 Datacenter", "Windows Server 2019 Standard",
    "Windows Server 2016 Standard", "Red Hat Enterprise Linux 9", "Red Hat Enterprise Linux 8",
    "Ubuntu 22.04", "iPadOS", "Android",
}
# Rates of the planted gaps and other traits (share of the assets or accounts concerned)
RATES = {"medical_on_user_vlan": 0.04, "eol": 0.04, "never_scanned": 0.04,
         "not_in_inventory": 0.03, "no_agent": 0.03, "no_encryption": 0.04, "dmz": 0.10,
         "medical_active_scan": 0.60, "mobile_dhcp": 0.30, "stale_device": 0.02,
         "no_fqdn": 0.05, "disabled": 0.05, "privileged": 0.03, "privileged_no_mfa": 0.08,
         "no_mfa": 0.06, "stale_user": 0.06, "service": 0.01}
# Segment: VLAN, purpose, first third octet, /24s. Hospital h has 10.(16+h).0.0/16.
SEGMENTS = {"network": (1, "Network management", 0, 4), "server": (10, "Servers", 4, 16),
            "dmz": (15, "DMZ", 20, 4), "workstation": (20, "Users", 24, 64),
            "medical_device": (30, "Clinical devices", 88, 64),
            "mobile": (40, "Wireless", 152, 48), "iot": (50, "Facilities IoT", 200, 48)}
PLACES = ("Riverside", "Lakeview", "Cedar Hills", "Mercy Ridge", "Harbor", "Pinecrest",
          "Oak Valley", "Summit", "Fairview", "Westbrook", "Granite Falls", "Maple Grove",
          "Eastgate", "Brookside", "Silver Lake", "Northfield", "Bayview", "Highland",
          "Willow Creek", "Stonebridge", "Clearwater", "Redwood", "Ashford", "Meadowbrook")
KINDS = ("Medical Center", "Community Hospital", "Regional Hospital", "Memorial Hospital",
         "Children's Hospital")
DEPARTMENTS = ("Emergency", "ICU", "Radiology", "Cardiology", "Oncology", "Surgery", "NICU",
               "Laboratory", "Pharmacy", "Front desk", "Billing", "Med-Surg 3W", "Med-Surg 4E",
               "Labor and delivery", "Outpatient clinic", "Administration")
FIRST = words("""
james mary robert patricia john jennifer michael linda david elizabeth william barbara
richard susan joseph jessica thomas sarah charles karen christopher lisa daniel nancy matthew betty
anthony sandra mark ashley donald kimberly steven emily andrew donna paul michelle joshua carol
kenneth amanda kevin melissa brian deborah george stephanie timothy rebecca ronald sharon jason
laura edward cynthia jeffrey amy ryan kathleen jacob angela gary shirley nicholas brenda eric emma
jonathan anna stephen pamela larry nicole justin samantha scott katherine brandon christine
benjamin helen samuel debra gregory rachel alexander carolyn patrick janet frank maria raymond
olivia jack heather dennis diane jerry julie tyler joyce aaron victoria jose ruth adam virginia
nathan lauren henry kelly zachary christina douglas joan peter evelyn kyle judith noah andrea
ethan hannah jeremy megan walter cheryl christian jacqueline keith martha priya wei ahmed fatima
carlos lucia""")
LAST = words("""
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez
gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez
clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green
adams nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans turner diaz
parker cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan
cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood
james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster
jimenez powell jenkins perry russell sullivan bell coleman butler henderson barnes fisher vasquez
simmons romero jordan patterson hamilton graham reynolds griffin wallace moreno west cole hayes
bryant herrera gibson ellis tran medina aguilar stevens murray ford castro marshall owens harrison
fernandez mcdonald woods washington kennedy wells vargas chen freeman webb tucker guzman burns
crawford olson simpson porter hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks
holmes palmer wagner black robertson boyd rose stone salazar fox warren mills meyer rice schmidt
garza daniels ferguson nichols stephens soto weaver ryan gardner payne grant dunn""")
SERVICE_ACCOUNTS = ("svc-scan-to-email", "svc-pacs", "svc-hl7-interface", "svc-backup",
                    "svc-sql", "svc-nessus", "svc-print", "svc-biomed-sync", "svc-fax")
# fmt: on
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rng_for(seed: int, purpose: str) -> random.Random:
    """An independent generator per purpose: one file's draws never shift another's."""
    return random.Random(f"hicp-bench:{seed}:{purpose}")  # noqa: S311 - test data, not secrets


class Quota:
    """True for a steady share of calls (error diffusion), from early on: even a tiny data set
    has each planted gap, and a large one has exactly its share."""

    def __init__(self, rate: float, phase: float = 0.9) -> None:
        self.rate, self.level = rate, phase

    def __call__(self, factor: float = 1.0) -> bool:
        self.level += self.rate * factor
        if self.level >= 1.0:
            self.level -= 1.0
            return True
        return False


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def ctime(moment: dt.datetime) -> str:
    """C ctime() form, as Nessus writes HOST_START/HOST_END (locale-independent)."""
    weekday, month = WEEKDAYS[moment.weekday()], MONTHS[moment.month - 1]
    return f"{weekday} {month} {moment.day:2d} {moment:%H:%M:%S} {moment.year}"


def iso(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def unix(moment: dt.datetime) -> int:
    return int((moment - EPOCH).total_seconds())


def attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def uuid4(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def user_name(index: int) -> str:
    """The index-th distinct first.last name (a fixed permutation, so neighbours differ)."""
    block, rest = divmod(index, len(FIRST) * len(LAST))
    mixed = (rest * 7919) % (len(FIRST) * len(LAST))
    return f"{FIRST[mixed % len(FIRST)]}.{LAST[mixed // len(FIRST)]}{block or ''}"


def mac_text(mac: str, sep: str = ":") -> str:
    return sep.join(mac[i : i + 2] for i in range(0, 12, 2))


# ---- the health system: hospitals and devices ------------------------------------------------


@dataclass(frozen=True)
class Hospital:
    index: int
    code: str
    name: str
    scanner: str  # the network scanner its IT runs: nessus, openvas or qualys
    assets: int
    scan_start: dt.datetime


@dataclass(frozen=True)
class Plan:
    seed: int
    scale: float
    hospitals: tuple[Hospital, ...]
    users: int


def make_plan(scale: float, seed: int) -> Plan:
    rng = rng_for(seed, "plan")
    count = max(4, round(HOSPITALS * scale))
    if count > 240:
        raise SystemExit(f"--scale {scale}: the address plan holds 240 hospitals (scale 12)")
    weights = [2.0] + [rng.uniform(0.6, 1.4) for _ in range(count - 1)]  # the flagship is big
    sizes = apportion(max(count * 10, round(ASSETS * scale)), weights)
    openvas = max(1, round(count * 0.10))  # acquired hospitals that still run Greenbone
    qualys = max(1, round(count * 0.05))
    hospitals = []
    for h, size in enumerate(sizes):
        lap = h // len(PLACES)
        place = PLACES[h % len(PLACES)] + (f" {lap + 1}" if lap else "")
        code = place.replace(" ", "")[:3].lower() + (str(lap) if lap else "")
        scanner = "nessus"
        if h >= count - openvas - qualys:
            scanner = "openvas" if h >= count - openvas else "qualys"
        start = dt.datetime.combine(AS_OF, dt.time(20)) - dt.timedelta(days=rng.randint(2, 30))
        name = f"{place} {KINDS[0] if h == 0 else rng.choice(KINDS)}"
        hospitals.append(Hospital(h, code, name, scanner, size, start))
    return Plan(seed, scale, tuple(hospitals), max(200, round(USERS * scale)))


@dataclass(frozen=True, slots=True)
class Device:
    index: int
    position: int  # in its hospital: hosts of one scan are spread over the scan's night
    hospital: Hospital
    kind: str  # hicp's AssetType value
    label: str
    name: str  # short host name, lower case
    fqdn: str | None  # None: no DNS record
    ip: str
    mac: str  # 12 hex digits
    os: str
    os_version: str
    platform: str  # which checks apply (POOLS)
    eol: bool
    segment: str
    owner: str
    location: str
    encrypted: bool | None
    agent: bool | None
    last_seen: dt.date
    scanned: bool  # reported by at least one scanner
    active_scan: bool  # in its hospital's network scan
    dmz: bool
    in_inventory: bool
    dhcp: bool  # the inventory says "DHCP" instead of an address


def iter_devices(plan: Plan) -> Iterator[Device]:
    """Every asset of the health system: the same sequence on every call."""
    rng = rng_for(plan.seed, "devices")
    quota = {name: Quota(rate) for name, rate in RATES.items()}
    # Exact totals per type (30,000 medical devices at scale 1), spread by hospital size.
    totals = apportion(sum(h.assets for h in plan.hospitals), list(TYPE_SHARES.values()))
    spread = [apportion(total, [h.assets for h in plan.hospitals]) for total in totals]
    index = 0
    for hospital in plan.hospitals:
        used = dict.fromkeys(SEGMENTS, 0)  # addresses handed out per segment
        position = 0
        for kind, per_hospital in zip(TYPE_SHARES, spread, strict=True):
            labels, oses = LABELS[kind], OSES[kind]
            for number in range(per_hospital[hospital.index]):
                label, prefix, _ = rng.choices(labels, [w for _, _, w in labels])[0]
                want_eol = kind in ("workstation", "server", "medical_device") and quota["eol"](
                    2.5 if kind == "medical_device" else 1.0
                )
                choices = [o for o in oses if o[3] == want_eol] or oses
                os_name, version, platform, eol, _ = rng.choices(choices, [o[4] for o in choices])[
                    0
                ]
                dmz = kind == "server" and quota["dmz"]()
                segment = "dmz" if dmz else kind
                if kind == "medical_device" and quota["medical_on_user_vlan"]():
                    segment = "workstation"
                vlan, purpose, base, blocks = SEGMENTS[segment]
                slot = used[segment] % (blocks * 240)
                used[segment] += 1
                scanned = kind != "mobile" and not quota["never_scanned"]()
                # Fragile medical devices are left out of active scans, to the passive platform.
                active = scanned and (kind != "medical_device" or quota["medical_active_scan"]())
                in_inventory = not (scanned and quota["not_in_inventory"]())
                name = f"{hospital.code}-{prefix}-{number + 1:05d}"
                zone = "biomed." if kind == "medical_device" else ""
                # Devices nobody registered mostly have no DNS record either.
                no_dns = quota["no_fqdn"](1.0 if in_inventory else 15.0)
                if kind in ("workstation", "mobile"):
                    owner = f"{user_name(rng.randrange(plan.users))}@{DOMAIN}"
                    if label == "Workstation on wheels":
                        owner = f"Nursing - {rng.choice(DEPARTMENTS)}"
                elif kind == "server":
                    owner = rng.choice(("IT Infrastructure", "Clinical Applications", "Imaging IT"))
                else:
                    owner = {"medical_device": "Biomedical Engineering", "iot": "Facilities"}.get(
                        kind, "Network Services"
                    )
                room = {"server": "Data center", "network": f"IDF {rng.randint(1, 9)}"}.get(kind)
                encrypted = agent = None
                if kind in ("workstation", "mobile"):
                    encrypted = not quota["no_encryption"]()
                elif kind == "server":
                    encrypted = True if rng.random() < 0.7 else None
                if kind in ("workstation", "server"):
                    agent = not quota["no_agent"]()
                stale = quota["stale_device"]()
                seen = AS_OF - dt.timedelta(
                    days=rng.randint(60, 400) if stale else rng.randint(0, 14)
                )
                yield Device(
                    index=index,
                    position=position,
                    hospital=hospital,
                    kind=kind,
                    label=label,
                    name=name,
                    fqdn=None if no_dns else f"{name}.{zone}{hospital.code}.{DOMAIN}",
                    ip=f"10.{16 + hospital.index}.{base + slot // 240}.{10 + slot % 240}",
                    mac=f"{0x001A2B + hospital.index * 7919 % 0xFFFF:06x}{index:06x}",
                    os=os_name,
                    os_version=version,
                    platform=platform,
                    eol=eol,
                    segment=f"{hospital.code.upper()} VLAN {vlan} {purpose}",
                    owner=owner,
                    location=f"{hospital.name} - {room or rng.choice(DEPARTMENTS)}",
                    encrypted=encrypted,
                    agent=agent,
                    last_seen=seen,
                    scanned=scanned,
                    active_scan=active,
                    dmz=dmz,
                    in_inventory=in_inventory,
                    dhcp=kind == "mobile" and quota["mobile_dhcp"](),
                )
                index += 1
                position += 1


def scanner_os(device: Device) -> str:
    """The operating system as a scanner fingerprints it."""
    if device.os.startswith("Windows"):
        return f"Microsoft {device.os}"
    if device.os.startswith("VxWorks"):
        return f"{device.os}\nWind River VxWorks"  # Nessus lists alternatives, one a line
    if device.os in ("", "Embedded Linux", "Printer firmware"):
        return "HP JetDirect" if device.kind == "iot" else "Linux Kernel 3.10"
    return f"{device.os} {device.os_version}".strip()


def cpe(device: Device) -> str:
    vendor = "microsoft" if device.os.startswith("Windows") else "linux"
    if "Cisco" in device.os or "Red Hat" in device.os:
        vendor = "cisco" if "Cisco" in device.os else "redhat"
    return f"cpe:/o:{vendor}:{device.os.lower().replace(' ', '_') or 'linux_kernel'}"


def scan_window(rng: random.Random, device: Device) -> tuple[dt.datetime, dt.datetime]:
    start = device.hospital.scan_start + dt.timedelta(
        seconds=device.position * 3 + rng.randint(0, 90)
    )
    return start, start + dt.timedelta(seconds=rng.randint(45, 1800))


# ---- the check catalog: scanner checks reused across hosts ------------------------------------


@dataclass(slots=True)
class Check:
    """One flaw as the scanners know it: a Nessus plugin, a Greenbone NVT, a Qualys QID and
    the medical-device platform's advisory ID."""

    plugin_id: int
    title: str
    family: str
    severity: int  # 0 info .. 4 critical (Nessus's scale)
    tag: str  # which hosts it applies to (see POOLS)
    port: int = 0
    svc: str = "general"
    proto: str = "tcp"
    cves: tuple[str, ...] = ()
    cvss3: float | None = None
    vector: str = ""
    cvss4: float | None = None
    exploit: bool = False
    kev: str | None = None  # the day it joined CISA's KEV list, YYYY/MM/DD
    synopsis: str = ""
    description: str = ""
    solution: str = "n/a"
    outputs: tuple[str, ...] = ("",)  # plugin output variants, XML-escaped
    published: dt.date = dt.date(2020, 1, 1)
    weight: float = 1.0  # how common it is
    oid: str = ""
    qid: int = 0
    advisory: str = ""
    nessus: str = ""  # the rendered <ReportItem ...> with its children but plugin_output
    openvas: str = ""  # the rendered <nvt> element


# fmt: off
# The check tags a host of each platform draws from (medical devices add their class's
# advisories, end-of-life Windows adds "win_legacy").
POOLS = {
    "windows": ("windows", "win_any", "smb", "web_client"),
    "windows_srv": ("windows_srv", "win_any", "smb", "tls", "web"),
    "linux": ("linux", "ssh", "tls", "web"),
    "mac": ("mac", "ssh", "web_client"),
    "medical_win": ("win_any", "smb", "tls"),
    "medical": ("embedded", "tls"),
    "network": ("network", "ssh", "tls", "snmp"),
    "iot": ("iot", "embedded", "tls", "snmp"),
}
# Open ports a host shows besides those of its findings: (port, service)
BASE_PORTS = {
    "windows": ((135, "epmap"), (139, "smb"), (445, "cifs"), (3389, "msrdp")),
    "windows_srv": ((135, "epmap"), (445, "cifs"), (3389, "msrdp"), (5985, "www")),
    "linux": ((22, "ssh"), (111, "rpc-portmapper")),
    "mac": ((22, "ssh"), (5900, "vnc")),
    "medical_win": ((445, "cifs"), (104, "dicom")),
    "medical": ((80, "www"), (2575, "hl7")),
    "network": ((22, "ssh"), (161, "snmp")),
    "iot": ((80, "www"), (9100, "jetdirect")),
}
VECTORS = {  # a CVSS v3 vector for each base score used
    10.0: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
    9.8: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    9.4: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:L",
    9.1: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
    8.8: "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
    8.1: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
    7.8: "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
    7.5: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
    7.3: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L",
    6.5: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N",
    6.1: "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    5.9: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
    5.5: "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H",
    5.3: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
    4.3: "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N",
    3.7: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N",
    3.1: "CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
    2.4: "CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N",
}
SCORES = {4: (10.0, 9.8, 9.8, 9.1), 3: (8.8, 8.1, 7.8, 7.5, 7.3),
          2: (6.5, 6.1, 5.9, 5.5, 5.3, 4.3), 1: (3.7, 3.1, 2.4)}
RISK = ("None", "Low", "Medium", "High", "Critical")
FLAWS = ("a use-after-free in the script engine lets a remote attacker run code via a web page",
         "an out-of-bounds write in the image parser can lead to remote code execution",
         "improper input validation lets an unauthenticated attacker cause a denial of service",
         "a heap-based buffer overflow in the network service can be triggered remotely",
         "an authentication bypass in the management interface grants administrative access",
         "a path traversal flaw lets a remote attacker read arbitrary files",
         "a SQL injection flaw in the web console exposes the underlying database",
         "an information disclosure flaw exposes process memory to remote clients",
         "a privilege escalation flaw lets a local user gain SYSTEM or root privileges",
         "a cross-site scripting flaw lets an attacker run script in a user's browser session",
         "a race condition in the kernel lets a local user escalate privileges",
         "a deserialization flaw lets a remote attacker execute arbitrary commands",
         "an integer overflow in the TLS handshake can crash the service")
DEVICE_FLAWS = ("Hard-coded Credentials", "Missing Authentication for Critical Function",
                "Cleartext Transmission of Sensitive Information", "Improper Access Control",
                "Stack-based Buffer Overflow", "Use of Obsolete Cryptography",
                "Unauthenticated Firmware Update", "Exposed Debug Service")
# Versioned products: (name, tag, family, port, service, install path or "")
PRODUCTS = (
    ("Google Chrome", "web_client", "Windows", 445, "cifs", r"C:\Program Files\Google\Chrome"),
    ("Mozilla Firefox", "web_client", "Windows", 445, "cifs", r"C:\Program Files\Mozilla Firefox"),
    ("Microsoft Edge (Chromium)", "web_client", "Windows", 445, "cifs",
     r"C:\Program Files (x86)\Microsoft\Edge\Application"),
    ("Adobe Acrobat Reader", "windows", "Windows", 445, "cifs", r"C:\Program Files\Adobe"),
    ("Oracle Java SE", "windows", "Windows", 445, "cifs", r"C:\Program Files\Java\latest"),
    ("Zoom Client for Meetings", "windows", "Windows", 445, "cifs", r"C:\Program Files\Zoom\bin"),
    ("7-Zip", "windows", "Windows", 445, "cifs", r"C:\Program Files\7-Zip"),
    ("Notepad++", "windows", "Windows", 445, "cifs", r"C:\Program Files\Notepad++"),
    ("Microsoft Office", "windows", "Windows : Microsoft Bulletins", 445, "cifs",
     r"C:\Program Files\Microsoft Office\root\Office16"),
    ("Cisco Webex Meetings", "windows", "Windows", 445, "cifs", r"C:\Program Files\Webex"),
    ("Microsoft SQL Server", "windows_srv", "Databases", 1433, "mssql",
     r"C:\Program Files\Microsoft SQL Server"),
    ("Microsoft .NET Core", "windows_srv", "Windows", 445, "cifs", r"C:\Program Files\dotnet"),
    ("VMware Tools", "windows_srv", "Windows", 445, "cifs", r"C:\Program Files\VMware\Tools"),
    ("PaperCut NG/MF", "windows_srv", "CGI abuses", 9191, "www", r"C:\Program Files\PaperCut MF"),
    ("Veeam Backup and Replication", "windows_srv", "Windows", 445, "cifs",
     r"C:\Program Files\Veeam\Backup and Replication"),
    ("Apache HTTP Server", "web", "Web Servers", 443, "www", ""),
    ("Apache Tomcat", "web", "Web Servers", 8443, "www", ""),
    ("nginx", "web", "Web Servers", 443, "www", ""),
    ("PHP", "web", "CGI abuses", 443, "www", ""),
    ("jQuery", "web", "CGI abuses : XSS", 443, "www", ""),
    ("OpenSSL", "tls", "Web Servers", 443, "www", ""),
    ("OpenSSH", "ssh", "Misc.", 22, "ssh", ""),
    ("Dropbear SSH Server", "embedded", "Misc.", 22, "ssh", ""),
    ("lighttpd", "embedded", "Web Servers", 80, "www", ""),
    ("BusyBox", "embedded", "Misc.", 23, "telnet", ""),
    ("Apple macOS", "mac", "MacOS X Local Security Checks", 0, "general", ""),
    ("Microsoft Teams", "mac", "MacOS X Local Security Checks", 0, "general",
     "/Applications/Microsoft Teams.app"),
)
LINUX_PACKAGES = ("kernel", "openssl", "glibc", "sudo", "curl", "python3", "nss", "bind",
                  "httpd", "openssh", "vim", "libxml2", "expat", "systemd", "polkit", "tomcat",
                  "postgresql", "git", "krb5", "samba", "libtiff", "less", "bash")
NETWORK_PRODUCTS = (("Cisco IOS XE Software", "cisco-sa-iosxe"),
                    ("Cisco NX-OS Software", "cisco-sa-nxos"), ("ArubaOS", "ARUBA-PSA"),
                    ("Fortinet FortiOS", "FG-IR"), ("Palo Alto Networks PAN-OS", "PAN-SA"))
IOT_PRODUCTS = ("HP LaserJet firmware", "Lexmark printer firmware", "Ricoh MFP firmware",
                "Axis network camera firmware", "HID badge controller firmware",
                "Honeywell building controller")
# Well-known checks, as real scans show them: plugin ID, tag, port, service, severity, CVSS3,
# exploit available, KEV date, weight, family, CVEs; title
KNOWN = (
    (97833, "win_legacy", 445, "cifs", 4, 8.1, True, "2022/02/10", 6, "Windows",
     "CVE-2017-0143 CVE-2017-0144 CVE-2017-0145 CVE-2017-0146 CVE-2017-0148",
     "MS17-010: Security Update for Microsoft Windows SMB Server (4013389) (ETERNALBLUE)"),
    (125313, "win_legacy", 3389, "msrdp", 4, 9.8, True, "2021/11/03", 5, "Windows",
     "CVE-2019-0708", "Microsoft RDP RCE (CVE-2019-0708) (BlueKeep) (uncredentialed check)"),
    (108797, "win_legacy", 0, "general", 4, 10.0, False, None, 9, "Windows",
     "", "Unsupported Windows OS (remote)"),
    (100464, "win_legacy", 445, "cifs", 3, 8.1, True, None, 5, "Windows",
     "CVE-2017-0267 CVE-2017-0268 CVE-2017-0270",
     "Microsoft Windows SMBv1 Multiple Vulnerabilities"),
    (156014, "web", 443, "www", 4, 10.0, True, "2021/12/10", 2, "Web Servers",
     "CVE-2021-44228",
     "Apache Log4Shell RCE detection via callback correlation (Direct Check HTTP)"),
    (134862, "web", 8009, "ajp13", 4, 9.8, True, "2022/03/03", 3, "Web Servers",
     "CVE-2020-1938", "Apache Tomcat AJP Connector Request Injection (Ghostcat)"),
    (127123, "embedded", 0, "general", 4, 9.8, True, None, 6, "Misc.",
     "CVE-2019-12255 CVE-2019-12256 CVE-2019-12257 CVE-2019-12260",
     "Wind River VxWorks TCP/IP Stack Multiple Vulnerabilities (URGENT/11)"),
    (42873, "tls", 443, "www", 2, 7.5, False, None, 30, "General",
     "CVE-2016-2183", "SSL Medium Strength Cipher Suites Supported (SWEET32)"),
    (104743, "tls", 443, "www", 2, 6.5, False, None, 35, "Service detection",
     "", "TLS Version 1.0 Protocol Detection"),
    (157288, "tls", 443, "www", 2, 6.5, False, None, 30, "Service detection",
     "", "TLS Version 1.1 Deprecated Protocol"),
    (51192, "tls", 443, "www", 2, 6.5, False, None, 40, "General",
     "", "SSL Certificate Cannot Be Trusted"),
    (57582, "tls", 443, "www", 2, 6.5, False, None, 30, "General",
     "", "SSL Self-Signed Certificate"),
    (15901, "tls", 443, "www", 2, 5.3, False, None, 12, "General", "", "SSL Certificate Expiry"),
    (65821, "tls", 443, "www", 2, 5.9, False, None, 8, "General",
     "CVE-2013-2566 CVE-2015-2808", "SSL RC4 Cipher Suites Supported (Bar Mitzvah)"),
    (20007, "tls", 443, "www", 4, 9.8, False, None, 5, "Service detection",
     "", "SSL Version 2 and 3 Protocol Detection"),
    (57608, "smb", 445, "cifs", 2, 5.3, False, None, 45, "Misc.", "", "SMB Signing not required"),
    (58453, "smb", 3389, "msrdp", 2, 6.5, False, None, 10, "Misc.",
     "", "Terminal Services Doesn't Use Network Level Authentication (NLA) Only"),
    (30218, "smb", 3389, "msrdp", 1, 3.7, False, None, 10, "Misc.",
     "", "Terminal Services Encryption Level is not FIPS-140 Compliant"),
    (18405, "smb", 3389, "msrdp", 2, 6.5, True, None, 8, "Windows",
     "CVE-2005-1794", "Remote Desktop Protocol Server Man-in-the-Middle Weakness"),
    (90317, "ssh", 22, "ssh", 2, 4.3, False, None, 12, "Misc.",
     "", "SSH Weak Algorithms Supported"),
    (70658, "ssh", 22, "ssh", 1, 3.7, False, None, 14, "Misc.",
     "CVE-2008-5161", "SSH Server CBC Mode Ciphers Enabled"),
    (153953, "ssh", 22, "ssh", 1, 3.7, False, None, 14, "Misc.",
     "", "SSH Weak Key Exchange Algorithms Enabled"),
    (201198, "ssh", 22, "ssh", 3, 8.1, True, None, 6, "Misc.",
     "CVE-2024-6387", "OpenSSH < 9.8 RCE (regreSSHion)"),
    (41028, "snmp", 161, "snmp", 3, 7.5, True, None, 10, "SNMP",
     "CVE-1999-0517", "SNMP Agent Default Community Name (public)"),
    (42263, "embedded", 23, "telnet", 3, 7.3, False, None, 10, "Misc.",
     "", "Unencrypted Telnet Server"),
    (10079, "embedded", 21, "ftp", 2, 5.3, True, None, 4, "FTP",
     "CVE-1999-0497", "Anonymous FTP Enabled"),
    (11213, "web", 80, "www", 2, 5.3, False, None, 8, "Web Servers",
     "CVE-2003-1567 CVE-2004-2320", "HTTP TRACE / TRACK Methods Allowed"),
    (166555, "win_any", 445, "cifs", 2, 5.5, True, "2022/01/10", 30, "Windows", "CVE-2013-3900",
     "WinVerifyTrust Signature Validation CVE-2013-3900 Mitigation (EnableCertPaddingCheck)"),
    (63155, "win_any", 445, "cifs", 3, 8.8, True, None, 10, "Windows",
     "CVE-2013-1609 CVE-2014-0759", "Microsoft Windows Unquoted Service Path Enumeration"),
    (180203, "network", 443, "www", 4, 10.0, True, "2023/10/16", 3, "CISCO",
     "CVE-2023-20198 CVE-2023-20273",
     "Cisco IOS XE Software Web UI Privilege Escalation (cisco-sa-iosxe-webui-privesc-j22SaA4z)"),
    (193237, "network", 443, "www", 4, 10.0, True, "2024/04/12", 1, "Palo Alto Local Checks",
     "CVE-2024-3400", "Palo Alto Networks PAN-OS GlobalProtect Command Injection (CVE-2024-3400)"),
    (168696, "network", 443, "www", 4, 9.8, True, "2022/12/13", 1, "Firewalls",
     "CVE-2022-42475", "Fortinet FortiOS SSL-VPN Heap-based Buffer Overflow (FG-IR-22-398)"),
    (150054, "windows_srv", 443, "www", 4, 9.8, True, "2021/11/03", 2, "Windows",
     "CVE-2021-34473 CVE-2021-34523 CVE-2021-31207",
     "Microsoft Exchange Server ProxyShell Remote Code Execution"),
    (174221, "windows_srv", 9191, "www", 4, 9.8, True, "2023/04/21", 2, "CGI abuses",
     "CVE-2023-27350", "PaperCut NG/MF Authentication Bypass (CVE-2023-27350)"),
    (185489, "web", 443, "www", 4, 9.4, True, "2023/10/18", 1, "CGI abuses", "CVE-2023-4966",
     "Citrix NetScaler ADC and Gateway Information Disclosure (CVE-2023-4966) (Citrix Bleed)"),
)
# Informational plugins drawn like findings: ID, title, family, tag, port, service
INFO_CHECKS = (
    (20811, "Microsoft Windows Installed Software Enumeration (credentialed check)", "Windows",
     "win_any", 0, "general"),
    (38153, "Microsoft Windows Summary of Missing Patches", "Windows : Microsoft Bulletins",
     "win_any", 0, "general"),
    (10150, "Windows NetBIOS / SMB Remote Host Information Disclosure", "Windows",
     "smb", 137, "netbios-ns"),
    (100871, "Microsoft Windows SMB Versions Supported (remote check)", "Windows",
     "smb", 445, "cifs"),
    (141118, "Target Credential Status by Authentication Protocol - Valid Credentials Provided",
     "Settings", "win_any", 0, "general"),
    (117887, "OS Security Patch Assessment Available", "Settings", "linux", 0, "general"),
    (22869, "Software Enumeration (SSH)", "General", "linux", 0, "general"),
    (10267, "SSH Server Type and Version Information", "Service detection", "ssh", 22, "ssh"),
    (70657, "SSH Algorithms and Languages Supported", "Misc.", "ssh", 22, "ssh"),
    (56984, "SSL / TLS Versions Supported", "General", "tls", 443, "www"),
    (10863, "SSL Certificate Information", "General", "tls", 443, "www"),
    (21643, "SSL Cipher Suites Supported", "General", "tls", 443, "www"),
    (10107, "HTTP Server Type and Version", "Web Servers", "web", 443, "www"),
    (35716, "Ethernet Card Manufacturer Detection", "Misc.", "embedded", 0, "general"),
    (66334, "Patch Report", "General", "windows", 0, "general"),
    (40448, "SNMP Supported Protocols Detection", "SNMP", "snmp", 161, "snmp"),
    (10884, "Network Time Protocol (NTP) Server Detection", "Service detection", "network",
     123, "ntp"),
)
# Informational plugins every Nessus host gets, with host-specific output: ID, title, family,
# synopsis
BASE_INFO = (
    (19506, "Nessus Scan Information", "Settings",
     "This plugin displays information about the Nessus scan."),
    (11936, "OS Identification", "General", "It is possible to guess the remote operating system."),
    (45590, "Common Platform Enumeration (CPE)", "General",
     "It was possible to enumerate CPE names that matched on the remote system."),
    (54615, "Device Type", "General", "It is possible to guess the remote device type."),
    (10287, "Traceroute Information", "General",
     "It was possible to obtain traceroute information."),
    (25220, "TCP/IP Timestamps Supported", "General",
     "The remote service implements TCP timestamps."),
    (12053, "Host Fully Qualified Domain Name (FQDN) Resolution", "General",
     "It was possible to resolve the name of the remote host."),
)
# fmt: on


def build_catalog(seed: int) -> list[Check]:
    """The checks of the scans: well-known ones and generated ones, with popularity weights."""
    rng = rng_for(seed, "catalog")
    checks: list[Check] = []
    for pid, tag, port, svc, sev, score, exploit, kev, weight, family, cves, title in KNOWN:
        checks.append(
            Check(pid, title, family, sev, tag, port, svc, cves=tuple(cves.split()), cvss3=score,
                  vector=VECTORS[score], exploit=exploit, kev=kev, weight=weight)
        )  # fmt: skip
    for pid, title, family, tag, port, svc in INFO_CHECKS:
        checks.append(Check(pid, title, family, 0, tag, port, svc, weight=25))
    made: list[tuple[str, str, str, int, str, str, str, str]] = []  # + product, path, fix
    for product, tag, family, port, svc, path in PRODUCTS:
        for _ in range(14 if tag in ("web_client", "windows", "web") else 8):
            major = rng.randint(118, 131) if tag == "web_client" else rng.randint(1, 12)
            fixed = f"{major}.{rng.randint(0, 9)}.{rng.randint(1, 40)}"
            kind = rng.choice(
                ("Multiple Vulnerabilities", "Multiple Vulnerabilities", "Vulnerability")
            )
            made.append(
                (f"{product} < {fixed} {kind}", family, tag, port, svc, product, path, fixed)
            )
    for year in range(2024, 2027):
        for month in MONTHS:
            kb = str(rng.randint(5030000, 5069999))
            for system, tag in (
                ("Windows 10 version 22H2", "windows"),
                ("Windows 11 version 23H2", "windows"),
                ("Windows Server 2019", "windows_srv"),
                ("Windows Server 2022", "windows_srv"),
            ):
                title = f"KB{kb}: {system} Security Update ({month} {year})"
                family = "Windows : Microsoft Bulletins"
                made.append((title, family, tag, 445, "cifs", "Windows", r"C:\Windows", kb))
    for number in range(300):
        package, fix = rng.choice(LINUX_PACKAGES), f"{rng.randint(1, 9)}.{rng.randint(0, 30)}"
        if number % 2:
            advisory = f"RHSA-{rng.randint(2023, 2026)}:{rng.randint(1000, 9999)}"
            title = f"RHEL {rng.choice((8, 9))} : {package} ({advisory})"
            family = "Red Hat Local Security Checks"
        else:
            title = (
                f"Ubuntu 22.04 LTS : {package} vulnerabilities (USN-{rng.randint(6000, 7400)}-1)"
            )
            family = "Ubuntu Local Security Checks"
        made.append((title, family, "linux", 0, "general", package, "", fix))
    for number in range(150):
        product, prefix = rng.choice(NETWORK_PRODUCTS)
        advisory = f"{prefix}-{rng.randint(2021, 2026)}-{number:03d}"
        title = f"{product} {rng.choice(DEVICE_FLAWS)} ({advisory})"
        family = "CISCO" if "Cisco" in product else "Firewalls"
        made.append((title, family, "network", 443, "www", product, "", advisory))
    for label, noun in DEVICE_NOUNS.items():
        for number in range(13):
            day = f"{rng.randint(19, 26)}-{rng.randint(1, 365):03d}"
            advisory = f"ICSMA-{day}-{number % 9 + 1:02d}"
            port, svc = rng.choice(
                ((443, "www"), (80, "www"), (104, "dicom"), (2575, "hl7"), (0, "general"))
            )
            title = f"{noun} firmware {rng.choice(DEVICE_FLAWS)} ({advisory})"
            made.append(
                (title, "SCADA", f"med:{label}", port, svc, f"{noun} firmware", "", advisory)
            )
    for number in range(80):
        product = rng.choice(IOT_PRODUCTS)
        fixed = f"{rng.randint(2, 12)}.{rng.randint(0, 9)}.{number}"
        port = rng.choice((80, 443, 9100))
        made.append((f"{product} < {fixed} Multiple Vulnerabilities", "Misc.", "iot", port, "www",
                     product, "", fixed))  # fmt: skip
    taken = {c.plugin_id for c in checks}
    ids = [i for i in rng.sample(range(130000, 215000), len(made) + len(taken)) if i not in taken]
    for (title, family, tag, port, svc, product, path, fixed), pid in zip(made, ids, strict=False):
        checks.append(_generated(rng, pid, title, family, tag, port, svc, product, path, fixed))
    _finish(rng, checks)
    return checks


def _generated(
    rng: random.Random,
    pid: int,
    title: str,
    family: str,
    tag: str,
    port: int,
    svc: str,
    product: str,
    path: str,
    fixed: str,
) -> Check:
    severity = rng.choices((4, 3, 2, 1), (15, 40, 35, 10))[0]
    score = rng.choice(SCORES[severity])
    published = AS_OF - dt.timedelta(days=rng.randint(20, 1500))
    exploit = severity >= 3 and rng.random() < 0.35
    cves: dict[str, None] = {}
    while len(cves) < rng.choice((1, 1, 2, 3, 4, 6)):
        year = rng.randint(max(2015, published.year - 1), published.year)
        cves[f"CVE-{year}-{rng.randint(20000, 52999)}"] = None
    kev = None
    if exploit and rng.random() < 0.12:  # a few known-exploited flaws
        kev = f"{published + dt.timedelta(days=rng.randint(5, 200)):%Y/%m/%d}"
    cvss4 = round(min(10.0, score + rng.choice((-0.4, 0.0, 0.3))), 1)
    flaws = "".join(f"\n\n  - {rng.choice(FLAWS)}. ({cve})" for cve in list(cves)[:4])
    several = "multiple vulnerabilities" if len(cves) > 1 else "a vulnerability"
    outputs: tuple[str, ...] = ("",)
    if path:
        outputs = tuple(
            f"\n  Path              : {path}\n  Installed version : "
            f"{fixed.rsplit('.', 1)[0]}.{rng.randint(0, 9)}\n  Fixed version     : {fixed}\n"
            for _ in range(3)
        )
    return Check(
        pid, title, family, severity, tag, port, svc, cves=tuple(cves), cvss3=score,
        vector=VECTORS[score], cvss4=cvss4 if rng.random() < 0.3 else None, exploit=exploit,
        kev=kev, synopsis=f"The remote host is missing a security update for {product}.",
        description=(
            f"The version of {product} installed on the remote host is affected by {several} as "
            f"referenced in the vendor advisory.{flaws}\n\nNote that Nessus has not tested for "
            "these issues but has instead relied only on the application's self-reported version."
        ),
        solution=f"Upgrade {product} to version {fixed} or later, or apply the vendor's fix.",
        outputs=outputs, published=published, weight=50.0 / (1 + rng.random() * 40) ** 1.2,
    )  # fmt: skip


def _finish(rng: random.Random, checks: list[Check]) -> None:
    """Fill the texts known checks lack, the other scanners' IDs, and pre-render the XML."""
    oids = rng.sample(range(110000, 999999), len(checks))  # clear of OPENVAS_BASE's
    qids = rng.sample(range(100000, 399999), len(checks))  # clear of QUALYS_BASE's
    advisories: set[str] = set()
    for number, check in enumerate(checks):
        check.oid, check.qid = f"1.3.6.1.4.1.25623.1.0.{oids[number]}", qids[number]
        check.advisory = f"MDS-{check.plugin_id}"
        if "(ICSMA-" in check.title:
            advisory = check.title.rsplit("(", 1)[1].rstrip(")")
            if advisory not in advisories:
                check.advisory = advisory
        advisories.add(check.advisory)
        if check.svc in UDP_SERVICES:
            check.proto = "udp"
        if not check.synopsis:
            found = "is affected by" if check.severity else "reports"
            check.synopsis = f"The remote host {found}: {check.title}."
            check.description = (
                f"{check.title}.\n\nSee the plugin output for what was found on this host."
            )
            if check.severity:
                check.solution = "Apply the vendor's fix or the configuration it recommends."
        check.outputs = tuple(escape(text) for text in check.outputs)
        check.nessus = _nessus_check(check)
        check.openvas = _openvas_nvt(check)


def _nessus_check(c: Check) -> str:
    agent = "windows" if c.svc == "cifs" else "unix" if c.port == 0 else "all"
    parts = [
        f'<ReportItem port="{c.port}" svc_name="{c.svc}" protocol="{c.proto}" '
        f'severity="{c.severity}" pluginID="{c.plugin_id}" pluginName="{attr(c.title)}" '
        f'pluginFamily="{attr(c.family)}">\n<agent>{agent}</agent>\n'
    ]
    if c.kev:
        parts.append(f"<cisa-known-exploited>{c.kev}</cisa-known-exploited>\n")
    parts += [f"<cve>{cve}</cve>\n" for cve in c.cves]
    if c.cvss3 is not None:
        parts.append(f"<cvss3_base_score>{c.cvss3}</cvss3_base_score>\n")
        parts.append(f"<cvss3_vector>{c.vector}</cvss3_vector>\n")
    if c.cvss4 is not None:
        parts.append(f"<cvss4_base_score>{c.cvss4}</cvss4_base_score>\n")
    parts.append(f"<description>{escape(c.description)}</description>\n")
    if c.severity:
        parts.append(f"<exploit_available>{str(c.exploit).lower()}</exploit_available>\n")
    if c.exploit:
        parts.append("<exploitability_ease>Exploits are available</exploitability_ease>\n")
    stem = re.sub(r"[^a-z0-9]+", "_", c.title.split(" <")[0].split(":")[0].lower())[:32]
    modified = AS_OF - dt.timedelta(days=c.plugin_id % 90)
    parts.append(
        f"<fname>{stem.strip('_')}.nasl</fname>\n"
        f"<plugin_modification_date>{modified:%Y/%m/%d}</plugin_modification_date>\n"
        f"<plugin_name>{escape(c.title)}</plugin_name>\n"
        f"<plugin_publication_date>{c.published:%Y/%m/%d}</plugin_publication_date>\n"
        f"<plugin_type>{'local' if c.port == 0 or c.svc == 'cifs' else 'remote'}</plugin_type>\n"
        f"<risk_factor>{RISK[c.severity]}</risk_factor>\n"
        f"<script_version>1.{c.plugin_id % 23 + 1}</script_version>\n"
        f"<solution>{escape(c.solution)}</solution>\n<synopsis>{escape(c.synopsis)}</synopsis>\n"
    )
    return "".join(parts)


def _openvas_nvt(c: Check) -> str:
    refs = "".join(f'\n            <ref type="cve" id="{cve}"/>' for cve in c.cves)
    score = c.cvss3 if c.cvss3 is not None else 0.0
    severities = ""
    if c.cvss3 is not None:
        vector = c.vector.replace("CVSS:3.0", "CVSS:3.1")
        severities = (
            f'\n          <severities score="{score}"><severity type="cvss_base_v3"><origin/>'
            f"<date>{c.published}T00:00:00Z</date><score>{score}</score><value>{vector}</value>"
            "</severity></severities>"
        )
    summary, solution = escape(c.synopsis.replace("|", "/")), escape(c.solution.replace("|", "/"))
    return (
        f'<nvt oid="{c.oid}">\n          <type>nvt</type>\n          <name>{escape(c.title)}</name>'
        f"\n          <family>{escape(c.family)}</family>\n          <cvss_base>{score}</cvss_base>"
        f"{severities}\n          <tags>summary={summary}|solution={solution}"
        f"|solution_type=VendorFix</tags>\n          <refs>{refs}\n          </refs>\n"
        "        </nvt>"
    )


@dataclass
class Pool:
    checks: list[Check]
    cumulative: list[float]


class Pools:
    """The checks a host can show, by tag set, with cumulative weights for fast draws."""

    def __init__(self, catalog: Sequence[Check]) -> None:
        self.catalog = catalog
        self.cache: dict[tuple[str, ...], Pool] = {}
        self.unsupported = next(c for c in catalog if c.plugin_id == 108797)

    def get(self, tags: tuple[str, ...]) -> Pool:
        if tags not in self.cache:
            checks = [c for c in self.catalog if c.tag in tags]
            total, cumulative = 0.0, []
            for check in checks:
                total += check.weight
                cumulative.append(total)
            self.cache[tags] = Pool(checks, cumulative)
        return self.cache[tags]

    def pick(
        self, rng: random.Random, device: Device, count: int, tags: tuple[str, ...] = ()
    ) -> list[Check]:
        """``count`` distinct checks for a host, popular ones most often."""
        tags = tags or POOLS[device.platform]
        if device.kind == "medical_device":
            tags = (*tags, f"med:{device.label}")
        legacy = device.eol and "win" in device.platform
        pool = self.get((*tags, "win_legacy") if legacy else tags)
        count = min(count, len(pool.checks) // 2)
        picked: dict[int, Check] = {}
        if legacy:
            picked[self.unsupported.plugin_id] = self.unsupported
        for _ in range(4):
            for check in rng.choices(pool.checks, cum_weights=pool.cumulative, k=count):
                picked.setdefault(check.plugin_id, check)
            if len(picked) >= count:
                break
        return list(picked.values())[:count]


def item_count(rng: random.Random, kind: str) -> int:
    return max(2, round(FINDINGS_PER_HOST[kind] * rng.uniform(0.5, 1.5)))


# ---- Nessus ------------------------------------------------------------------------------------

SYN_BODY = (
    "<description>This plugin is a SYN &apos;half-open&apos; port scanner. It shall be "
    "reasonably quick even against a firewalled target.</description>\n"
    "<fname>nessus_syn_scanner.nbin</fname>\n"
    "<plugin_modification_date>2026/06/12</plugin_modification_date>\n"
    "<plugin_name>Nessus SYN scanner</plugin_name>\n"
    "<plugin_publication_date>2009/02/04</plugin_publication_date>\n"
    "<plugin_type>remote</plugin_type>\n<risk_factor>None</risk_factor>\n"
    "<script_version>1.62</script_version>\n"
    "<solution>Protect your target with an IP filter.</solution>\n"
    "<synopsis>It is possible to determine which TCP ports are open.</synopsis>\n"
)
POLICY = "Northwind Health internal - credentialed"


def _base_info_heads() -> dict[int, str]:
    heads = {}
    for pid, title, family, synopsis in BASE_INFO:
        fname = re.sub(r"[^a-z0-9]+", "_", title.lower())[:24].strip("_")
        heads[pid] = (
            f'<ReportItem port="0" svc_name="general" protocol="tcp" severity="0" '
            f'pluginID="{pid}" pluginName="{attr(title)}" pluginFamily="{family}">\n'
            f"<description>{escape(synopsis)} The details are in the plugin output.</description>"
            f"\n<fname>{fname}.nasl</fname>\n<plugin_name>{escape(title)}</plugin_name>\n"
            "<plugin_type>summary</plugin_type>\n<risk_factor>None</risk_factor>\n"
            f"<solution>n/a</solution>\n<synopsis>{escape(synopsis)}</synopsis>\n"
        )
    return heads


def write_nessus(path: Path, plan: Plan, catalog: Sequence[Check]) -> dict[str, Any]:
    rng = rng_for(plan.seed, "nessus")
    pools, heads = Pools(catalog), _base_info_heads()
    items = hosts = 0
    with path.open("w", encoding="utf-8", newline="\n", buffering=WRITE_BUFFER) as out:
        out.write(
            f'<?xml version="1.0" ?>\n<NessusClientData_v2>\n<Policy><policyName>{POLICY}'
            "</policyName>\n<Preferences><ServerPreferences><preference><name>"
            "max_simult_tcp_sessions</name>\n<value>unlimited</value>\n</preference>\n"
            "<preference><name>plugin_set</name>\n<value>"
            f"{';'.join(str(c.plugin_id) for c in catalog)}</value>\n</preference>\n"
            '</ServerPreferences></Preferences>\n</Policy>\n<Report name="Northwind Health '
            'internal - all hospitals" xmlns:cm="http://www.nessus.org/cm">\n'
        )
        for device in iter_devices(plan):
            if device.active_scan and device.hospital.scanner == "nessus":
                text, count = _nessus_host(rng, device, pools, heads)
                out.write(text)
                items += count
                hosts += 1
        out.write("</Report>\n</NessusClientData_v2>\n")
    return {"kind": "nessus", "hosts": hosts, "rows": items, "records": items}


def _nessus_host(
    rng: random.Random, device: Device, pools: Pools, heads: dict[int, str]
) -> tuple[str, int]:
    """One <ReportHost> and its number of <ReportItem>s."""
    checks = pools.pick(rng, device, item_count(rng, device.kind) - 9)
    ports = dict(BASE_PORTS[device.platform])
    for check in checks:
        if check.port:
            ports.setdefault(check.port, check.svc)
    start, end = scan_window(rng, device)
    windows = device.os.startswith("Windows")
    credentialed = device.kind in ("workstation", "server")
    os_text, scanner = scanner_os(device), f"10.{16 + device.hospital.index}.4.5"
    system_type = {"network": "switch", "iot": "embedded", "medical_device": "embedded"}
    tags = [
        ("HOST_END_TIMESTAMP", str(unix(end))),
        ("HOST_END", ctime(end)),
        ("Credentialed_Scan", str(credentialed).lower()),
        ("policy-used", POLICY),
        ("patch-summary-total-cves", str(sum(len(c.cves) for c in checks))),
        ("cpe-0", cpe(device)),
        ("os", "windows" if windows else "other"),
        ("operating-system", os_text),
        ("system-type", system_type.get(device.kind, "general-purpose")),
        ("host-ip", device.ip),
    ]
    if device.fqdn:
        tags.append(("host-fqdn", device.fqdn))
    if windows:
        tags.append(("netbios-name", device.name.upper()))
    tags.append(("mac-address", mac_text(device.mac)))
    tags += [("HOST_START_TIMESTAMP", str(unix(start))), ("HOST_START", ctime(start))]
    name = device.fqdn if device.fqdn and device.kind == "server" else device.ip
    parts = [f'<ReportHost name="{name}"><HostProperties>\n']
    parts += [f'<tag name="{key}">{escape(value)}</tag>\n' for key, value in tags]
    parts.append("</HostProperties>\n")
    tcp = [(port, svc) for port, svc in ports.items() if svc not in UDP_SERVICES]
    for port, svc in tcp:  # a SYN scan sees TCP ports only
        parts.append(
            f'<ReportItem port="{port}" svc_name="{svc}" protocol="tcp" severity="0" '
            'pluginID="11219" pluginName="Nessus SYN scanner" pluginFamily="Port scanners">\n'
            f"{SYN_BODY}<plugin_output>Port {port}/tcp was found to be open</plugin_output>\n"
            "</ReportItem>\n"
        )
    account = "yes, as 'NORTHWIND\\svc-nessus'" if credentialed else "no"
    rtt = f"{rng.randint(1, 90)}.{rng.randint(100, 999)}"
    info = {
        19506: (
            f"Information about this scan : \n\nNessus version : 10.8.3\nPlugin feed version : "
            f"{start:%Y%m%d}0412\nScan type : Normal\nScan name : {escape(device.hospital.name)} "
            f"weekly\nScan policy used : {POLICY}\nScanner IP : {scanner}\nPort scanner(s) : "
            f"nessus_syn_scanner \nPort range : default\nPing RTT : {rtt} ms\n"
            f"Thorough tests : no\nExperimental tests : no\nParanoia level : 1\nReport verbosity "
            f": 1\nSafe checks : yes\nOptimize the test : yes\nCredentialed checks : "
            f"{escape(account)}\nPatch management checks : None\nCGI scanning : disabled\n"
            f"Max hosts : 30\nMax checks : 4\nRecv timeout : 5\n"
            f"Scan Start Date : {start:%Y/%m/%d %H:%M} UTC\n"
            f"Scan duration : {int((end - start).total_seconds())} sec\n"
        ),
        11936: (
            f"\nRemote operating system : {escape(os_text)}\nConfidence level : "
            f"{100 if credentialed else 70}\nMethod : {'SMB' if windows else 'SinFP'}\n"
        ),
        45590: f"\nThe remote operating system matched the following CPE : \n\n  {cpe(device)}\n",
        54615: (
            f"Remote device type : {'general-purpose' if credentialed else 'embedded'}\n"
            "Confidence level : 70\n"
        ),
        10287: (
            f"For your information, here is the traceroute from {scanner} to {device.ip} : \n"
            f"{scanner}\n10.{16 + device.hospital.index}.0.1\n{device.ip}\n\nHop Count: 2\n"
        ),
        25220: "",
    }  # fmt: skip
    if device.fqdn:
        info[12053] = f"\n{device.ip} resolves as {device.fqdn}.\n"
    for pid, output in info.items():
        body = f"<plugin_output>{output}</plugin_output>\n" if output else ""
        parts.append(f"{heads[pid]}{body}</ReportItem>\n")
    for check in checks:
        output = check.outputs[device.index % len(check.outputs)]
        body = f"<plugin_output>{output}</plugin_output>\n" if output else ""
        parts.append(f"{check.nessus}{body}</ReportItem>\n")
    parts.append("</ReportHost>\n")
    return "".join(parts), len(tcp) + len(info) + len(checks)


# ---- Greenbone / OpenVAS -------------------------------------------------------------------------

# Greenbone's own NVTs every host gets: OID suffix, name, family, score
OPENVAS_BASE = (
    (105937, "OS Detection Consolidation and Reporting", "Product detection", 0.0),
    (51662, "Traceroute", "General", 0.0),
    (108449, "Hostname Determination Reporting", "Service detection", 0.0),
    (810002, "CPE Inventory", "Service detection", 0.0),
    (80091, "TCP Timestamps Information Disclosure", "General", 2.6),
)
REPORT_FORMAT = "a994b278-1f62-11e1-96ac-406186ea4fc5"  # Greenbone's XML report format


def _threat(score: float) -> str:
    return "Log" if score <= 0 else "Low" if score < 4 else "Medium" if score < 7 else "High"


def write_openvas(path: Path, plan: Plan, catalog: Sequence[Check]) -> dict[str, Any]:
    """The Greenbone report of the hospitals that still run it (GMP 22.4 XML report)."""
    rng = rng_for(plan.seed, "openvas")
    pools = Pools(catalog)
    base = []
    for suffix, name, family, score in OPENVAS_BASE:
        check = Check(0, name, family, 0, "", cvss3=score or None, vector=VECTORS[3.7])
        check.oid, check.synopsis = f"1.3.6.1.4.1.25623.1.0.{suffix}", f"{name}."
        check.openvas = _openvas_nvt(check)
        base.append((check, score))
    hosts = sum(1 for d in iter_devices(plan) if _in_openvas(d))
    begun = min(h.scan_start for h in plan.hospitals if h.scanner == "openvas")
    report = uuid4(rng)
    rows = records = 0
    false_positive = Quota(0.002)
    with path.open("w", encoding="utf-8", newline="\n", buffering=WRITE_BUFFER) as out:
        out.write(
            f'<report id="{report}" format_id="{REPORT_FORMAT}" extension="xml" '
            'content_type="text/xml">\n  <owner><name>vuln-mgmt</name></owner>\n'
            f"  <name>{iso(begun)}</name>\n  <creation_time>{iso(begun)}</creation_time>\n"
            f"  <modification_time>{iso(begun + dt.timedelta(hours=9))}</modification_time>\n"
            f'  <report_format id="{REPORT_FORMAT}"><name>XML</name></report_format>\n'
            f'  <report id="{report}">\n    <gmp><version>22.4</version></gmp>\n'
            "    <scan_run_status>Done</scan_run_status>\n"
            f'    <hosts><count>{hosts}</count></hosts>\n    <results start="1" max="-1">\n'
        )
        for device in iter_devices(plan):
            if not _in_openvas(device):
                continue
            start, _ = scan_window(rng, device)
            checks = pools.pick(rng, device, item_count(rng, device.kind) - 5)
            asset = uuid4(rng)
            for check, score in [(c, c.cvss3 or 0.0) for c in checks] + base:
                when = iso(start + dt.timedelta(seconds=rng.randint(5, 900)))
                port = f"{check.port or 'general'}/{check.proto}"
                threat, severity = _threat(score), f"{score:.1f}"
                if false_positive():
                    threat, severity = "False Positive", "-1.0"  # an override; hicp skips it
                else:
                    records += 1
                rows += 1
                detection = ""
                if check.port and rng.random() < 0.1:  # nested results are not findings
                    detection = (
                        f'\n        <detection>\n          <result id="{uuid4(rng)}"><details>'
                        f"<detail><name>product</name><value>{cpe(device)}</value></detail>"
                        f"<detail><name>location</name><value>{port}</value></detail>"
                        "</details></result>\n        </detection>"
                    )
                local = check.port == 0
                out.write(
                    f'      <result id="{uuid4(rng)}">\n        <name>{escape(check.title)}</name>'
                    "\n        <owner><name>vuln-mgmt</name></owner>\n"
                    f"        <modification_time>{when}</modification_time>\n        <comment/>\n"
                    f"        <creation_time>{when}</creation_time>\n"
                    f'        <host>{device.ip}<asset asset_id="{asset}"/><hostname>'
                    f"{device.fqdn or ''}</hostname></host>\n        <port>{port}</port>\n"
                    f"        {check.openvas}\n        <scan_nvt_version/>\n"
                    f"        <threat>{threat}</threat>\n        <severity>{severity}</severity>\n"
                    f"        <qod><value>{97 if local else 80}</value><type>"
                    f"{'package' if local else 'remote_banner'}</type></qod>\n"
                    f"        <description>{check.outputs[device.index % len(check.outputs)]}"
                    f"</description>{detection}\n        <original_threat>{threat}"
                    f"</original_threat>\n        <original_severity>{severity}"
                    "</original_severity>\n      </result>\n"
                )
        out.write(
            f"    </results>\n    <result_count><full>{rows}</full><filtered>{rows}</filtered>"
            "</result_count>\n"
        )
        for device in iter_devices(plan):  # the host details Greenbone appends after results
            if _in_openvas(device):
                out.write(
                    f"    <host>\n      <ip>{device.ip}</ip>\n      <start>"
                    f"{iso(device.hospital.scan_start)}</start>\n      <detail><name>best_os_txt"
                    f"</name><value>{escape(scanner_os(device))}</value></detail>\n      <detail>"
                    f"<name>hostname</name><value>{device.fqdn or ''}</value></detail>\n"
                    "    </host>\n"
                )
        out.write(f"    <scan_start>{iso(begun)}</scan_start>\n  </report>\n</report>\n")
    return {"kind": "openvas", "hosts": hosts, "rows": rows, "records": records}


def _in_openvas(device: Device) -> bool:
    return device.active_scan and device.hospital.scanner == "openvas"


# ---- Qualys --------------------------------------------------------------------------------------

QUALYS_HEADER = words(
    "IP,Network,DNS,NetBIOS,Tracking Method,OS,IP Status,QID,Title,Vuln Status,Type,Severity,"
    "Port,Protocol,FQDN,SSL,First Detected,Last Detected,Times Detected,Date Last Fixed,CVE ID,"
    "Vendor Reference,Bugtraq ID,CVSS3,CVSS3 Base,CVSS3 Temporal,Threat,Impact,Solution,"
    "Exploitability,Associated Malware,PCI Vuln,Ticket State,Instance,OS CPE,Category,"
    "Associated Tags",
    ",",
)
# Information-gathered QIDs every host gets: QID, title, category
QUALYS_BASE = (
    (6, "DNS Host Name", "Information gathering"),
    (45038, "Host Scan Time - Scanner", "Information gathering"),
    (45017, "Operating System Detected", "Information gathering"),
    (82023, "Open TCP Services List", "TCP/IP"),
)


def _quoted_row(cells: Sequence[str]) -> str:
    """Qualys's CSV dialect: every non-empty cell quoted, empty ones bare, CRLF."""
    return ",".join('"' + c.replace('"', '""') + '"' if c else "" for c in cells) + "\r\n"


def _us(moment: dt.datetime) -> str:
    return f"{moment:%m/%d/%Y %H:%M:%S}"


def write_qualys(path: Path, plan: Plan, catalog: Sequence[Check]) -> dict[str, Any]:
    """The Qualys hospital's scan, plus Qualys's external scan of every hospital's DMZ."""
    rng = rng_for(plan.seed, "qualys")
    pools, fixed = Pools(catalog), Quota(0.02)
    rows = records = hosts = 0
    with path.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out:
        out.write("\ufeff")
        for cells in (
            ("Northwind Health", "1 Northwind Way", "Springfield", "IL", "US", "62701"),
            ("vmadmin", "Vulnerability Management", "Manager"),
            (f"{AS_OF:%m/%d/%Y} at 06:00:00 (GMT-0500)",),
            ("Vulnerability report: All confirmed and potential, Severity 1-5",),
            (),
            QUALYS_HEADER,
        ):
            out.write(_quoted_row(cells))
        for device in iter_devices(plan):
            local = device.hospital.scanner == "qualys" and device.active_scan
            if not (local or (device.dmz and device.scanned)):
                continue
            hosts += 1
            start, _ = scan_window(rng, device)
            if local:
                checks = pools.pick(rng, device, item_count(rng, device.kind) - 4)
            else:  # from outside only the published services show
                checks = pools.pick(rng, device, rng.randint(3, 10), ("web", "tls", "ssh"))
            host = [
                device.ip,
                "Global Default Network",
                device.fqdn or "",
                device.name.upper() if device.os.startswith("Windows") else "",
                rng.choice(("IP", "QAGENT")) if local else "IP",
                f"{device.os} {device.os_version}".strip() or scanner_os(device),
                "host scanned, found vuln",
            ]
            tags = f"{device.hospital.name}, {'DMZ' if device.dmz else 'Internal'}"
            entries: list[tuple[int, str, str, int, str, Check | None]] = [
                (qid, title, "Ig", 1, category, None) for qid, title, category in QUALYS_BASE
            ]
            for check in checks:
                kind = "Ig" if not check.severity else rng.choice(("Vuln", "Vuln", "Practice"))
                level = check.severity + 1
                entries.append((check.qid, check.title, kind, level, check.family, check))
            for qid, title, kind, level, category, c in entries:
                first = start - dt.timedelta(days=rng.randint(0, 330), seconds=rng.randint(0, 9999))
                status = "Active" if first.date() < start.date() else "New"
                last_fixed = ""
                if fixed():
                    status, last_fixed = "Fixed", _us(start)  # remediated: hicp skips it
                elif status == "Active" and rng.random() < 0.05:
                    status = "Re-Opened"
                port = str(c.port) if c and c.port else ""
                score = f"{c.cvss3}" if c and c.cvss3 else ""
                vuln = [
                    str(qid), title, status, kind, str(level), port, c.proto if c and port else "",
                    "", "", _us(first), _us(start), str(max(1, (start - first).days // 7)),
                    last_fixed, ", ".join(c.cves) if c else "", "", "", score,
                    f"{score} ({c.vector.split('/', 1)[1]})" if c and score else "", "",
                    c.description if c else f"{title} for {device.ip}.",
                    "Successful exploitation could compromise the host." if level > 1 else "",
                    c.solution if c else "",
                    f"The Exploit-DB: {c.plugin_id % 52000}" if c and c.exploit else "", "",
                    "yes" if level >= 4 else "no", "Open", "", "", category, tags,
                ]  # fmt: skip
                out.write(_quoted_row(host + vuln))
                rows += 1
                records += status != "Fixed"
    return {"kind": "qualys", "hosts": hosts, "rows": rows, "records": records}


# ---- the medical-device platform (generic findings CSV) -----------------------------------------

GENERIC_HEADER = words(
    "Host,Hostname,Port,Protocol,Check ID,Title,Severity,CVEs,CVSS3,CVSS4,First Seen,Last Seen,"
    "Exploit Available,Known Exploited,OS",
    ",",
)
WORDS = ("info", "low", "medium", "high", "critical")


def write_generic(path: Path, plan: Plan, catalog: Sequence[Check]) -> dict[str, Any]:
    """What the passive medical-device security platform reports, as hicp's generic CSV."""
    rng = rng_for(plan.seed, "generic")
    pools = Pools(catalog)
    rows = hosts = 0
    with path.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(GENERIC_HEADER)
        for device in iter_devices(plan):
            if not (device.kind == "medical_device" and device.scanned):
                continue
            hosts += 1
            count = max(1, round(MDS_FINDINGS * rng.uniform(0.25, 1.75)))
            for check in pools.pick(rng, device, count, ("embedded", "tls")):
                first = AS_OF - dt.timedelta(days=rng.randint(1, 360))
                last = min(AS_OF, first + dt.timedelta(days=rng.randint(0, 360)))
                severity = WORDS[check.severity]
                if check.cvss3 and rng.random() < 0.1:
                    severity = str(check.cvss3)  # some platforms export the score
                port = str(check.port) if check.port else rng.choice(("", "general"))
                if check.port and check.proto == "udp":
                    port = f"{check.port}/udp"
                exploit = ("yes", "true", "1") if check.exploit else ("no", "false", "0")
                writer.writerow(
                    (
                        device.ip,
                        device.fqdn or "",
                        port,
                        check.proto if check.port else "",
                        check.advisory,
                        check.title,
                        severity,
                        rng.choice((", ", ";", " ")).join(check.cves),
                        check.cvss3 or "",
                        check.cvss4 or "",
                        first.isoformat(),
                        last.isoformat(),
                        rng.choice(exploit),
                        ("yes" if check.kev else "no") if check.severity >= 3 else "",
                        device.os or scanner_os(device).split("\n")[0],
                    )
                )
                rows += 1
    return {"kind": "generic", "hosts": hosts, "rows": rows, "records": rows}


# ---- inventory, identities, DNS ------------------------------------------------------------------

INVENTORY_HEADER = words(
    "Computer Name,IP Address,MAC Address,Device Type,Operating System,OS Version,Assigned To,"
    "Site,VLAN,BitLocker,EDR,Last Check-in",
    ",",
)


def _flag(rng: random.Random, value: bool | None, yes: Sequence[str], no: Sequence[str]) -> str:
    return "" if value is None else rng.choice(yes if value else no)


def write_inventory(path: Path, plan: Plan, expect: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The CMDB export: every asset but the scanned hosts nobody registered."""
    rng = rng_for(plan.seed, "inventory")
    types = dict.fromkeys(TYPE_SHARES, 0)
    n: dict[str, int] = {}

    def count(name: str, value: bool = True) -> None:
        n[name] = n.get(name, 0) + value

    user_vlans: set[str] = set()
    medical_by_segment: dict[str, int] = {}
    with path.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(INVENTORY_HEADER)
        for d in iter_devices(plan):
            count("scanned", d.scanned)
            if not d.in_inventory:
                count("unregistered")
                continue
            types[d.kind] += 1
            name = d.name.upper()
            if d.kind == "medical_device" and rng.random() < 0.3:
                name = ""  # biomed tracks many devices by address and serial number only
            elif d.kind == "server" and d.fqdn and rng.random() < 0.1:
                name = d.fqdn
            mac = rng.choice(
                (
                    mac_text(d.mac),
                    mac_text(d.mac, "-").upper(),
                    f"{d.mac[:4]}.{d.mac[4:8]}.{d.mac[8:]}",
                    "",
                )
            )
            time = f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
            seen = rng.choice(
                (d.last_seen.isoformat(), f"{d.last_seen}{time}", f"{d.last_seen:%m/%d/%Y}")
            )
            writer.writerow(
                (
                    name,
                    "DHCP" if d.dhcp else d.ip,
                    mac,
                    d.label,
                    d.os,
                    d.os_version,
                    d.owner,
                    d.location,
                    d.segment,
                    _flag(rng, d.encrypted, ("Yes", "Encrypted", "yes"), ("No", "Not encrypted")),
                    _flag(rng, d.agent, ("Installed", "Yes"), ("No", "Not installed")),
                    seen,
                )
            )
            if not d.dhcp:
                count("with_ip")
                count("unscanned", not d.scanned)
            if d.os:
                count("with_os")
                count("eol", d.eol)
                count("not_supported", d.os not in SUPPORTED_ON_AS_OF)
            if d.kind in ("workstation", "server"):
                count("agent_scope")
                count("no_agent", d.agent is not True)
            if d.kind in ("workstation", "mobile"):
                count("encryption_scope")
                count("no_encryption", d.encrypted is not True)
            if d.kind == "workstation":
                user_vlans.add(d.segment)
            if d.kind == "medical_device":
                medical_by_segment[d.segment] = medical_by_segment.get(d.segment, 0) + 1
    shared = sum(number for s, number in medical_by_segment.items() if s in user_vlans)
    expect.update(
        inventory_covers_scanned={"total": n["scanned"], "bad": n.get("unregistered", 0)},
        scan_covers_inventory={"total": n["with_ip"], "bad": n.get("unscanned", 0)},
        supported_os={"total": n["with_os"], "bad": n.get("not_supported", 0)},
        endpoint_agent_coverage={"total": n["agent_scope"], "bad": n.get("no_agent", 0)},
        disk_encryption_coverage={"total": n["encryption_scope"], "bad": n.get("no_encryption", 0)},
        medical_devices_segregated={"total": sum(medical_by_segment.values()), "bad": shared},
    )
    rows = sum(types.values())
    return {"kind": "inventory", "rows": rows, "records": rows, "types": types}


def write_identity(path: Path, plan: Plan, expect: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The identity provider's accounts, in hicp's generic identity CSV shape."""
    rng = rng_for(plan.seed, "identity")
    traits = ("disabled", "privileged", "privileged_no_mfa", "no_mfa", "stale_user", "service")
    quota = {name: Quota(RATES[name]) for name in traits}
    enabled = no_mfa = privileged = privileged_no_mfa = stale = services = 0
    cutoff = AS_OF - dt.timedelta(days=90)
    with path.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("user", "enabled", "mfa", "privileged", "last_sign_in"))
        for number in range(plan.users):
            service = quota["service"]()
            if service:
                lap, which = divmod(services, len(SERVICE_ACCOUNTS))
                user = f"{SERVICE_ACCOUNTS[which]}-{lap + 1:02d}"
                services += 1
            else:
                user = user_name(number)
            is_enabled = not quota["disabled"]()
            admin = quota["privileged"]() or (service and rng.random() < 0.3)
            mfa: bool | None = None if rng.random() < 0.01 else not quota["no_mfa"]()
            if admin:
                mfa = not quota["privileged_no_mfa"]()
            if service:
                mfa = False  # service accounts sign in with passwords
            last: dt.date | None = AS_OF - dt.timedelta(days=rng.randint(0, 60))
            if quota["stale_user"]():
                days = rng.randint(91, 700)
                last = None if rng.random() < 0.2 else AS_OF - dt.timedelta(days=days)
            yes_no = "" if mfa is None else "yes" if mfa else "no"
            writer.writerow(
                (
                    f"{user}@{DOMAIN}",
                    "yes" if is_enabled else "no",
                    yes_no,
                    "yes" if admin else "no",
                    last.isoformat() if last else "",
                )
            )
            if is_enabled:
                enabled += 1
                no_mfa += mfa is not True
                stale += last is None or last < cutoff
                privileged += admin
                privileged_no_mfa += admin and mfa is not True
    expect.update(
        mfa_all_users={"total": enabled, "bad": no_mfa},
        mfa_privileged={"total": privileged, "bad": privileged_no_mfa},
        active_accounts={"total": enabled, "bad": stale},
    )
    return {"kind": "identity", "rows": plan.users, "records": plan.users}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write_dns(path: Path, plan: Plan, expect: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The mail domains' zones, concatenated as the DNS host exports them."""
    rng = rng_for(plan.seed, "dns")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    key = "".join(rng.choice(alphabet) for _ in range(392))
    m365 = "include:spf.protection.outlook.example"
    # domain, MX target, SPF ("" for none), DMARC policy (None: no record), DKIM: cname or txt
    zones: list[tuple[str, str, str, str | None, str]] = [
        (DOMAIN, f"{_slug(DOMAIN)}.mail.protection.outlook.example.",
         f"v=spf1 {m365} ip4:203.0.113.0/27 include:_spf.mychart-mailer.example -all",
         "quarantine", "cname"),
        (f"billing.{DOMAIN}", "mx.billing-vendor.example.",
         "v=spf1 include:_spf.billing-vendor.example ~all", None, ""),
        (f"fax.{DOMAIN}", "fax-gateway.example.", "", None, ""),
        ("northwind-foundation.example", "mx.foundation-crm.example.",
         "v=spf1 include:_spf.foundation-crm.example ?all", "none", ""),
        ("mynorthwindchart.example", "inbound.mychart-mailer.example.",
         "v=spf1 include:_spf.mychart-mailer.example -all", "reject", "txt"),
    ]  # fmt: skip
    legacy = (("~all", None, ""), ("-all", "none", "txt"), ("-all", "reject", "cname"),
              ("~all", "quarantine", "txt"))  # fmt: skip
    for hospital, (spf_all, policy, dkim) in zip(plan.hospitals[1:], legacy, strict=False):
        domain = f"{_slug(hospital.name)}.example"  # kept since the hospital joined the system
        spf = f"v=spf1 mx a:smtp.{domain} {spf_all}"
        zones.append((domain, f"mail.{domain}.", spf, policy, dkim))
    lines = ["; Mail-related zones of Northwind Health, exported from the DNS host", "$TTL 3600"]
    for domain, mx, spf, policy, dkim in zones:
        lines += [
            "",
            f"$ORIGIN {domain}.",
            f"@       IN  SOA ns1.{DOMAIN}. hostmaster.{DOMAIN}. (",
            f"                {AS_OF:%Y%m%d}01 ; serial",
            "                7200 3600 1209600 3600 ) ; refresh retry expire minimum",
            f"        IN  NS  ns1.{DOMAIN}.",
            f"        IN  NS  ns2.{DOMAIN}.",
            f"        IN  MX  10 {mx}",
        ]
        if spf:
            lines.append(f'@   300 IN  TXT "{spf}"')
        if policy:
            rua = f"rua=mailto:dmarc-reports@{domain}"
            lines.append(f'_dmarc  IN  TXT "v=DMARC1; p={policy}; {rua}; pct=100"')
        if dkim == "cname":
            tenant = f"{_slug(domain).replace('-', '')}.onmicrosoft.example."
            for selector in ("selector1", "selector2"):
                target = f"{selector}-{_slug(domain)}._domainkey.{tenant}"
                lines.append(f"{selector}._domainkey IN CNAME {target}")
        elif dkim == "txt":
            lines.append(f's{AS_OF.year}._domainkey  IN  TXT  ( "v=DKIM1; k=rsa; "')
            lines += [f'        "p={key[:196]}"', f'        "{key[196:]}" )']
        lines += [f"www     IN  A   198.51.100.{rng.randint(2, 250)}", "portal  IN  CNAME www"]
        if domain == DOMAIN:  # the published servers of every hospital
            for device in iter_devices(plan):
                if device.dmz and device.fqdn:
                    relative = device.fqdn.removesuffix(f".{DOMAIN}")
                    lines.append(f"{relative:<24} IN  A   203.0.113.{device.index % 250 + 2}")
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(lines) + "\n")
    # A subdomain without its own DMARC record is covered by its parent's policy (no sp= here).
    policies = {zone[0]: zone[3] for zone in zones}

    def applies(domain: str, policy: str | None) -> str | None:
        parent = next((d for d in policies if domain.endswith(f".{d}") and policies[d]), None)
        return policy or (policies[parent] if parent else None)

    bad = sum(1 for zone in zones if applies(zone[0], zone[3]) in (None, "none"))
    expect["dmarc_enforced"] = {"total": len(zones), "bad": bad}
    return {"kind": "dns", "rows": len(lines), "records": len(zones)}


# ---- the whole data set ------------------------------------------------------------------------

FILES = (
    ("nessus", "northwind-internal.nessus"),
    ("openvas", "greenbone-report.xml"),
    ("qualys", "qualys-vulns.csv"),
    ("generic", "medical-device-findings.csv"),
    ("inventory", "inventory.csv"),
    ("identity", "identity.csv"),
    ("dns", "mail-domains.zone"),
)


def generate(outdir: Path, scale: float = 1.0, seed: int = 7) -> dict[str, Any]:
    """Write every file into ``outdir``, then manifest.json; return the manifest."""
    outdir.mkdir(parents=True, exist_ok=True)
    plan = make_plan(scale, seed)
    catalog = build_catalog(seed)
    expect: dict[str, dict[str, int]] = {}
    writers: dict[str, Callable[[Path], dict[str, Any]]] = {
        "nessus": lambda p: write_nessus(p, plan, catalog),
        "openvas": lambda p: write_openvas(p, plan, catalog),
        "qualys": lambda p: write_qualys(p, plan, catalog),
        "generic": lambda p: write_generic(p, plan, catalog),
        "inventory": lambda p: write_inventory(p, plan, expect),
        "identity": lambda p: write_identity(p, plan, expect),
        "dns": lambda p: write_dns(p, plan, expect),
    }
    files = {}
    for kind, name in FILES:
        info = writers[kind](outdir / name)
        files[name] = {**info, "bytes": (outdir / name).stat().st_size}
    manifest = {
        "generator": "bench/generate.py",
        "seed": seed,
        "scale": scale,
        "as_of": AS_OF.isoformat(),
        "hospitals": len(plan.hospitals),
        "assets": sum(h.assets for h in plan.hospitals),
        "users": plan.users,
        "findings": sum(f["records"] for f in files.values() if f["kind"] in SCAN_KINDS),
        "files": files,  # rows written, records hicp's importer yields (some rows are skipped)
        "expect": expect,  # per evidence metric: the total and "bad" counts it should find
    }
    text = json.dumps(manifest, indent=2) + "\n"
    (outdir / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


def human(size: float) -> str:
    """Bytes in decimal units, as bench/import_bench.py prints them."""
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.2f} GB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic health system's evidence.")
    parser.add_argument("outdir", type=Path, help="folder to write the files into")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0: 150,000 assets, ~3 million findings"
    )
    parser.add_argument("--seed", type=int, default=7, help="same seed and scale, same bytes")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    manifest = generate(args.outdir, args.scale, args.seed)
    print(
        f"{manifest['hospitals']} hospitals, {manifest['assets']:,} assets, "
        f"{manifest['users']:,} users, {manifest['findings']:,} findings in {args.outdir}"
    )
    print(f"{'file':<30} {'kind':<10} {'size':>10} {'rows':>12} {'records':>12}")
    for name, info in manifest["files"].items():
        size, rows, records = human(info["bytes"]), info["rows"], info["records"]
        print(f"{name:<30} {info['kind']:<10} {size:>10} {rows:>12,} {records:>12,}")
    print(f"{'manifest.json':<30} record counts, and what hicp's metrics should find")
    return 0


if __name__ == "__main__":
    sys.exit(main())
