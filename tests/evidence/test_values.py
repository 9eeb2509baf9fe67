"""The value parsers every importer shares: yes/no, dates, scores, CVEs, ports, addresses, types."""

from __future__ import annotations

import datetime as dt

import pytest

from hicp.evidence.models import AssetType, Severity
from hicp.evidence.values import (
    asset_type,
    cell_text,
    optional_date,
    parse_bool,
    parse_date,
    parse_ip,
    parse_mac,
    parse_port,
    parse_score,
    severity_from_score,
    split_cves,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(None, None), ("", None), ("  n/a ", None), ("Unknown", None), (" pc-1 ", "pc-1"),
     (10.0, "10"), (10.5, "10.5"), (0, "0")],
)  # fmt: skip
def test_cells_are_stripped_text_and_placeholders_are_none(
    cell: object, expected: str | None
) -> None:
    assert cell_text(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), (1, True), (True, True),
     ("enabled", True), ("On", True), ("Encrypted", True), ("Installed", True),
     ("fully encrypted", True), ("no", False), ("False", False), ("0", False), (0.0, False),
     ("disabled", False), ("off", False), ("Not installed", False), ("not_encrypted", False),
     ("None", False), ("", None), (None, None), ("n/a", None), ("-", None), ("Unknown", None)],
)  # fmt: skip
def test_yes_no_cells_parse_to_booleans(cell: object, expected: bool | None) -> None:
    assert parse_bool(cell) is expected


@pytest.mark.parametrize("cell", ["maybe", "2", "partly"])
def test_other_yes_no_cells_are_refused(cell: str) -> None:
    with pytest.raises(ValueError, match="not a yes/no value"):
        parse_bool(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("2026-10-30", dt.date(2026, 10, 30)), ("2026/10/30 08:12:44", dt.date(2026, 10, 30)),
     ("10/30/2026", dt.date(2026, 10, 30)), ("1/5/2026 3:45:12 PM", dt.date(2026, 1, 5)),
     ("30.10.2026", dt.date(2026, 10, 30)), ("2026-10-30T22:04:11Z", dt.date(2026, 10, 30)),
     ("2026-10-30T22:04:11.0000000Z", dt.date(2026, 10, 30)),
     ("2026-10-30T22:04:11.123-05:00", dt.date(2026, 10, 30)),
     (dt.datetime(2026, 10, 30, 9, 0), dt.date(2026, 10, 30)),
     ("", None), ("Never", None), ("never logged in", None)],
)  # fmt: skip
def test_dates_parse_from_the_formats_exports_use(cell: object, expected: dt.date | None) -> None:
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["yesterday", "30/10/2026", "2026-13-01"])
def test_text_that_is_no_date_is_refused(cell: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(cell)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Desktop", AssetType.WORKSTATION), ("Dell laptop", AssetType.WORKSTATION),
     ("Windows Server", AssetType.SERVER), ("VM", AssetType.SERVER),
     ("iPhone", AssetType.MOBILE), ("Tablet", AssetType.MOBILE),
     ("Core switch", AssetType.NETWORK), ("Wireless access point", AssetType.NETWORK),
     ("Firewall", AssetType.NETWORK), ("Infusion pumps", AssetType.MEDICAL_DEVICE),
     ("Patient monitor", AssetType.MEDICAL_DEVICE), ("Imaging modality", AssetType.MEDICAL_DEVICE),
     ("Medical device", AssetType.MEDICAL_DEVICE), ("medical_device", AssetType.MEDICAL_DEVICE),
     ("IP camera", AssetType.IOT), ("Network printer", AssetType.IOT),
     ("Badge reader", AssetType.IOT), ("UPS", AssetType.OTHER), ("", AssetType.OTHER)],
)  # fmt: skip
def test_asset_types_are_read_from_free_text(text: str, expected: AssetType) -> None:
    assert asset_type(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Tue Jun 25 10:39:42 2013", dt.date(2013, 6, 25)),  # Nessus HOST_END, old OpenVAS
     ("  Tue Aug  4 21:48:25 2015 ", dt.date(2015, 8, 4)),
     ("09/16/2026 at 08:15:02 (GMT-0500)", dt.date(2026, 9, 16)),  # Qualys report header
     ("09/15/2026 02:11:09", dt.date(2026, 9, 15)),  # Qualys CSV
     ("2023-09-29T11:36:37.717168Z", dt.date(2023, 9, 29)),  # Greenbone
     ("2026-09-15 not recorded", dt.date(2026, 9, 15)),  # a date then anything
     ("2026-9-5", dt.date(2026, 9, 5))],
)  # fmt: skip
def test_dates_from_scanners_parse_too(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["Tue Foo 25 10:39:42 2013", "Wed Feb 30 10:39:42 2013", "2026-09-15x", "01/02/20261"]
)
def test_stamps_that_are_no_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("not recorded", None), ("2026-13-01", None), ("", None), (None, None),
     ("2026-09-15", dt.date(2026, 9, 15))],
)  # fmt: skip
def test_an_optional_date_that_cannot_be_read_is_unknown(
    text: str | None, expected: dt.date | None
) -> None:
    assert optional_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8.1", 8.1), ("8.1 (AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H)", 8.1), (" 10 ", 10.0),
     ("0", 0.0), ("", None), (None, None), ("-", None), ("'-'", None), ("N/A", None)],
)  # fmt: skip
def test_cvss_scores_parse_with_or_without_their_vector(
    text: str | None, expected: float | None
) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize("text", ["high", "11", "-1"])
def test_text_that_is_no_cvss_score_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a CVSS score"):
        parse_score(text)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0, Severity.INFO), (0.1, Severity.LOW), (3.9, Severity.LOW), (4.0, Severity.MEDIUM),
     (6.9, Severity.MEDIUM), (7.0, Severity.HIGH), (8.9, Severity.HIGH),
     (9.0, Severity.CRITICAL), (10, Severity.CRITICAL)],
)  # fmt: skip
def test_scores_rate_on_the_cvss_v3_qualitative_scale(score: float, expected: Severity) -> None:
    assert severity_from_score(score) is expected


def test_cve_lists_split_on_any_separator_without_repeats_and_keep_what_is_no_cve() -> None:
    assert split_cves("cve-2021-1111, CVE-2021-2222;CVE-2021-1111  CVE-2021-33333") == (
        ("CVE-2021-1111", "CVE-2021-2222", "CVE-2021-33333"),
        [],
    )
    assert split_cves("NOCVE") == ((), [])
    assert split_cves(None) == ((), [])
    assert split_cves("CVE-2020-1 MS17-010") == ((), ["CVE-2020-1", "MS17-010"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("443", (443, None)), ("443/TCP", (443, "tcp")), ("general/tcp", (None, "tcp")),
     ("0", (None, None)), ("", (None, None)), (" 80 / udp ", (80, "udp")),
     ("65535", (65535, None))],
)  # fmt: skip
def test_ports_parse_with_their_protocol_and_zero_is_no_port(
    text: str, expected: tuple[int | None, str | None]
) -> None:
    assert parse_port(text) == expected


@pytest.mark.parametrize("text", ["https", "65536", "-1"])
def test_text_that_is_no_port_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a port number"):
        parse_port(text)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("10.0.0.5", "10.0.0.5"), ("10.10.0.5; 10.10.0.6", "10.10.0.5"),
     ("fe80:0:0:0:0:0:0:1", "fe80::1"), ("DHCP", None), ("", None), ("n/a", None)],
)  # fmt: skip
def test_ip_addresses_keep_the_first_of_a_list(cell: str, expected: str | None) -> None:
    assert parse_ip(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff"), ("aabb.ccdd.eeff", "aa:bb:cc:dd:ee:ff"),
     ("", None)],
)  # fmt: skip
def test_mac_addresses_are_written_one_way(cell: str, expected: str | None) -> None:
    assert parse_mac(cell) == expected


def test_text_that_is_no_address_is_refused() -> None:
    with pytest.raises(ValueError, match="is not an IP address"):
        parse_ip("10.0.0.300")
    with pytest.raises(ValueError, match=r"is not a MAC address \(12 hexadecimal digits\)"):
        parse_mac("aa:bb:cc")
