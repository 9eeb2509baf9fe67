"""Metrics that rest on reference data or on what an export leaves out: end-of-life systems,
known-exploited vulnerabilities, MFA, DMARC, SPF and DKIM. Unknown is never counted as good."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from hicp.evidence.metrics import METRICS, MetricContext, MetricValue, NotMeasured, prepare
from hicp.evidence.models import (
    Asset,
    AssetType,
    DmarcPolicy,
    EmailDomain,
    Finding,
    Identity,
    Severity,
)
from hicp.evidence.store import EvidenceStore, Record

AS_OF = dt.date(2026, 9, 1)
WS, SRV, MED = AssetType.WORKSTATION, AssetType.SERVER, AssetType.MEDICAL_DEVICE


def measure(
    tmp_path: Path, metric: str, records: Sequence[Record], as_of: dt.date = AS_OF
) -> MetricValue | NotMeasured | None:
    with EvidenceStore(tmp_path / "e.db") as store:
        source = tmp_path / "all.txt"
        source.write_text("all")
        store.store(source, "test", records)
        prepare(store.db)
        return METRICS[metric](store.db, MetricContext(as_of=as_of))


def finding(host: str, os: str | None = None, cves: tuple[str, ...] = (), **kw: object) -> Finding:
    return Finding.model_validate(
        {
            "source": "nessus",
            "host": host,
            "check_id": kw.pop("check", "1"),
            "title": "t",
            "severity": Severity.HIGH,
            "os": os,
            "cves": cves,
            "last_seen": AS_OF,
            **kw,
        }
    )


def test_the_seven_out_of_support_systems_from_real_exports_are_found(tmp_path: Path) -> None:
    names = [
        "Linux Kernel 3.10.0 on CentOS Linux release 7.9.2009 (Core)",
        "Red Hat Enterprise Linux Server release 7.9 (Maipo)",
        "Microsoft Windows 10 Pro 22H2 Build 19045",
        "Ubuntu 20.04.6 LTS",
        "Debian GNU/Linux 10 (buster)",
        "CentOS Stream 8",
        "macOS 13.6 Ventura",
    ]
    records = [Asset(hostname=f"h{i}", os=name, type=SRV) for i, name in enumerate(names)]
    records.append(Asset(hostname="ok", os="Microsoft Windows Server 2022 Standard", type=SRV))
    value = measure(tmp_path, "supported_os", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (8, 7)
    assert all(row[2].startswith("end of life") for row in value.rows)


def test_an_unrecognised_os_counts_as_not_supported_and_is_reported(tmp_path: Path) -> None:
    records = [
        Asset(hostname="pump", os="VxWorks 6.9", type=MED),
        Asset(hostname="srv", os="Windows Server 2022 Standard", type=SRV),
        Asset(hostname="old", os="Windows 7 Professional", type=WS),
    ]
    value = measure(tmp_path, "supported_os", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (3, 2)
    assert [row[0] for row in value.rows] == ["old", "pump"]  # end of life first, then unknown
    assert value.rows[1][2].startswith("unknown")
    assert value.note is not None and "1 of them" in value.note and "2026-08-22" in value.note


def test_when_no_os_is_recognised_support_is_not_measured(tmp_path: Path) -> None:
    records = [
        Asset(hostname="pump", os="VxWorks 6.9", type=MED),
        Asset(hostname="printer", os="Printer firmware", type=AssetType.IOT),
    ]
    value = measure(tmp_path, "supported_os", records)
    assert isinstance(value, NotMeasured)
    assert "none of the 2 systems" in value.reason


def test_scanned_hosts_are_judged_when_the_inventory_has_no_os(tmp_path: Path) -> None:
    records = [
        finding("10.0.0.1", os="cpe:/o:centos:centos:7"),
        finding("10.0.0.2", os="Linux Kernel 5.15 on Ubuntu 22.04"),
    ]
    value = measure(tmp_path, "supported_os", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (2, 1) and value.rows[0][0] == "10.0.0.1"


KEV_CVE = "CVE-2021-44228"  # Log4Shell, on the shipped KEV list
NOT_KEV = "CVE-2020-0001"


def test_a_medical_device_with_a_cve_on_the_kev_list_is_found_without_a_scanner_flag(
    tmp_path: Path,
) -> None:
    records = [
        Asset(hostname="pump1", ip="10.9.0.1", type=MED),
        Asset(hostname="pump2", ip="10.9.0.2", type=MED),
        finding("10.9.0.1", cves=(NOT_KEV, KEV_CVE), source="openvas"),
        finding("10.9.0.2", cves=(NOT_KEV,)),
    ]
    value = measure(tmp_path, "medical_devices_no_kev", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (2, 1)
    assert value.rows[0][0] == "pump1" and KEV_CVE in value.rows[0][3]
    assert value.note is not None and "2025.08.25" in value.note


def test_a_scanners_own_kev_flag_still_counts(tmp_path: Path) -> None:
    records = [
        Asset(hostname="pump1", ip="10.9.0.1", type=MED),
        finding("10.9.0.1", known_exploited=True),
    ]
    value = measure(tmp_path, "medical_devices_no_kev", records)
    assert isinstance(value, MetricValue) and value.bad == 1
    assert "flagged by nessus" in value.rows[0][3]


def test_unscanned_medical_devices_are_not_counted_as_free_of_kev(tmp_path: Path) -> None:
    records = [
        Asset(hostname="pump1", ip="10.9.0.1", type=MED),
        Asset(hostname="pump2", ip="10.9.0.2", type=MED),
        Asset(hostname="pump3", ip="10.9.0.3", type=MED),
        finding("10.9.0.1", cves=(NOT_KEV,)),
    ]
    value = measure(tmp_path, "medical_devices_no_kev", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (1, 0)
    assert value.note is not None and "2 of 3 medical devices were not seen" in value.note


def test_no_scanned_medical_device_means_kev_is_not_measured(tmp_path: Path) -> None:
    records = [
        Asset(hostname="pump1", ip="10.9.0.1", type=MED),
        finding("10.0.0.5", cves=(KEV_CVE,)),
    ]
    value = measure(tmp_path, "medical_devices_no_kev", records)
    assert isinstance(value, NotMeasured)
    assert "none of the 1 medical devices" in value.reason


def test_a_device_found_by_host_name_is_matched_to_its_findings(tmp_path: Path) -> None:
    records = [
        Asset(hostname="PUMP1", type=MED),
        finding("10.9.0.1", hostname="pump1.clinic.local", cves=(KEV_CVE,)),
    ]
    value = measure(tmp_path, "medical_devices_no_kev", records)
    assert isinstance(value, MetricValue) and (value.total, value.bad) == (1, 1)


def test_an_identity_export_without_mfa_says_nothing_about_mfa(tmp_path: Path) -> None:
    records = [Identity(user="a"), Identity(user="b", privileged=True)]
    for metric in ("mfa_all_users", "mfa_privileged"):
        (tmp_path / metric).mkdir()
        value = measure(tmp_path / metric, metric, records)
        assert isinstance(value, NotMeasured), metric
        assert "no MFA value" in value.reason


def test_accounts_without_an_mfa_value_are_not_counted_as_using_mfa(tmp_path: Path) -> None:
    records = [
        Identity(user="a", mfa=True),
        Identity(user="b", mfa=False),
        Identity(user="c"),
        Identity(user="d", enabled=False),
    ]
    value = measure(tmp_path, "mfa_all_users", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (3, 2)
    assert [(row[0], row[-1]) for row in value.rows] == [("b", "no"), ("c", "not in the export")]
    assert value.note is not None and "1 of them have no MFA value" in value.note


def _domain(name: str, dmarc: str | None = None, **kw: object) -> EmailDomain:
    policy = None
    if dmarc:
        policy = next(
            (p for p in DmarcPolicy if f"p={p.value}" in dmarc.replace(" ", "").split(";")), None
        )
    return EmailDomain.model_validate(
        {"domain": name, "dmarc": dmarc, "dmarc_policy": policy, **kw}
    )


def test_a_subdomain_is_covered_by_its_organizational_domains_sp_policy(tmp_path: Path) -> None:
    records = [
        _domain("clinic.org", "v=DMARC1; p=none; sp=reject"),
        _domain("mail.clinic.org"),
        _domain("lab.clinic.org", "v=DMARC1; p=none"),
    ]
    value = measure(tmp_path, "dmarc_enforced", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (3, 2)
    assert [row[0] for row in value.rows] == ["clinic.org", "lab.clinic.org"]


def test_without_sp_a_subdomain_takes_the_organizational_p_policy(tmp_path: Path) -> None:
    records = [
        _domain("clinic.org", "v=DMARC1; p=quarantine"),
        _domain("mail.clinic.org"),
        _domain("other.net"),
    ]
    value = measure(tmp_path, "dmarc_enforced", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (3, 1) and value.rows[0][0] == "other.net"


def test_spf_passes_only_with_a_failing_all(tmp_path: Path) -> None:
    records = [
        _domain("a.org", spf="v=spf1 mx -all", spf_all="-all"),
        _domain("b.org", spf="v=spf1 mx ~all", spf_all="~all"),
        _domain("c.org", spf="v=spf1 mx ?all", spf_all="?all"),
        _domain("d.org", spf="v=spf1 redirect=_spf.e.org"),
        _domain("e.org"),
    ]
    value = measure(tmp_path, "spf_enforced", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (5, 3)
    assert [row[0] for row in value.rows] == ["c.org", "d.org", "e.org"]


def test_dkim_is_not_measured_when_no_selector_was_found(tmp_path: Path) -> None:
    value = measure(tmp_path, "dkim_published", [_domain("a.org"), _domain("b.org")])
    assert isinstance(value, NotMeasured)
    assert "does not show that DKIM is missing" in value.reason


def test_dkim_found_under_a_selector_counts_and_the_rest_are_flagged_with_a_caveat(
    tmp_path: Path,
) -> None:
    records = [_domain("a.org", dkim_selectors=("selector1",)), _domain("b.org")]
    value = measure(tmp_path, "dkim_published", records)
    assert isinstance(value, MetricValue)
    assert (value.total, value.bad) == (2, 1) and value.rows[0][0] == "b.org"
    assert value.note is not None and "not looked up" in value.note
