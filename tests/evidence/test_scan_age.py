"""Scan age: how fast findings are fixed is judged only from two or more recent scans.

A single scan makes every finding look new, and a scan from years ago says nothing about
today; both used to count as "fixed within 30 days". Now they are "not measured", with why.
The assessment date in these tests is 2026-11-01 (tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from hicp.assessment.models import Assessment, Status
from hicp.catalog import Catalog, Tier
from hicp.evidence.evaluate import EvidenceReport, evaluate
from hicp.evidence.models import Finding, Severity
from hicp.evidence.store import EvidenceStore
from hicp.reports.context import build_context
from hicp.reports.markdown_report import render as render_markdown
from tests.conftest import assessment_data

RULE = "critical-fixed-within-30-days"
SEEN = dt.date(2026, 10, 20)  # 12 days before the assessment date


def _finding(
    host: str, check: str, first: dt.date, last: dt.date, source: str = "nessus"
) -> Finding:
    return Finding(
        source=source,
        host=host,
        check_id=check,
        title=f"Critical flaw {check}",
        severity=Severity.CRITICAL,
        first_seen=first,
        last_seen=last,
    )


def _scans(
    tmp_path: Path,
    catalog: Catalog,
    *scans: Sequence[Finding],
    statuses: dict[str, str] | None = None,
) -> EvidenceReport:
    """Each argument is one scan file's findings, imported in order."""
    assessment = Assessment.model_validate(assessment_data(catalog, Tier.MEDIUM, statuses or {}))
    with EvidenceStore(tmp_path / "e.db") as store:
        for number, findings in enumerate(scans):
            source = tmp_path / f"scan{number}.nessus"
            source.write_text(f"scan {number}")
            store.store(source, "nessus", findings)
        return evaluate(catalog, assessment, store)


def _not_measured(report: EvidenceReport, rule_id: str) -> str | None:
    return next((n.reason for n in report.not_measured if n.id == rule_id), None)


def test_a_single_scan_is_not_measured_even_when_every_finding_looks_new(
    tmp_path: Path, catalog: Catalog
) -> None:
    report = _scans(tmp_path, catalog, [_finding("10.0.0.1", "a", SEEN, SEEN)])
    assert RULE not in {r.id for r in report.rules}, "no share, no 'implemented'"
    reason = _not_measured(report, RULE)
    assert reason and "scanned on one date only" in reason


def test_a_single_scan_claims_nothing_against_an_answer(tmp_path: Path, catalog: Catalog) -> None:
    report = _scans(
        tmp_path,
        catalog,
        [_finding("10.0.0.1", "a", dt.date(2026, 1, 5), SEEN)],  # open ten months, one scan
        statuses={"7.M.D": "implemented"},
    )
    item = next((s for s in report.sub_practices if s.id == "7.M.D"), None)
    assert item is None or RULE not in item.rules
    assert _not_measured(report, RULE)


def test_two_recent_scans_of_the_same_host_measure_how_long_findings_stay_open(
    tmp_path: Path, catalog: Catalog
) -> None:
    first_scan = dt.date(2026, 9, 1)
    report = _scans(
        tmp_path,
        catalog,
        [_finding("10.0.0.1", "old", first_scan, first_scan)],
        [
            _finding("10.0.0.1", "old", SEEN, SEEN),  # still there 49 days later
            _finding("10.0.0.1", "new", SEEN, SEEN),
        ],
    )
    result = report.rule(RULE)
    assert (result.total, result.bad) == (2, 1)
    assert result.supports == Status.NOT_IMPLEMENTED
    assert result.rows[0][2] == "old"


def test_stale_scans_are_not_measured_and_say_how_old_they_are(
    tmp_path: Path, catalog: Catalog
) -> None:
    report = _scans(
        tmp_path,
        catalog,
        [_finding("10.0.0.1", "a", dt.date(2022, 3, 1), dt.date(2022, 3, 1))],
        [_finding("10.0.0.2", "b", dt.date(2022, 4, 1), dt.date(2022, 4, 1))],
        [_finding("10.0.0.1", "c", dt.date(2022, 4, 2), dt.date(2022, 4, 2))],
    )
    reason = _not_measured(report, RULE)
    assert reason and "2022-04-02" in reason and "stale" in reason
    assert RULE not in {r.id for r in report.rules}


def test_hosts_scanned_once_are_left_out_and_the_explanation_says_so(
    tmp_path: Path, catalog: Catalog
) -> None:
    first_scan = dt.date(2026, 9, 1)
    report = _scans(
        tmp_path,
        catalog,
        [_finding("10.0.0.1", "a", first_scan, first_scan)],
        [
            _finding("10.0.0.1", "b", SEEN, SEEN),
            _finding("10.0.0.9", "c", SEEN, SEEN),  # first time this host was scanned
        ],
    )
    result = report.rule(RULE)
    assert result.total == 1
    assert "1 open critical findings on hosts scanned only once are not counted" in (
        result.explanation
    )


def test_another_scanner_seeing_the_host_later_does_not_make_it_rescanned(
    tmp_path: Path, catalog: Catalog
) -> None:
    report = _scans(
        tmp_path,
        catalog,
        [_finding("10.0.0.1", "a", dt.date(2026, 9, 1), dt.date(2026, 9, 1))],
        [_finding("10.0.0.1", "q", SEEN, SEEN, source="qualys")],
    )
    reason = _not_measured(report, RULE)
    assert reason and "by the same scanner" in reason


def test_importing_a_scan_again_does_not_add_a_second_scan(tmp_path: Path) -> None:
    with EvidenceStore(tmp_path / "e.db") as store:
        source = tmp_path / "scan.nessus"
        source.write_text("one scan")
        findings = [_finding("10.0.0.1", "a", SEEN, SEEN), _finding("10.0.0.1", "b", SEEN, SEEN)]
        store.store(source, "nessus", findings)
        store.store(source, "nessus", findings, again=True)
        rows = store.db.execute("SELECT source, host, scan_date FROM scans").fetchall()
    assert rows == [("nessus", "10.0.0.1", SEEN.isoformat())]


def test_a_store_from_before_scan_dates_were_kept_says_to_import_again(
    tmp_path: Path, catalog: Catalog
) -> None:
    assessment = Assessment.model_validate(assessment_data(catalog, Tier.MEDIUM, {}))
    with EvidenceStore(tmp_path / "e.db") as store:
        source = tmp_path / "scan.nessus"
        source.write_text("one scan")
        store.store(source, "nessus", [_finding("10.0.0.1", "a", SEEN, SEEN)])
        store.db.execute("DELETE FROM scans")  # as a store made by an earlier version
        report = evaluate(catalog, assessment, store)
    reason = _not_measured(report, RULE)
    assert reason and "--replace" in reason


def test_the_report_lists_a_rule_that_is_not_measured_with_its_reason(
    tmp_path: Path, catalog: Catalog
) -> None:
    report = _scans(tmp_path, catalog, [_finding("10.0.0.1", "a", SEEN, SEEN)])
    assessment = Assessment.model_validate(assessment_data(catalog, Tier.MEDIUM, {}))
    context = build_context(catalog, assessment, evidence=report)
    assert [n.id for n in context.evidence.not_measured if n.id == RULE] == [RULE]  # type: ignore[union-attr]
    text = render_markdown(context).decode()
    assert "Not measured" in text and "scanned on one date only" in text
