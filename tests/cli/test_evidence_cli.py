"""`hicp evidence` from a user's side: import, re-import, show, drill down, conflicts in score."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import hicp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def hospital(tmp_path: Path) -> Path:
    path = tmp_path / "hospital.yaml"
    code, out, _ = hicp("init", str(path), "--size", "medium", "--date", "2026-11-01")
    assert code == 0, out
    return path


def test_import_detects_formats_and_stores_records(hospital: Path) -> None:
    code, out, err = hicp(
        "evidence",
        "import",
        str(hospital),
        str(FIXTURES / "nessus" / "clinic_scan.nessus"),
        str(FIXTURES / "inventory" / "assets.csv"),
    )
    assert code == 0, err
    assert "(nessus)" in out and "(inventory)" in out
    assert (hospital.parent / "hospital.evidence.db").exists()
    _, shown, _ = hicp("evidence", "show", str(hospital), "--format", "json")
    inventory = json.loads(shown)["inventory"]
    assert inventory["findings"] > 0 and inventory["assets"] > 0
    assert {i["kind"] for i in inventory["imports"]} == {"nessus", "inventory"}


def test_importing_the_same_file_again_changes_nothing(hospital: Path) -> None:
    scan = str(FIXTURES / "nessus" / "clinic_scan.nessus")
    hicp("evidence", "import", str(hospital), scan)
    _, first, _ = hicp("evidence", "show", str(hospital), "--format", "json")
    code, out, _ = hicp("evidence", "import", str(hospital), scan)
    # The console wraps long paths at its width; compare with whitespace folded.
    assert code == 0 and "already imported" in " ".join(out.split())
    _, second, _ = hicp("evidence", "show", str(hospital), "--format", "json")
    assert json.loads(first)["inventory"]["findings"] == json.loads(second)["inventory"]["findings"]


def test_a_broken_file_is_refused_and_stores_nothing(hospital: Path) -> None:
    code, _, err = hicp(
        "evidence", "import", str(hospital), str(FIXTURES / "nessus" / "truncated.nessus")
    )
    assert code == 2 and "truncated.nessus" in err
    db = sqlite3.connect(hospital.parent / "hospital.evidence.db")
    counts = [
        db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
        for t in ("imports", "findings")
    ]
    db.close()
    assert counts == [0, 0]


def test_hostile_xml_is_refused_with_a_reason(hospital: Path) -> None:
    code, _, err = hicp(
        "evidence",
        "import",
        str(hospital),
        str(FIXTURES / "nessus" / "billion_laughs.nessus"),
        "--kind",
        "nessus",
    )
    assert code == 2 and "entities" in err


def test_a_conflict_with_the_answers_shows_in_score(hospital: Path) -> None:
    text = hospital.read_text().replace(
        "  2.M.A:  # Basic Endpoint Protection Controls\n    status:",
        "  2.M.A:  # Basic Endpoint Protection Controls\n    status: implemented",
    )
    hospital.write_text(text)
    hicp("evidence", "import", str(hospital), str(FIXTURES / "inventory" / "assets.csv"))
    _, out, _ = hicp("score", str(hospital), "--format", "json")
    conflicts = {c["sub_practice"]: c["conflict"] for c in json.loads(out)["evidence_conflicts"]}
    assert "2.M.A" in conflicts and "answered implemented" in conflicts["2.M.A"]


def test_drill_down_lists_the_rows_behind_a_rule(hospital: Path) -> None:
    hicp("evidence", "import", str(hospital), str(FIXTURES / "inventory" / "assets.csv"))
    _, out, _ = hicp("evidence", "show", str(hospital), "--format", "json")
    rule = next(r for r in json.loads(out)["rules"] if r["bad"] > 0)
    code, rows_out, _ = hicp(
        "evidence", "show", str(hospital), "--rule", rule["id"], "--format", "json"
    )
    assert code == 0
    detail = json.loads(rows_out)
    assert len(detail["rows"]) == rule["bad"]


def test_a_column_mapping_decides_which_column_is_the_host_name(
    hospital: Path, tmp_path: Path
) -> None:
    source = tmp_path / "tags.csv"
    shutil.copy(FIXTURES / "inventory" / "asset-tags.csv", source)
    first_tag = source.read_text(encoding="utf-8-sig").splitlines()[3].split(",")[0]
    code, out, err = hicp(
        "evidence", "import", str(hospital), str(source), "--map", "hostname=Asset Tag"
    )
    assert code == 0, err
    assert "(inventory)" in out
    db = sqlite3.connect(hospital.parent / "hospital.evidence.db")
    hostnames = {row[0] for row in db.execute("SELECT hostname FROM assets")}
    db.close()
    assert first_tag in hostnames


def test_a_mapping_is_refused_for_an_xml_scan(hospital: Path) -> None:
    code, _, err = hicp(
        "evidence",
        "import",
        str(hospital),
        str(FIXTURES / "nessus" / "clinic_scan.nessus"),
        "--kind",
        "nessus",
        "--map",
        "hostname=x",
    )
    assert code == 2 and "--map applies to CSV exports" in err
    assert "clinic_scan.nessus" in err


def test_a_mapping_finds_a_renamed_column_of_a_scan_csv(hospital: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "tenable.csv"
    text = (FIXTURES / "nessus" / "tenable_io.csv").read_text().replace('"Plugin ID"', '"Check"')
    renamed.write_text(text)
    code, out, _ = hicp(
        "evidence", "import", str(hospital), str(renamed), "--map", "check_id=Check"
    )
    assert code == 0 and "imported 4 records (nessus)" in out


def test_show_before_any_import_says_what_to_do(hospital: Path) -> None:
    code, _, err = hicp("evidence", "show", str(hospital))
    assert code == 2 and "hicp evidence import" in err


def test_a_failed_import_leaves_no_evidence_to_show(hospital: Path) -> None:
    hicp("evidence", "import", str(hospital), str(FIXTURES / "nessus" / "truncated.nessus"))
    code, _, err = hicp("evidence", "show", str(hospital))
    assert code == 2 and "no evidence imported" in err


def test_detection_with_a_mapping_finds_the_identity_kind(hospital: Path, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("Person,Active,Two step\nana@x.org,yes,yes\nben@x.org,yes,no\n")
    code, out, err = hicp(
        "evidence",
        "import",
        str(hospital),
        str(source),
        "--map",
        "user=Person",
        "--map",
        "enabled=Active",
        "--map",
        "mfa=Two step",
    )
    assert code == 0, err
    assert "(identity)" in out


def test_replace_reimports_a_file_seen_before(hospital: Path) -> None:
    scan = str(FIXTURES / "nessus" / "clinic_scan.nessus")
    hicp("evidence", "import", str(hospital), scan)
    code, out, _ = hicp("evidence", "import", str(hospital), scan, "--replace")
    assert code == 0 and "imported" in out and "already" not in out


def test_allow_partial_imports_one_page_of_a_greenbone_report_and_warns(
    hospital: Path, tmp_path: Path
) -> None:
    text = (FIXTURES / "openvas" / "clinic_report.xml").read_text()
    paged = tmp_path / "page1.xml"
    paged.write_text(
        text.replace(
            "<filtered>7</filtered></result_count>", "<filtered>44</filtered></result_count>"
        )
    )
    code, _, err = hicp("evidence", "import", str(hospital), str(paged))
    assert code == 2 and "a partial Greenbone report" in err and "holds results 1-7 of 44" in err
    code, out, _ = hicp("evidence", "import", str(hospital), str(paged), "--allow-partial")
    assert code == 0
    assert "warning:" in out and "holds results 1-7 of 44" in out
    assert "imported 6 records (openvas)" in " ".join(out.split())
