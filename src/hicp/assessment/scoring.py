"""Scoring: sub-practice credit -> practice coverage -> residual exposure to each threat -> overall.

Rules (docs/scoring.md works an example through):
- An in-scope sub-practice earns the credit of its status (data/scoring.yaml); unanswered earns 0.
  ``not_applicable`` items are left out of every count, so they never count against a score.
- Practice coverage = mean credit of its counted items; None ("not scored") when it has none.
- Threat mitigation = weighted mean coverage of the scored practices HICP lists as mitigating the
  threat, weighted by each practice's contribution to that threat (data/catalog/threats.yaml);
  0 when none is scored. Inherent risk = likelihood x impact (1-25). Residual risk =
  inherent x (1 - mitigation). Exposure = residual as a fraction of inherent.
- A threat is not applicable when the assessment declares it so (with a reason), or when every
  in-scope item of the practice dedicated to it (threats.yaml) is not applicable; the reason is
  then those items' justifications. It has no mitigation, residual or exposure (None), and is left
  out of overall exposure and of the plan's arithmetic.
- Overall coverage = mean credit of all counted items; overall exposure = total residual risk as
  a percentage of total inherent risk, over the threats that apply (None when none applies).
Numbers are kept unrounded; renderers round for display.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from hicp.assessment.method import Method, default_method
from hicp.assessment.models import Assessment, Status, ThreatOverride
from hicp.catalog import Catalog


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class ItemScore(_Result):
    id: str
    status: Status | None  # None: unanswered
    credit: float | None  # None: not applicable, left out


class PracticeScore(_Result):
    id: str
    name: str
    coverage: float | None  # 0-1; None when every item is not applicable
    counted: int  # items that count (not N/A)
    answered: int  # items with any status, N/A included
    total: int  # items in scope
    items: tuple[ItemScore, ...]


class Contribution(_Result):
    """One practice's part in mitigating a threat."""

    practice: str
    weight: int
    coverage: float | None  # None: not scored, left out of the threat's mitigation


class ThreatScore(_Result):
    id: str
    name: str
    likelihood: int
    impact: int
    override_reason: str | None
    inherent: int  # likelihood x impact, 1-25
    # Why the threat does not apply to this organization; None when it applies.
    not_applicable: str | None = None
    # The three below are None for a threat that does not apply (not a percentage, not zero).
    mitigation: float | None  # 0-1
    residual: float | None  # inherent x (1 - mitigation)
    exposure: float | None  # residual / inherent, 0-1
    practices: tuple[Contribution, ...]  # the practices that mitigate it

    @property
    def applies(self) -> bool:
        return self.not_applicable is None


class ScoreResult(_Result):
    catalog_version: str
    coverage: float | None
    exposure: float | None  # None when no threat applies
    answered: int
    total: int
    practices: tuple[PracticeScore, ...]
    threats: tuple[ThreatScore, ...]

    def practice(self, practice_id: str) -> PracticeScore:
        return next(p for p in self.practices if p.id == practice_id)

    def threat(self, threat_id: str) -> ThreatScore:
        return next(t for t in self.threats if t.id == threat_id)

    @property
    def applicable_threats(self) -> tuple[ThreatScore, ...]:
        return tuple(t for t in self.threats if t.applies)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score(
    catalog: Catalog,
    assessment: Assessment,
    *,
    method: Method | None = None,
    statuses: Mapping[str, Status | None] | None = None,
) -> ScoreResult:
    """Score ``assessment``. ``statuses`` replaces individual answers (used to ask "what if")."""
    method = method or default_method()
    org = assessment.organization
    in_scope = catalog.in_scope(org.tier, org.include_tiers)
    by_practice: dict[str, list[ItemScore]] = {pid: [] for pid in catalog.practices}
    for sp in in_scope:
        status = assessment.answer(sp.id).status
        if statuses is not None and sp.id in statuses:
            status = statuses[sp.id]
        if status is Status.NOT_APPLICABLE:
            credit = None
        else:
            credit = 0.0 if status is None else method.status_credit[status]
        by_practice[catalog.practice_of(sp.id).id].append(
            ItemScore(id=sp.id, status=status, credit=credit)
        )

    practices = []
    all_credits: list[float] = []
    for pid, items in by_practice.items():
        credits = [i.credit for i in items if i.credit is not None]
        all_credits.extend(credits)
        practices.append(
            PracticeScore(
                id=pid,
                name=catalog.practices[pid].name,
                coverage=_mean(credits),
                counted=len(credits),
                answered=sum(1 for i in items if i.status is not None),
                total=len(items),
                items=tuple(items),
            )
        )
    coverage_of = {p.id: p.coverage for p in practices}

    items_of = {p.id: p.items for p in practices}
    threats = []
    for threat in catalog.threats.values():
        override = assessment.threats.get(threat.id)
        likelihood = (override.likelihood if override else None) or threat.likelihood
        impact = (override.impact if override else None) or threat.impact
        parts = tuple(
            Contribution(practice=pid, weight=weight, coverage=coverage_of[pid])
            for pid, weight in threat.practices.items()
        )
        inherent = likelihood * impact
        reason = _not_applicable_reason(
            assessment, override, items_of.get(threat.dedicated_practice or "", ())
        )
        if reason is not None:
            threats.append(
                ThreatScore(
                    id=threat.id,
                    name=threat.name,
                    likelihood=likelihood,
                    impact=impact,
                    override_reason=None,
                    inherent=inherent,
                    not_applicable=reason,
                    mitigation=None,
                    residual=None,
                    exposure=None,
                    practices=parts,
                )
            )
            continue
        scored = [c for c in parts if c.coverage is not None]
        weight_sum = sum(c.weight for c in scored)
        mitigation = (
            sum(c.weight * (c.coverage or 0.0) for c in scored) / weight_sum if scored else 0.0
        )
        residual = inherent * (1.0 - mitigation)
        threats.append(
            ThreatScore(
                id=threat.id,
                name=threat.name,
                likelihood=likelihood,
                impact=impact,
                override_reason=override.reason if override else None,
                inherent=inherent,
                mitigation=mitigation,
                residual=residual,
                exposure=residual / inherent,
                practices=parts,
            )
        )

    applicable = [t for t in threats if t.residual is not None]
    total_inherent = sum(t.inherent for t in applicable)
    return ScoreResult(
        catalog_version=catalog.version,
        coverage=_mean(all_credits),
        exposure=sum(t.residual or 0.0 for t in applicable) / total_inherent
        if applicable
        else None,
        answered=sum(p.answered for p in practices),
        total=len(in_scope),
        practices=tuple(practices),
        threats=tuple(threats),
    )


def _not_applicable_reason(
    assessment: Assessment,
    override: ThreatOverride | None,
    dedicated_items: tuple[ItemScore, ...],
) -> str | None:
    """Why a threat does not apply, or None when it does.

    The organization's own declaration wins. Otherwise the threat follows its dedicated
    practice: if that practice has items in scope and every one is not applicable, so is the
    threat, for the reasons the organization gave for those items. A practice with no items in
    scope says nothing either way, so the threat still applies.
    """
    if override is not None and override.not_applicable:
        return override.reason
    if dedicated_items and all(i.status is Status.NOT_APPLICABLE for i in dedicated_items):
        reasons = [
            f"{i.id}: {assessment.answer(i.id).justification or 'marked not applicable'}"
            for i in dedicated_items
        ]
        return "; ".join(reasons)
    return None
