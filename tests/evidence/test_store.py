"""The evidence store: all-or-nothing imports, no double counting, seen-dates that widen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.models import Asset, AssetType, Finding, Severity
from hicp.evidence.store import EvidenceStore, evidence_path


def _finding(host: str, check: str, first: dt.date, last: dt.date) -> Finding:
    return Finding(
        source="nessus",
        host=host,
        port=443,
        protocol="tcp",
        check_id=check,
        title="Test",
        severity=Severity.HIGH,
        first_seen=first,
        last_seen=last,
    )


def test_evidence_lives_beside_the_assessment() -> None:
    assert evidence_path(Path("/x/clinic.yaml")) == Path("/x/clinic.evidence.db")


def test_the_same_file_twice_is_recognised_and_not_double_counted(tmp_path: Path) -> None:
    source = tmp_path / "scan.txt"
    source.write_text("any content")
    records = [_finding("10.0.0.1", "1", dt.date(2026, 1, 1), dt.date(2026, 1, 1))]
    with EvidenceStore(tmp_path / "e.db") as store:
        first = store.store(source, "nessus", records)
        again = store.store(source, "nessus", records)
        count = store.db.execute("SELECT count(*) FROM findings").fetchone()[0]
    assert (first.records, first.already_imported) == (1, False)
    assert again.already_imported
    assert count == 1


def test_a_newer_scan_updates_findings_and_widens_their_dates(tmp_path: Path) -> None:
    old, new = tmp_path / "jan.nessus", tmp_path / "mar.nessus"
    old.write_text("january")
    new.write_text("march")
    with EvidenceStore(tmp_path / "e.db") as store:
        store.store(
            old, "nessus", [_finding("10.0.0.1", "1", dt.date(2026, 1, 5), dt.date(2026, 1, 5))]
        )
        store.store(
            new, "nessus", [_finding("10.0.0.1", "1", dt.date(2026, 3, 5), dt.date(2026, 3, 5))]
        )
        rows = store.db.execute("SELECT first_seen, last_seen FROM findings").fetchall()
    assert rows == [("2026-01-05", "2026-03-05")]


def test_an_error_mid_import_leaves_nothing_behind(tmp_path: Path) -> None:
    source = tmp_path / "inventory.csv"
    source.write_text("x")

    def broken() -> Iterator[Asset]:
        yield Asset(hostname="ws01", type=AssetType.WORKSTATION)
        raise ImportError_("inventory.csv: line 3 is broken")

    with EvidenceStore(tmp_path / "e.db") as store:
        with pytest.raises(ImportError_):
            store.store(source, "inventory", broken())
        assert store.db.execute("SELECT count(*) FROM assets").fetchone()[0] == 0
        assert store.db.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
        # and the same file can be imported once fixed
        store.store(source, "inventory", [Asset(hostname="ws01")])
        assert store.db.execute("SELECT count(*) FROM assets").fetchone()[0] == 1


def test_a_later_file_that_leaves_a_value_empty_keeps_the_earlier_value(tmp_path: Path) -> None:
    from hicp.evidence.models import DmarcPolicy, EmailDomain

    spf, dmarc = tmp_path / "spf.dig", tmp_path / "dmarc.dig"
    spf.write_text("spf")
    dmarc.write_text("dmarc")
    with EvidenceStore(tmp_path / "e.db") as store:
        store.store(
            spf,
            "dns",
            [
                EmailDomain(
                    domain="a.org", spf="v=spf1 -all", spf_all="-all", dkim_selectors=("s1",)
                )
            ],
        )
        store.store(
            dmarc,
            "dns",
            [
                EmailDomain(
                    domain="a.org", dmarc="v=DMARC1; p=reject", dmarc_policy=DmarcPolicy.REJECT
                )
            ],
        )
        row = store.db.execute(
            "SELECT spf, dkim_selectors, dmarc_policy FROM email_domains"
        ).fetchone()
    assert row == ("v=spf1 -all", "s1", "reject")


def test_replace_imports_the_same_content_again(tmp_path: Path) -> None:
    source = tmp_path / "inv.csv"
    source.write_text("x")
    with EvidenceStore(tmp_path / "e.db") as store:
        store.store(source, "inventory", [Asset(hostname="a")])
        again = store.store(source, "inventory", [Asset(hostname="b")], again=True)
        hosts = sorted(r[0] for r in store.db.execute("SELECT hostname FROM assets"))
        imports = store.db.execute("SELECT count(*) FROM imports").fetchone()[0]
    assert not again.already_imported and again.records == 1
    assert hosts == ["a", "b"] and imports == 1
