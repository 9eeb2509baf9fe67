"""What changed between two assessments of the same organization: answers and scores."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from hicp.assessment.method import Method, default_method
from hicp.assessment.models import Assessment, Status
from hicp.assessment.scoring import ScoreResult, score
from hicp.catalog import Catalog


class Change(StrEnum):
    IMPROVED = "improved"  # earns more credit than before
    REGRESSED = "regressed"  # earns less credit than before
    NEWLY_ANSWERED = "newly_answered"  # unanswered or out of scope before, answered now
    NOW_NOT_APPLICABLE = "now_not_applicable"
    NOW_APPLICABLE = "now_applicable"  # was not applicable, now counts
    REWORDED = "reworded"  # same credit, different status (e.g. not sure -> no)
    DETAILS = "details"  # same status; owner, dates, notes or evidence changed
    DROPPED = "dropped"  # answered before, unanswered or out of scope now

    @property
    def label(self) -> str:
        return {
            "improved": "Improved",
            "regressed": "Regressed",
            "newly_answered": "Newly answered",
            "now_not_applicable": "Now does not apply",
            "now_applicable": "Now applies",
            "reworded": "Different answer, same credit",
            "details": "Details changed",
            "dropped": "No longer answered",
        }[self.value]


class ItemChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    change: Change
    before: Status | None
    after: Status | None
    fields: tuple[str, ...] = ()  # for DETAILS: which fields changed


class ScoreDelta(BaseModel):
    model_config = ConfigDict(frozen=True)

    coverage_before: float | None
    coverage_after: float | None
    # Exposures are None where no threat (or this threat) applies to the organization.
    exposure_before: float | None
    exposure_after: float | None
    threats: tuple[tuple[str, float | None, float | None], ...]  # (threat, before, after)
    practices: tuple[tuple[str, float | None, float | None], ...]  # (practice, before, after)


class Diff(BaseModel):
    model_config = ConfigDict(frozen=True)

    before_date: dt.date
    after_date: dt.date
    items: tuple[ItemChange, ...]
    scores: ScoreDelta

    @property
    def is_empty(self) -> bool:
        return not self.items and all(b == a for _, b, a in self.scores.threats)

    def of(self, change: Change) -> tuple[ItemChange, ...]:
        return tuple(i for i in self.items if i.change is change)


_DETAIL_FIELDS = ("owner", "target_date", "in_place_since", "notes", "evidence", "justification")


def _credit(method: Method, status: Status | None) -> float:
    if status is None or status is Status.NOT_APPLICABLE:
        return 0.0
    return method.status_credit[status]


def _classify(method: Method, before: Status | None, after: Status | None) -> Change | None:
    if before == after:
        return None
    if after is None:
        return Change.DROPPED
    if before is None:
        return Change.NEWLY_ANSWERED
    if after is Status.NOT_APPLICABLE:
        return Change.NOW_NOT_APPLICABLE
    if before is Status.NOT_APPLICABLE:
        return Change.NOW_APPLICABLE
    delta = _credit(method, after) - _credit(method, before)
    if delta > 0:
        return Change.IMPROVED
    if delta < 0:
        return Change.REGRESSED
    return Change.REWORDED


def diff_assessments(
    catalog: Catalog,
    before: Assessment,
    after: Assessment,
    *,
    before_score: ScoreResult | None = None,
    after_score: ScoreResult | None = None,
    method: Method | None = None,
) -> Diff:
    """Compare answers item by item (in catalog order) and the scores they produce."""
    method = method or default_method()
    old_scope = {sp.id for sp in catalog.in_scope(before.tier, before.organization.include_tiers)}
    new_scope = {sp.id for sp in catalog.in_scope(after.tier, after.organization.include_tiers)}
    items = []
    for sp in catalog.sub_practices.values():
        if sp.id not in old_scope | new_scope:
            continue
        old = before.answer(sp.id) if sp.id in old_scope else None
        new = after.answer(sp.id) if sp.id in new_scope else None
        old_status = old.status if old else None
        new_status = new.status if new else None
        change = _classify(method, old_status, new_status)
        fields: tuple[str, ...] = ()
        if change is None and old is not None and new is not None:
            fields = tuple(f for f in _DETAIL_FIELDS if getattr(old, f) != getattr(new, f))
            change = Change.DETAILS if fields else None
        if change is not None:
            items.append(
                ItemChange(
                    id=sp.id,
                    title=sp.title,
                    change=change,
                    before=old_status,
                    after=new_status,
                    fields=fields,
                )
            )
    s_before = before_score or score(catalog, before, method=method)
    s_after = after_score or score(catalog, after, method=method)
    scores = ScoreDelta(
        coverage_before=s_before.coverage,
        coverage_after=s_after.coverage,
        exposure_before=s_before.exposure,
        exposure_after=s_after.exposure,
        threats=tuple(
            (b.id, b.exposure, a.exposure)
            for b, a in zip(s_before.threats, s_after.threats, strict=True)
        ),
        practices=tuple(
            (b.id, b.coverage, a.coverage)
            for b, a in zip(s_before.practices, s_after.practices, strict=True)
        ),
    )
    return Diff(
        before_date=before.assessment.date,
        after_date=after.assessment.date,
        items=tuple(items),
        scores=scores,
    )
