"""Recognise the OS names scanners and inventories write as a (product, release cycle).

Nessus writes "Linux Kernel 3.10.0 on CentOS Linux release 7.9.2009 (Core)", OpenVAS a CPE
("cpe:/o:canonical:ubuntu_linux:20.04"), Qualys "Windows 10 Enterprise 64 bit Edition Version
22H2", inventories whatever the agent reported. Each pattern anchors on the product name so a
kernel version before it is never taken for the release. A name that matches nothing, or whose
guesses disagree (Nessus lists several on separate lines), is not recognised: None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from hicp.evidence.os_lifecycle import OsId

# Windows 10/11 builds to feature-update versions (Microsoft release information).
WINDOWS_BUILDS = {
    "10240": "1507",
    "10586": "1511",
    "14393": "1607",
    "15063": "1703",
    "16299": "1709",
    "17134": "1803",
    "17763": "1809",
    "18362": "1903",
    "18363": "1909",
    "19041": "2004",
    "19042": "20h2",
    "19043": "21h1",
    "19044": "21h2",
    "19045": "22h2",
    "22000": "21h2",
    "22621": "22h2",
    "22631": "23h2",
    "26100": "24h2",
    "26200": "25h2",
    "28000": "26h1",
}
# The year in an LTSC/LTSB name to its feature-update version.
LTSC_YEARS = {"2015": "1507", "2016": "1607", "2019": "1809", "2021": "21h2", "2024": "24h2"}
MAC_NAMES = {
    "catalina": "10.15",
    "mojave": "10.14",
    "high sierra": "10.13",
    "sierra": "10.12",
    "el capitan": "10.11",
    "yosemite": "10.10",
    "mavericks": "10.9",
    "big sur": "11",
    "monterey": "12",
    "ventura": "13",
    "sonoma": "14",
    "sequoia": "15",
    "tahoe": "26",
}
UBUNTU_NAMES = {
    "trusty": "14.04",
    "xenial": "16.04",
    "bionic": "18.04",
    "focal": "20.04",
    "jammy": "22.04",
    "noble": "24.04",
}
DEBIAN_NAMES = {
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
}


def _text(raw: str) -> str:
    """Lower-case, and a CPE turned into words (cpe:/o:centos:centos:7 -> "centos centos 7")."""
    text = raw.strip().lower()
    for prefix in ("cpe:2.3:o:", "cpe:/o:"):
        if text.startswith(prefix):
            text = text[len(prefix) :].replace(":", " ").replace("_", " ").replace("*", " ")
            text = text.replace("-", " ")
    return " ".join(text.split())


def _windows(text: str) -> OsId | None:
    if m := re.search(r"windows\s*server\s*(\d{4})(\s*r2)?", text):
        year, r2 = m.group(1), bool(m.group(2))
        cycles = {
            ("2008", True): ("2008-r2-sp1",),
            ("2008", False): ("2008-sp2",),
            ("2003", True): ("2003-sp2",),
            ("2003", False): ("2003-sp2", "2003"),
            ("2012", True): ("2012-r2",),
        }.get((year, r2), (f"{year}-r2",) if r2 else (year,))
        return OsId("windows-server", cycles)
    if m := re.search(r"windows\s*server\D{0,12}?\b(\d\dh\d|1[5-9]\d\d|2004)\b", text):
        return OsId("windows-server", (f"{m.group(1)}-sac", f"{m.group(1)}-ac"))
    if "posready" in text or "pos ready" in text:
        return OsId("windows-embedded", ("posready-7",) if "7" in text else ())
    if m := re.search(r"windows\s*(10|11)\b", text):
        return _windows_client(m.group(1), text)
    if m := re.search(r"windows\s*(xp|vista|8\.1|7|8)\b", text):
        return OsId("windows", (m.group(1),))
    return None


def _windows_client(major: str, text: str) -> OsId:
    lts = bool(re.search(r"\blts[bc]\b", text))
    iot = "iot" in text
    version = None
    if m := re.search(r"(?:build\s*|10\.0\.)(\d{5})", text):
        version = WINDOWS_BUILDS.get(m.group(1))
    if version is None and (m := re.search(r"\b(\d\dh\d|1[5-9]0\d|2004)\b", text)):
        version = m.group(1)
    if version is None and lts and (m := re.search(r"\b(20\d\d)\b", text)):
        version = LTSC_YEARS.get(m.group(1))
    if lts:
        edition = "iot-lts" if iot else "e-lts"
        cycles = (f"{major}-{version}-{edition}",) if version else ()
        # Without a version an LTSC name stays unknown: its cycles end years apart.
        return OsId("windows", cycles)
    edition = "e" if re.search(r"enterprise|education", text) else "w"
    if version is None:
        return OsId("windows", (), family=f"{major}-")
    return OsId("windows", (f"{major}-{version}-{edition}", f"{major}-{version}"))


def _mac(text: str) -> OsId | None:
    if not re.search(r"mac\s*os|macos|os\s*x\b", text):
        return None
    if m := re.search(r"(?:mac\s*os(?:\s*x)?|macos|os\s*x)\D{0,20}?\b(\d{1,2})(?:\.(\d+))?", text):
        major, minor = m.group(1), m.group(2)
        if major == "10":
            return OsId("macos", (f"10.{minor}",) if minor else (), family=None if minor else "10.")
        return OsId("macos", (major,))
    for name, cycle in MAC_NAMES.items():
        if name in text:
            return OsId("macos", (cycle,))
    if "os x" in text:
        return OsId("macos", (), family="10.")
    return None


def _ubuntu(text: str) -> OsId | None:
    if "ubuntu" not in text:
        return None
    if m := re.search(r"ubuntu\D{0,25}?(\d{1,2}\.\d\d)", text):
        return OsId("ubuntu", (m.group(1),))
    for name, cycle in UBUNTU_NAMES.items():
        if name in text:
            return OsId("ubuntu", (cycle,))
    return OsId("ubuntu")


def _debian(text: str) -> OsId | None:
    if "debian" not in text:
        return None
    if m := re.search(r"debian\D{0,25}?\b(\d+)(?:\.(\d+))?", text):
        major, minor = m.group(1), m.group(2)
        return OsId("debian", (f"{major}.{minor}", major) if minor else (major,))
    for name, cycle in DEBIAN_NAMES.items():
        if name in text:
            return OsId("debian", (cycle,))
    return OsId("debian")


def _major(product: str, pattern: str) -> Callable[[str], OsId | None]:
    """A product named by `pattern` whose release is the major version after it."""

    def recognise(text: str) -> OsId | None:
        if not re.search(pattern, text):
            return None
        m = re.search(f"(?:{pattern})" + r"\D{0,25}?\b(\d+)", text)
        return OsId(product, (m.group(1),) if m else ())

    return recognise


def _dotted(product: str, pattern: str) -> Callable[[str], OsId | None]:
    """A product whose release is major.minor (ESXi 7.0, FortiOS 7.2), else the major."""

    def recognise(text: str) -> OsId | None:
        if not re.search(pattern, text):
            return None
        m = re.search(f"(?:{pattern})" + r"\D{0,25}?\b(\d+)(?:\.(\d+))?", text)
        if not m:
            return OsId(product)
        major, minor = m.group(1), m.group(2)
        return OsId(product, (f"{major}.{minor}", major) if minor else (major, f"{major}.0"))

    return recognise


def _sles(text: str) -> OsId | None:
    if not re.search(r"suse\s*linux\s*enterprise\s*server|\bsles\b", text):
        return None
    m = re.search(r"(?:server|sles)\D{0,10}?\b(\d+)(?:\s*sp\s*(\d+)|\.(\d+))?", text)
    if not m:
        return OsId("sles")
    return OsId("sles", (f"{m.group(1)}.{m.group(2) or m.group(3) or 0}",))


def _amazon(text: str) -> OsId | None:
    if not re.search(r"amazon\s*linux", text):
        return None
    m = re.search(r"amazon\s*linux\D{0,10}?\b(20\d\d\.\d\d|2023|2)\b", text)
    return OsId("amazon-linux", (m.group(1),) if m else ())


def _apple_mobile(text: str) -> OsId | None:
    if "cisco" in text:
        return None
    if m := re.search(r"\bipados\D{0,5}?(\d+)", text):
        return OsId("ipados", (m.group(1),))
    if m := re.search(r"(?:apple\s*|iphone\s*)?\bios\s+(\d+)(?:\.\d+)*\b", text):
        return OsId("ios", (m.group(1),))
    return None


# Order matters: CentOS Stream before CentOS, IOS XE before Apple iOS, Windows before the rest.
RECOGNISERS: tuple[Callable[[str], OsId | None], ...] = (
    _windows,
    _mac,
    _major("centos-stream", r"centos\s*stream"),
    _major("centos", r"\bcentos\b(?:\s*linux)?(?:\s*release)?(?:\s*centos)?"),
    _major("rhel", r"red\s*hat\s*enterprise\s*linux|redhat\s*enterprise\s*linux|\brhel\b"),
    _major("almalinux", r"alma\s*linux"),
    _major("rocky-linux", r"rocky(?:\s*linux)?"),
    _major("oracle-linux", r"oracle\s*linux"),
    _ubuntu,
    _debian,
    _sles,
    _dotted("opensuse", r"opensuse(?:\s*leap)?"),
    _major("fedora", r"\bfedora\b"),
    _amazon,
    _dotted("freebsd", r"\bfreebsd\b"),
    _dotted("vmware-esxi", r"\besxi\b"),
    _dotted("fortios", r"\bfortios\b"),
    _dotted("cisco-ios-xe", r"\bios[\s-]*xe\b"),
    _dotted("android", r"\bandroid\b"),
    _apple_mobile,
)


def _one(line: str) -> OsId | None:
    text = _text(line)
    for recognise in RECOGNISERS:
        found = recognise(text)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=8192)
def recognise(raw: str) -> OsId | None:
    """The product and release an OS name stands for, or None when it is not recognised or the
    scanner's several guesses (one per line) disagree."""
    guesses = {_one(line) for line in raw.splitlines() if line.strip()}
    return guesses.pop() if len(guesses) == 1 else None
