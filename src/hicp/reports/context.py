"""Everything a report shows, computed once from the catalog and an assessment.

Renderers (HTML, PDF, XLSX, DOCX, Markdown, JSON, OSCAL) only lay this object out; none of
them computes a score, so every format says the same thing.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from hicp.assessment.models import Assessment, Status
from hicp.assessment.plan import Action, Plan, build_plan
from hicp.assessment.scoring import ScoreResult, score
from hicp.catalog import Catalog
from hicp.evidence.evaluate import EvidenceReport
from hicp.reports.crosswalk import Crosswalk, crosswalk
from hicp.reports.diff import Diff, diff_assessments
from hicp.reports.recognized import PracticeStanding, recognized_practices
from hicp.reports.wording import status_label

TOP_ACTIONS = 5


class Audience(StrEnum):
    CLINIC = "clinic"  # plain language: questions and summaries
    IT = "it"  # technical: titles, guidance, CSF references


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrganizationInfo(_Frozen):
    name: str
    tier: str
    include_tiers: tuple[str, ...]
    assessor: str | None
    date: dt.date
    catalog_version: str
    hicp_edition: str


class ThreatInfo(_Frozen):
    id: str
    name: str
    short: str
    summary: str


class ItemRow(_Frozen):
    id: str
    title: str
    question: str
    summary: str
    guidance: str
    csf_1_1: tuple[str, ...]  # HICP's own references only
    # Borrowed from medium counterparts (csf_derived_from) where HICP's own are not entered yet.
    csf_1_1_derived: tuple[str, ...] = ()
    csf_derived_from: tuple[str, ...] = ()
    status: Status | None
    status_label: str
    credit: float | None
    owner: str | None
    target_date: dt.date | None
    in_place_since: dt.date | None
    notes: str | None
    evidence: tuple[str, ...]
    justification: str | None
    # What imported tool evidence says about this item, when any rule speaks to it.
    evidence_supports: Status | None = None
    evidence_conflict: str | None = None  # the answer claims more than the evidence supports
    evidence_note: str | None = None  # the evidence shows more than the answer claims


class PracticeSection(_Frozen):
    id: str
    name: str
    summary: str
    coverage: float | None
    counted: int
    answered: int
    total: int
    items: tuple[ItemRow, ...]


class HeatCell(_Frozen):
    """The part of a threat's residual risk due to one practice's gap.

    residual share = inherent x weight x (1 - coverage) / (sum of the threat's scored weights);
    the shares of a threat add up to its residual risk. None where the practice is not scored.
    """

    threat: str
    practice: str
    weight: int
    coverage: float | None
    residual_share: float | None


class EvidenceRule(_Frozen):
    """One evidence rule's result, as a report shows it (drill-down rows stay in the store)."""

    id: str
    title: str
    sub_practices: tuple[str, ...]
    total: int
    bad: int
    share: float
    supports: Status
    explanation: str


class EvidenceNotMeasured(_Frozen):
    """A rule whose data cannot support a judgment (stale, too little): why, and nothing more."""

    id: str
    title: str
    sub_practices: tuple[str, ...]
    reason: str


class EvidenceSummary(_Frozen):
    imports: tuple[str, ...]  # "kind: file name (records)"
    rules: tuple[EvidenceRule, ...]
    conflicts: int
    # Rules that could not judge; shown with their reason, never as a share or a status.
    not_measured: tuple[EvidenceNotMeasured, ...] = ()


class ReportContext(_Frozen):
    audience: Audience
    generated_on: dt.date
    organization: OrganizationInfo
    threats: tuple[ThreatInfo, ...]
    score: ScoreResult
    plan: Plan
    top_actions: tuple[Action, ...]
    practices: tuple[PracticeSection, ...]
    heatmap: tuple[HeatCell, ...]
    recognized: tuple[PracticeStanding, ...]
    crosswalk: Crosswalk
    changes: Diff | None
    evidence: EvidenceSummary | None
    known_gaps: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"HICP cybersecurity assessment: {self.organization.name}"


def _heatmap(result: ScoreResult) -> tuple[HeatCell, ...]:
    cells = []
    for threat in result.applicable_threats:
        weight_sum = sum(c.weight for c in threat.practices if c.coverage is not None)
        for c in threat.practices:
            share = (
                threat.inherent * c.weight * (1.0 - c.coverage) / weight_sum
                if c.coverage is not None
                else None
            )
            cells.append(
                HeatCell(
                    threat=threat.id,
                    practice=c.practice,
                    weight=c.weight,
                    coverage=c.coverage,
                    residual_share=share,
                )
            )
    return tuple(cells)


def _sections(
    catalog: Catalog,
    assessment: Assessment,
    result: ScoreResult,
    evidence: EvidenceReport | None,
) -> tuple[PracticeSection, ...]:
    by_item = {e.id: e for e in evidence.sub_practices} if evidence else {}
    sections = []
    for p in result.practices:
        if not p.total:
            continue
        practice = catalog.practices[p.id]
        rows = []
        for item in p.items:
            sp = catalog.sub_practices[item.id]
            answer = assessment.answer(item.id)
            rows.append(
                ItemRow(
                    id=sp.id,
                    title=sp.title,
                    question=sp.question,
                    summary=sp.summary,
                    guidance=sp.guidance,
                    csf_1_1=sp.csf_1_1,
                    csf_1_1_derived=catalog.csf_1_1_of(sp) if catalog.csf_is_derived(sp) else (),
                    csf_derived_from=sp.csf_derived.source_items if sp.csf_derived else (),
                    status=answer.status,
                    status_label=status_label(answer.status),
                    credit=item.credit,
                    owner=answer.owner,
                    target_date=answer.target_date,
                    in_place_since=answer.in_place_since,
                    notes=answer.notes,
                    evidence=answer.evidence,
                    justification=answer.justification,
                    evidence_supports=by_item[item.id].supports if item.id in by_item else None,
                    evidence_conflict=by_item[item.id].conflict if item.id in by_item else None,
                    evidence_note=by_item[item.id].note if item.id in by_item else None,
                )
            )
        sections.append(
            PracticeSection(
                id=p.id,
                name=p.name,
                summary=practice.summary,
                coverage=p.coverage,
                counted=p.counted,
                answered=p.answered,
                total=p.total,
                items=tuple(rows),
            )
        )
    return tuple(sections)


def build_context(
    catalog: Catalog,
    assessment: Assessment,
    *,
    previous: Assessment | None = None,
    audience: Audience = Audience.CLINIC,
    generated_on: dt.date | None = None,
    evidence: EvidenceReport | None = None,
) -> ReportContext:
    """Everything a report shows. ``evidence`` is the evaluation of imported tool evidence."""
    result = score(catalog, assessment)
    # The report's date is "today" for the plan: targets before it are overdue.
    generated_on = generated_on or dt.date.today()
    plan = build_plan(catalog, assessment, result=result, today=generated_on)
    org = assessment.organization
    return ReportContext(
        audience=audience,
        generated_on=generated_on,
        organization=OrganizationInfo(
            name=org.name,
            tier=org.tier.value,
            include_tiers=tuple(t.value for t in org.include_tiers),
            assessor=assessment.assessment.assessor,
            date=assessment.assessment.date,
            catalog_version=assessment.assessment.catalog_version,
            hicp_edition=catalog.info.hicp_edition,
        ),
        threats=tuple(
            ThreatInfo(id=t.id, name=t.name, short=t.short, summary=t.summary)
            for t in catalog.threats.values()
        ),
        score=result,
        plan=plan,
        top_actions=plan.top(TOP_ACTIONS),
        practices=_sections(catalog, assessment, result, evidence),
        heatmap=_heatmap(result),
        recognized=recognized_practices(catalog, assessment),
        crosswalk=crosswalk(catalog, result),
        changes=diff_assessments(catalog, previous, assessment, after_score=result)
        if previous is not None
        else None,
        evidence=_evidence_summary(evidence),
        known_gaps=catalog.info.known_gaps,
    )


def _evidence_summary(evidence: EvidenceReport | None) -> EvidenceSummary | None:
    if evidence is None:
        return None
    return EvidenceSummary(
        imports=tuple(
            f"{i.kind}: {i.file_name} ({i.records:,} records)" for i in evidence.inventory.imports
        ),
        rules=tuple(
            EvidenceRule(
                id=r.id,
                title=r.title,
                sub_practices=r.sub_practices,
                total=r.total,
                bad=r.bad,
                share=r.share,
                supports=r.supports,
                explanation=r.explanation,
            )
            for r in evidence.rules
        ),
        not_measured=tuple(
            EvidenceNotMeasured(
                id=n.id, title=n.title, sub_practices=n.sub_practices, reason=n.reason
            )
            for n in evidence.not_measured
        ),
        conflicts=len(evidence.conflicts),
    )
