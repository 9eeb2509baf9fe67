"""Evaluate the evidence rules against an assessment: numbers, suggestions and conflicts.

For each rule with enough data: the share of items that meet the bar, the status that share
supports, and the rows that fall short. For each in-scope sub-practice the weakest suggestion
of its rules is compared with the self-reported answer: claiming more than the evidence
supports is a conflict; the evidence showing more than was claimed is noted too.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from hicp.assessment.method import default_method
from hicp.assessment.models import Assessment, Status
from hicp.catalog import Catalog
from hicp.evidence.metrics import METRICS, MetricContext, NotMeasured, prepare
from hicp.evidence.rules import Rule, RuleSet, default_rules
from hicp.evidence.store import EvidenceStore, damaged


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ImportInfo(_Frozen):
    kind: str
    file_name: str
    records: int
    imported_at: str


class Inventory(_Frozen):
    """What the store holds."""

    imports: tuple[ImportInfo, ...]
    assets: int
    assets_by_type: dict[str, int]
    hosts_scanned: int
    findings: int
    findings_by_severity: dict[str, int]
    identities: int
    email_domains: int


class RuleResult(_Frozen):
    id: str
    title: str
    sub_practices: tuple[str, ...]  # those in the assessment's scope
    total: int
    bad: int
    share: float
    supports: Status  # what the evidence supports: implemented, partial or not_implemented
    explanation: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]  # the items that fall short (first 1000)


class NotMeasuredRule(_Frozen):
    """A rule whose data is there but cannot support a judgment: stale, too little, or lacking
    a field. It never suggests a status and never makes a conflict; the reason is shown."""

    id: str
    title: str
    sub_practices: tuple[str, ...]
    reason: str


class SubPracticeEvidence(_Frozen):
    id: str
    answered: Status | None
    supports: Status
    rules: tuple[str, ...]
    conflict: str | None  # the answer claims more than the evidence supports
    note: str | None  # the evidence shows more than the answer claims


class EvidenceReport(_Frozen):
    inventory: Inventory
    rules: tuple[RuleResult, ...]
    sub_practices: tuple[SubPracticeEvidence, ...]
    not_measured: tuple[NotMeasuredRule, ...] = ()

    @property
    def conflicts(self) -> tuple[SubPracticeEvidence, ...]:
        return tuple(s for s in self.sub_practices if s.conflict)

    def rule(self, rule_id: str) -> RuleResult:
        return next(r for r in self.rules if r.id == rule_id)


def _supports(rule: Rule, share: float) -> Status:
    if share >= rule.implemented:
        return Status.IMPLEMENTED
    if share >= rule.partial:
        return Status.PARTIAL
    return Status.NOT_IMPLEMENTED


def _inventory(store: EvidenceStore) -> Inventory:
    db = store.db

    def grouped(sql: str) -> dict[str, int]:
        return {str(k): int(v) for k, v in db.execute(sql).fetchall()}

    def count(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    return Inventory(
        imports=tuple(
            ImportInfo(kind=k, file_name=f, records=r, imported_at=t)
            for k, f, r, t in db.execute(
                "SELECT kind, file_name, records, imported_at FROM imports ORDER BY id"
            ).fetchall()
        ),
        assets=count("SELECT count(*) FROM assets"),
        assets_by_type=grouped("SELECT type, count(*) FROM assets GROUP BY type ORDER BY type"),
        hosts_scanned=count("SELECT count(DISTINCT host) FROM findings"),
        findings=count("SELECT count(*) FROM findings"),
        findings_by_severity=grouped(
            "SELECT severity, count(*) FROM findings GROUP BY severity "
            "ORDER BY max(severity_rank) DESC"
        ),
        identities=count("SELECT count(*) FROM identities"),
        email_domains=count("SELECT count(*) FROM email_domains"),
    )


def evaluate(
    catalog: Catalog,
    assessment: Assessment,
    store: EvidenceStore,
    ruleset: RuleSet | None = None,
) -> EvidenceReport:
    ruleset = ruleset or default_rules()
    method = default_method()
    org = assessment.organization
    scope = {sp.id for sp in catalog.in_scope(org.tier, org.include_tiers)}
    prepare(store.db)
    context = MetricContext(
        as_of=assessment.assessment.date, scan_freshness_days=ruleset.freshness.scans
    )
    results = []
    not_measured = []
    for rule in ruleset.rules:
        in_scope = tuple(s for s in rule.sub_practices if s in scope)
        if not in_scope:
            continue
        value = METRICS[rule.metric](store.db, context)
        if isinstance(value, NotMeasured):
            not_measured.append(
                NotMeasuredRule(
                    id=rule.id, title=rule.title, sub_practices=in_scope, reason=value.reason
                )
            )
            continue
        if value is None:
            continue  # no data of this kind at all: the rule does not speak
        share = value.share
        results.append(
            RuleResult(
                id=rule.id,
                title=rule.title,
                sub_practices=in_scope,
                total=value.total,
                bad=value.bad,
                share=share,
                supports=_supports(rule, share),
                explanation=rule.explain.format(
                    good=value.total - value.bad,
                    total=value.total,
                    bad=value.bad,
                    share=f"{round(share * 100)}%",
                )
                + (f" {value.note}" if value.note else ""),
                columns=value.columns,
                rows=value.rows,
            )
        )

    def credit(status: Status | None) -> float:
        return 0.0 if status in (None, Status.NOT_APPLICABLE) else method.status_credit[status]

    per_item = []
    for sp in catalog.sub_practices.values():
        related = [r for r in results if sp.id in r.sub_practices]
        if not related:
            continue
        weakest = min(related, key=lambda r: credit(r.supports))
        answered = assessment.answer(sp.id).status
        conflict = note = None
        if answered not in (None, Status.NOT_APPLICABLE, Status.UNKNOWN):
            if credit(answered) > credit(weakest.supports):
                conflict = (
                    f"answered {answered.label.lower()}; evidence supports "
                    f"{weakest.supports.label.lower()}: {weakest.explanation}"
                )
            elif credit(answered) < credit(weakest.supports):
                note = (
                    f"answered {answered.label.lower()}, but the evidence supports "
                    f"{weakest.supports.label.lower()} ({weakest.title.lower()})"
                )
        per_item.append(
            SubPracticeEvidence(
                id=sp.id,
                answered=answered,
                supports=weakest.supports,
                rules=tuple(r.id for r in related),
                conflict=conflict,
                note=note,
            )
        )
    return EvidenceReport(
        inventory=_inventory(store),
        rules=tuple(results),
        sub_practices=tuple(per_item),
        not_measured=tuple(not_measured),
    )


def evaluate_file(catalog: Catalog, assessment: Assessment, db_path: Path) -> EvidenceReport | None:
    """Evaluate the evidence beside an assessment, or None when nothing was imported."""
    if not db_path.exists():
        return None
    with EvidenceStore(db_path, read_only=True) as store:
        try:
            if store.db.execute("SELECT 1 FROM imports LIMIT 1").fetchone() is None:
                return None  # e.g. only failed imports so far
            return evaluate(catalog, assessment, store)
        except sqlite3.DatabaseError as exc:  # damage found part-way through a query
            raise damaged(db_path, exc) from None
