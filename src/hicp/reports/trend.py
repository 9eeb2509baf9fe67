"""Progress across several dated assessments of one organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from hicp.assessment.comparison import same_organization_problem
from hicp.assessment.models import Assessment
from hicp.assessment.scoring import score
from hicp.catalog import Catalog
from hicp.errors import ReportError


class TrendPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    date: dt.date
    coverage: float | None
    exposure: float | None  # None when no threat applies
    threats: tuple[tuple[str, float | None], ...]  # (threat, exposure; None: does not apply)
    practices: tuple[tuple[str, float | None], ...]  # (practice, coverage)


class Trend(BaseModel):
    model_config = ConfigDict(frozen=True)

    organization: str
    tier: str
    threat_names: tuple[tuple[str, str], ...]  # (id, short name)
    practice_names: tuple[tuple[str, str], ...]
    points: tuple[TrendPoint, ...]  # oldest first


def build_trend(
    catalog: Catalog, assessments: Sequence[Assessment], *, force: bool = False
) -> Trend:
    """Points oldest first. Every assessment must be of the latest one's organization
    (assessment/comparison.py; ``force`` allows renamed organizations)."""
    if len(assessments) < 2:
        raise ReportError("a trend needs at least two assessments of the same organization")
    ordered = sorted(assessments, key=lambda a: a.assessment.date)
    dates = [a.assessment.date for a in ordered]
    if len(set(dates)) != len(dates):
        raise ReportError("two assessments have the same date; a trend needs one per date")
    for earlier in ordered[:-1]:
        problem = same_organization_problem(
            earlier,
            ordered[-1],
            force=force,
            before_label=f"the assessment of {earlier.assessment.date}",
            after_label=f"the one of {ordered[-1].assessment.date}",
        )
        if problem is not None:
            raise ReportError(f"cannot draw a trend: {problem}")
    points = []
    for a in ordered:
        result = score(catalog, a)
        points.append(
            TrendPoint(
                date=a.assessment.date,
                coverage=result.coverage,
                exposure=result.exposure,
                threats=tuple((t.id, t.exposure) for t in result.threats),
                practices=tuple((p.id, p.coverage) for p in result.practices if p.total),
            )
        )
    latest = ordered[-1]
    return Trend(
        organization=latest.organization.name,
        tier=latest.tier.value,
        threat_names=tuple((t.id, t.short) for t in catalog.threats.values()),
        practice_names=tuple((p.id, p.name) for p in catalog.practices.values()),
        points=tuple(points),
    )
