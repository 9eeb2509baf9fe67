"""Cell and attribute values as every importer reads them: one parser for each kind of value.

Each parser takes what an export holds (text, or an Excel cell's number, date or bool) and
returns the value, None when the export leaves it empty, or raises ValueError with a message
an importer puts after the file, line and column.

- blanks: ``cell_text``; an empty cell or a placeholder ("-", "n/a", "unknown", ...) is None.
- yes/no: ``parse_bool``; see ``TRUE_WORDS`` and ``FALSE_WORDS``; "none" is no ("Antivirus:
  None"), a placeholder is None.
- dates: ``parse_date``: YYYY-MM-DD (also YYYY/MM/DD), MM/DD/YYYY (the US order Microsoft,
  Okta and Qualys consoles write), DD.MM.YYYY, ISO 8601 dates and datetimes ("Z", fractions,
  offsets), and C ctime() stamps ("Tue Jun 25 10:39:42 2013", Nessus and old OpenVAS). Text
  after the date (a time, a zone) is ignored; the calendar date is kept as written, without
  time-zone conversion. Excel date cells arrive as dates. "Never" is None.
  ``optional_date`` is the same for fields where an unreadable date means unknown.
- CVSS scores: ``parse_score``, 0-10, also with the vector after it ("8.1 (AV:N/...)");
  ``severity_from_score``, the CVSS v3 qualitative rating.
- CVE lists: ``split_cves``; ports: ``parse_port`` ("443", "443/tcp", "general/tcp").
- addresses: ``parse_ip`` (the first of a list; "DHCP" is none), ``parse_mac``.
- asset types: ``asset_type`` (keywords in free text, rules in ``_TYPE_WORDS``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re

from hicp.evidence.models import AssetType, Severity

PLACEHOLDERS = frozenset({"", "-", "--", "n/a", "na", "none", "null", "unknown", "?"})
TRUE_WORDS = frozenset(
    {"yes", "y", "true", "t", "1", "x", "enabled", "enable", "on", "active", "present",
     "encrypted", "fully encrypted", "protected", "installed", "registered", "enrolled",
     "capable", "enforced", "✓", "✔"}
)  # fmt: skip
FALSE_WORDS = frozenset(
    {"no", "n", "false", "f", "0", "disabled", "disable", "off", "inactive", "absent",
     "missing", "not encrypted", "unencrypted", "decrypted", "fully decrypted",
     "unprotected", "not protected", "not installed", "not registered", "not enrolled",
     "not capable", "none"}
)  # fmt: skip
_NEVER = frozenset({"never", "never logged in", "never signed in"})

# A time or zone may follow the date; DOTALL so that a wrapped cell still reads.
_ISO_DAY = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?", re.DOTALL)
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\D.*)?", re.DOTALL)
_EU_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,].*)?", re.DOTALL)
# A regex rather than strptime: locale-independent, and Nessus stamps every host of a scan.
_CTIME = re.compile(r"[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+\d{1,2}:\d{2}:\d{2}\s+(\d{4})")
# "Feb 9, 2024 10:48:42 UTC" (Tenable.sc) and "12 Mar 2020 04:42PM GMT-0400" (Qualys WAS)
_MONTH_DAY = re.compile(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})(?:\s.*)?", re.DOTALL)
_DAY_MONTH = re.compile(r"(\d{1,2})[\s-]([A-Za-z]{3})[a-z]*[\s-](\d{4})(?:\s.*)?", re.DOTALL)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_SCORE = re.compile(r"\s*(\d{1,2}(?:\.\d+)?)")
_EMPTY_SCORE = frozenset({"", "-", "'-'", "n/a", "na", "none"})
_CVE = re.compile(r"CVE-\d{4}-\d{4,}\Z")
_CVE_SPLIT = re.compile(r"[\s,;]+")
_NO_CVE = frozenset({"", "-", "N/A", "NA", "NONE", "NOCVE"})

_NO_ADDRESS = frozenset({"dhcp", "dynamic"})
_ADDRESS_LIST = re.compile(r"[\s,;|]+")
_MAC_SEPARATORS = re.compile(r"[\s:.\-]")
_MAC_DIGITS = re.compile(r"[0-9a-f]{12}")

# First match wins: medical before network ("patient monitor"), server before workstation.
_TYPE_WORDS: tuple[tuple[AssetType, tuple[str, ...]], ...] = (
    (AssetType.MEDICAL_DEVICE, ("medical", "infusion pump", "pump", "monitor", "imaging",
                                "modality", "ultrasound", "ventilator", "x ray", "xray", "mri",
                                "ct scanner", "ecg", "ekg")),
    (AssetType.NETWORK, ("switch", "router", "firewall", "access point", "wap",
                         "wireless controller", "load balancer")),
    (AssetType.SERVER, ("server", "vm", "virtual machine", "hypervisor")),
    (AssetType.MOBILE, ("mobile", "phone", "smartphone", "tablet", "ipad", "iphone")),
    (AssetType.WORKSTATION, ("workstation", "desktop", "laptop", "notebook", "pc",
                             "thin client", "computer")),
    (AssetType.IOT, ("iot", "camera", "printer", "badge", "badge reader", "thermostat",
                     "sensor", "copier", "mfp")),
)  # fmt: skip
_TYPE_NAMES = frozenset(kind.value for kind in AssetType)
_TYPE_PATTERNS = tuple(
    (kind, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")s?\b"))
    for kind, words in _TYPE_WORDS
)


def cell_text(value: object) -> str | None:
    """A cell as stripped text; None for empty cells and placeholders like "n/a"."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores VLAN 10 as 10.0
    text = str(value).strip()
    return None if text.casefold() in PLACEHOLDERS else text


def parse_bool(value: object) -> bool | None:
    """yes/no/true/false/1/0/enabled/disabled/on/off/... -> bool; empty -> None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value if value is not None else "").strip()
    word = " ".join(text.casefold().replace("_", " ").replace("-", " ").split())
    # The word lists share nothing with PLACEHOLDERS but "none", which FALSE_WORDS claims.
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    if cell_text(text) is None:
        return None
    raise ValueError(f"{text!r} is not a yes/no value")


def parse_date(value: object) -> dt.date | None:
    """A date in one of the documented formats; None when empty or "never"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if text is None or text.casefold() in _NEVER:
        return None
    try:
        return _calendar_day(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date") from None


def _calendar_day(text: str) -> dt.date:
    if not text[0].isdigit():  # a ctime stamp ("Tue Jun 25 ...") or "Feb 9, 2024"
        # _MONTHS.index raises ValueError for a word that is no month
        if match := _CTIME.fullmatch(text):
            return dt.date(int(match[3]), _MONTHS.index(match[1].lower()) + 1, int(match[2]))
        if match := _MONTH_DAY.fullmatch(text):
            return dt.date(int(match[3]), _MONTHS.index(match[1].lower()) + 1, int(match[2]))
        raise ValueError(text)
    if match := _DAY_MONTH.fullmatch(text):
        return dt.date(int(match[3]), _MONTHS.index(match[2].lower()) + 1, int(match[1]))
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass  # not ISO 8601 as Python reads it; try the console formats
    if match := _ISO_DAY.fullmatch(text):
        year, month, day = match.groups()
    elif match := _US_DAY.fullmatch(text):
        month, day, year = match.groups()
    elif match := _EU_DAY.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValueError(text)
    return dt.date(int(year), int(month), int(day))


def optional_date(value: object) -> dt.date | None:
    """``parse_date`` for a field where a date that cannot be read means unknown."""
    try:
        return parse_date(value)
    except ValueError:
        return None


def parse_score(text: str | None) -> float | None:
    """A CVSS score from text such as "8.1" or "8.1 (AV:N/AC:H/...)"; blank/"-" -> None.

    Raises ValueError for anything else, so the caller can name the line.
    """
    if text is None or text.strip().lower() in _EMPTY_SCORE:
        return None
    match = _SCORE.match(text)
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a CVSS score")
    score = float(match.group(1))
    if not 0 <= score <= 10:
        raise ValueError(f"{text.strip()!r} is not a CVSS score (0-10)")
    return score


def severity_from_score(score: float) -> Severity:
    """The CVSS v3 qualitative rating of a 0-10 score (0 is "none": info)."""
    if score <= 0:
        return Severity.INFO
    if score < 4:
        return Severity.LOW
    if score < 7:
        return Severity.MEDIUM
    if score < 9:
        return Severity.HIGH
    return Severity.CRITICAL


def split_cves(text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """(CVE IDs in order without repeats, tokens that are not CVE IDs) from a list in text."""
    found: list[str] = []
    rejected: list[str] = []
    for token in _CVE_SPLIT.split((text or "").strip()):
        upper = token.upper()
        if upper in _NO_CVE:
            continue
        if _CVE.match(upper):
            if upper not in found:
                found.append(upper)
        else:
            rejected.append(token)
    return tuple(found), rejected


def parse_port(text: str) -> tuple[int | None, str | None]:
    """(port, protocol) from "443", "443/tcp", "general/tcp" or blank; bad numbers: ValueError.

    Port 0 is no port: scanners write it for host-level findings.
    """
    number, _, protocol = text.partition("/")
    number = number.strip()
    if number.isdigit() and int(number) <= 65535:
        port = int(number)
    elif not number or number.lower() == "general":
        port = 0
    else:
        raise ValueError(f"{text.strip()!r} is not a port number (0-65535)")
    return (port or None), (protocol.strip().lower() or None)


def parse_ip(value: object) -> str | None:
    """The first address of "10.0.0.5" or "10.0.0.5; 10.0.0.6", normalised; "DHCP" -> None."""
    text = cell_text(value)
    if text is None:
        return None
    first = _ADDRESS_LIST.split(text)[0]
    if first.casefold() in _NO_ADDRESS:
        return None
    try:
        return str(ipaddress.ip_address(first))
    except ValueError:
        raise ValueError(f"{text!r} is not an IP address") from None


def parse_mac(value: object) -> str | None:
    """A MAC address as aa:bb:cc:dd:ee:ff, whatever separators it was written with."""
    text = cell_text(value)
    if text is None:
        return None
    digits = _MAC_SEPARATORS.sub("", text).lower()
    if not _MAC_DIGITS.fullmatch(digits):
        raise ValueError(f"{text!r} is not a MAC address (12 hexadecimal digits)")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def asset_type(value: object) -> AssetType:
    """The asset type named by free text ("Dell laptop", "Infusion pump"); else OTHER."""
    text = cell_text(value)
    if text is None:
        return AssetType.OTHER
    words = " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())
    if words.replace(" ", "_") in _TYPE_NAMES:
        return AssetType(words.replace(" ", "_"))
    for kind, pattern in _TYPE_PATTERNS:
        if pattern.search(words):
            return kind
    return AssetType.OTHER
