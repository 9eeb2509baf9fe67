"""Evidence rules: numbers, the status they support, drill-down rows and conflicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from hicp.assessment.models import Assessment, Status
from hicp.catalog import Catalog, Tier
from hicp.evidence.evaluate import EvidenceReport, evaluate
from hicp.evidence.metrics import short_name
from hicp.evidence.models import (
    Asset,
    AssetType,
    DmarcPolicy,
    EmailDomain,
    Finding,
    Identity,
    Severity,
)
from hicp.evidence.rules import default_rules
from hicp.evidence.store import EvidenceStore, Record
from tests.conftest import assessment_data

WS, SRV, MED = AssetType.WORKSTATION, AssetType.SERVER, AssetType.MEDICAL_DEVICE
DAY = dt.date(2026, 10, 1)


def _report(
    tmp_path: Path,
    catalog: Catalog,
    records: Sequence[Record],
    statuses: dict[str, str] | None = None,
    tier: Tier = Tier.MEDIUM,
) -> EvidenceReport:
    assessment = Assessment.model_validate(assessment_data(catalog, tier, statuses or {}))
    with EvidenceStore(tmp_path / "e.db") as store:
        source = tmp_path / "all.txt"
        source.write_text("all")
        store.store(source, "test", records)
        return evaluate(catalog, assessment, store)


def _finding(
    host: str,
    *,
    hostname: str | None = None,
    severity: Severity = Severity.LOW,
    first: dt.date = DAY,
    last: dt.date = DAY,
    kev: bool = False,
    check: str = "1",
    os: str | None = None,
) -> Finding:
    return Finding(
        source="nessus",
        host=host,
        hostname=hostname,
        check_id=check,
        title="t",
        severity=severity,
        first_seen=first,
        last_seen=last,
        known_exploited=kev,
        os=os,
    )


def test_rules_file_loads_and_names_real_metrics_and_sub_practices() -> None:
    assert len(default_rules().rules) >= 10


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("WS01.clinic.local", "ws01"),
        ("ws01", "ws01"),
        ("10.0.0.5", None),
        ("", None),
        (None, None),
        ("fe80::1", None),
    ],
)
def test_short_names_match_hosts_but_never_ip_addresses(
    name: str | None, short: str | None
) -> None:
    assert short_name(name) == short


def test_hosts_missing_from_the_inventory_are_counted_and_listed(
    tmp_path: Path, catalog: Catalog
) -> None:
    records = [
        Asset(hostname="WS01", ip="10.0.0.1", type=WS),
        _finding("10.0.0.1"),  # matched by IP
        _finding("10.0.0.2", hostname="ws01.clinic.local"),  # matched by short name
        _finding("10.0.0.3", hostname="rogue.clinic.local"),  # not in the inventory
    ]
    result = _report(tmp_path, catalog, records).rule("inventory-covers-scanned")
    assert (result.total, result.bad) == (3, 1)
    assert result.rows[0][:2] == ("10.0.0.3", "rogue.clinic.local")
    assert result.supports is Status.NOT_IMPLEMENTED  # 67% is below the 75% bar
    assert "1 of 3 hosts" in result.explanation


def test_agent_coverage_conflicts_with_an_answer_of_implemented(
    tmp_path: Path, catalog: Catalog
) -> None:
    records = [Asset(hostname=f"ws{n}", type=WS, endpoint_agent=n < 7) for n in range(10)]
    report = _report(tmp_path, catalog, records, {"2.M.A": "implemented"})
    item = next(s for s in report.sub_practices if s.id == "2.M.A")
    assert item.supports is Status.NOT_IMPLEMENTED
    assert item.conflict is not None
    assert "3 of 10 workstations and servers have no endpoint-protection agent" in item.conflict
    assert report.conflicts == (item,)


def test_evidence_stronger_than_the_answer_is_a_note_not_a_conflict(
    tmp_path: Path, catalog: Catalog
) -> None:
    records = [Identity(user=f"u{n}", mfa=True, last_sign_in=DAY) for n in range(5)]
    report = _report(tmp_path, catalog, records, {"1.M.B": "not_implemented"})
    item = next(s for s in report.sub_practices if s.id == "1.M.B")
    assert item.conflict is None and item.note is not None


def test_privileged_accounts_without_mfa_and_stale_accounts(
    tmp_path: Path, catalog: Catalog
) -> None:
    records = [
        Identity(user="admin", privileged=True, mfa=False, last_sign_in=DAY),
        Identity(user="alice", mfa=True, last_sign_in=DAY),
        Identity(user="bob", mfa=True, last_sign_in=dt.date(2025, 1, 1)),
        Identity(user="gone", enabled=False, mfa=False),
    ]
    report = _report(tmp_path, catalog, records)
    assert (report.rule("mfa-privileged").total, report.rule("mfa-privileged").bad) == (1, 1)
    assert report.rule("mfa-all-users").total == 3  # disabled accounts do not count
    stale = report.rule("stale-accounts")
    assert stale.bad == 1 and stale.rows[0][0] == "bob"


def test_old_critical_findings_still_open_are_overdue(tmp_path: Path, catalog: Catalog) -> None:
    records = [
        _finding(
            "10.0.0.1", severity=Severity.CRITICAL, check="a", first=dt.date(2026, 6, 1), last=DAY
        ),  # open for 4 months
        _finding("10.0.0.1", severity=Severity.CRITICAL, check="b", first=DAY, last=DAY),
        _finding(
            "10.0.0.1",
            severity=Severity.CRITICAL,
            check="c",
            first=dt.date(2026, 1, 1),
            last=dt.date(2026, 2, 1),
        ),  # fixed: not in last scan
    ]
    result = _report(tmp_path, catalog, records).rule("critical-fixed-within-30-days")
    assert (result.total, result.bad) == (2, 1)
    assert result.rows[0][2] == "a"


def test_end_of_life_operating_systems_are_found(tmp_path: Path, catalog: Catalog) -> None:
    records = [
        Asset(hostname="old", os="Microsoft Windows 7 Professional", type=WS),
        Asset(hostname="new", os="Windows 11 Enterprise", os_version="24H2", type=WS),
    ]
    result = _report(tmp_path, catalog, records).rule("supported-operating-systems")
    assert (result.total, result.bad) == (2, 1)


def test_dmarc_at_none_does_not_count_as_enforced(tmp_path: Path, catalog: Catalog) -> None:
    records = [
        EmailDomain(domain="a.org", dmarc_policy=DmarcPolicy.REJECT),
        EmailDomain(domain="b.org", dmarc_policy=DmarcPolicy.NONE),
        EmailDomain(domain="c.org"),
    ]
    result = _report(tmp_path, catalog, records).rule("dmarc-enforced")
    assert (result.total, result.bad) == (3, 2)


def test_medical_devices_beside_workstations_and_with_kev_findings(
    tmp_path: Path, catalog: Catalog
) -> None:
    records = [
        Asset(hostname="pump1", ip="10.9.0.1", type=MED, segment="vlan-clinical"),
        Asset(hostname="pump2", ip="10.8.0.2", type=MED, segment="vlan-users"),
        Asset(hostname="ws1", type=WS, segment="vlan-users"),
        _finding("10.9.0.1", kev=True, severity=Severity.CRITICAL),
    ]
    report = _report(tmp_path, catalog, records, tier=Tier.LARGE)
    segregated = report.rule("medical-devices-segregated")
    assert (segregated.total, segregated.bad) == (2, 1) and segregated.rows[0][0] == "pump2"
    kev = report.rule("medical-devices-no-kev")
    # pump2 was never scanned: it is left out of the KEV count, not counted as free of KEV.
    assert (kev.total, kev.bad) == (1, 1) and kev.rows[0][0] == "pump1"


def test_rules_without_data_draw_no_conclusion(tmp_path: Path, catalog: Catalog) -> None:
    report = _report(tmp_path, catalog, [Identity(user="a", mfa=True, last_sign_in=DAY)])
    assert {r.id for r in report.rules} == {"mfa-all-users", "stale-accounts"}


def test_rules_only_speak_to_sub_practices_in_scope(tmp_path: Path, catalog: Catalog) -> None:
    records = [Asset(hostname=f"ws{n}", type=WS, endpoint_agent=True) for n in range(3)]
    report = _report(tmp_path, catalog, records, tier=Tier.SMALL)
    assert report.rule("endpoint-agent-coverage").sub_practices == ("2.S.A",)


def test_inventory_counts_what_was_imported(tmp_path: Path, catalog: Catalog) -> None:
    records = [
        Asset(hostname="a", type=WS),
        Asset(hostname="b", type=SRV),
        _finding("10.0.0.1", severity=Severity.HIGH),
        _finding("10.0.0.1", severity=Severity.HIGH, check="2"),
    ]
    inventory = _report(tmp_path, catalog, records).inventory
    assert inventory.assets_by_type == {"server": 1, "workstation": 1}
    assert inventory.findings_by_severity == {"high": 2}
    assert inventory.hosts_scanned == 1


def test_rule_sets_refuse_duplicate_ids_and_unknown_explain_fields() -> None:
    from pydantic import ValidationError

    from hicp.evidence.rules import RuleSet

    rule = {
        "id": "r",
        "title": "t",
        "metric": "mfa_all_users",
        "sub_practices": ["1.M.B"],
        "implemented": 0.9,
        "partial": 0.5,
        "explain": "{bad} of {total}",
    }
    FRESH = {"scans": 90}
    with pytest.raises(ValidationError, match="used twice"):
        RuleSet.model_validate({"freshness": FRESH, "rules": [rule, rule]})
    with pytest.raises(ValidationError, match="unknown"):
        RuleSet.model_validate(
            {"freshness": FRESH, "rules": [{**rule, "explain": "{nope} of {total}"}]}
        )


def test_hosts_without_names_still_count_when_unmatched(tmp_path: Path, catalog: Catalog) -> None:
    records = [
        Asset(hostname="ws1", ip="10.0.0.1", type=WS),
        Asset(ip="10.0.0.9", type=WS),  # no host name, never scanned
        _finding("10.0.0.1"),
        _finding("10.0.0.2"),  # no host name, not in the inventory
    ]
    report = _report(tmp_path, catalog, records)
    assert report.rule("inventory-covers-scanned").bad == 1
    assert report.rule("scans-cover-inventory").bad == 1
