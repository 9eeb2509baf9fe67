"""The shipped end-of-life and KEV data load, say where they come from and when, and keep their
license notices."""

from __future__ import annotations

import datetime as dt

from hicp.evidence.reference_data import SHIPPED, in_use, kev_data, os_lifecycle_data


def test_the_shipped_end_of_life_data_names_its_source_date_and_license() -> None:
    data = os_lifecycle_data()
    assert "endoflife.date" in data.source and data.snapshot == dt.date(2026, 8, 22)
    assert "MIT" in data.license
    assert "Permission is hereby granted" in (SHIPPED / "LICENSE-endoflife.date").read_text()
    for product in ("windows", "windows-server", "macos", "rhel", "centos", "ubuntu", "debian"):
        assert data.products[product].cycles, product


def test_the_shipped_kev_catalog_keeps_cisas_version_and_every_cve() -> None:
    catalog = kev_data()
    assert catalog.version == "2025.08.25" and len(catalog.entries) == 1404
    assert "CISA" in catalog.source and "CC0" in catalog.license
    assert "Creative Commons 0" in (SHIPPED / "LICENSE-kev").read_text()
    log4shell = next(e for e in catalog.entries if e.cve == "CVE-2021-44228")
    assert log4shell.ransomware and log4shell.added == dt.date(2021, 12, 10)


def test_without_an_installed_copy_the_shipped_data_is_used() -> None:
    assert not any(data.installed for data in in_use())
