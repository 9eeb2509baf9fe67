"""The evidence store while an import runs, and when the file is damaged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hicp.assessment.models import Assessment
from hicp.catalog import Catalog, Tier
from hicp.cli.main import app
from hicp.errors import EvidenceStoreError
from hicp.evidence.evaluate import evaluate_file
from hicp.evidence.models import Finding, Severity
from hicp.evidence.store import EvidenceStore
from tests.conftest import assessment_data

SEEN = dt.date(2026, 10, 20)


def _finding(host: str) -> Finding:
    return Finding(
        source="nessus", host=host, check_id="1", title="t", severity=Severity.HIGH,
        first_seen=SEEN, last_seen=SEEN,
    )  # fmt: skip


def _assessment(catalog: Catalog) -> Assessment:
    return Assessment.model_validate(assessment_data(catalog, Tier.MEDIUM, {}))


def test_scores_read_the_last_committed_evidence_while_an_import_holds_the_write_lock(
    tmp_path: Path, catalog: Catalog
) -> None:
    db = tmp_path / "clinic.evidence.db"
    first = tmp_path / "first.nessus"
    first.write_text("first")
    with EvidenceStore(db) as store:
        store.store(first, "nessus", [_finding("10.0.0.1")])
    # A second import is half-way: its transaction holds the write lock and is not committed.
    with EvidenceStore(db) as importing:
        importing.db.execute("BEGIN IMMEDIATE")
        importing.db.execute(
            "INSERT INTO imports (kind, file_name, sha256, bytes, records, imported_at) "
            "VALUES ('nessus', 'second.nessus', 'x', 1, 0, '2026-10-21')"
        )
        report = evaluate_file(catalog, _assessment(catalog), db)
        importing.db.execute("ROLLBACK")
    assert report is not None
    assert [i.file_name for i in report.inventory.imports] == ["first.nessus"]
    assert report.inventory.findings == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"this is not a database" * 100),
        lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 3]),
    ],
    ids=["garbage", "truncated"],
)
def test_a_damaged_store_names_the_file_and_how_to_rebuild_it(
    tmp_path: Path, catalog: Catalog, damage: object
) -> None:
    db = tmp_path / "clinic.evidence.db"
    source = tmp_path / "scan.nessus"
    source.write_text("scan")
    with EvidenceStore(db) as store:
        store.store(source, "nessus", [_finding(f"10.0.{i // 250}.{i % 250}") for i in range(3000)])
    damage(db)  # type: ignore[operator]
    with pytest.raises(EvidenceStoreError) as raised:
        evaluate_file(catalog, _assessment(catalog), db)
    message = str(raised.value)
    assert str(db) in message and "hicp evidence import" in message


def test_hicp_score_on_a_damaged_store_exits_2_with_one_message(tmp_path: Path) -> None:
    runner = CliRunner()
    clinic = tmp_path / "clinic.yaml"
    assert runner.invoke(app, ["init", str(clinic), "--size", "small"]).exit_code == 0
    (tmp_path / "clinic.evidence.db").write_bytes(b"\0garbage" * 512)
    result = runner.invoke(app, ["score", str(clinic)])
    assert result.exit_code == 2
    assert "clinic.evidence.db" in result.output and "damaged" in result.output
    assert "Traceback" not in result.output
