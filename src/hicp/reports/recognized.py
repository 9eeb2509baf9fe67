"""Recognized security practices: what has been in place for the previous 12 months.

Public Law 116-321 (2021) requires HHS to consider whether an entity had recognized security
practices, such as HICP, in place for the previous 12 months when it settles a HIPAA
enforcement action. This module turns the in-place-since dates and evidence into that view.

Rules, per practice (N/A items left out):
- established: every item is implemented and has been for 12 months or more;
- in place, under 12 months: every item is implemented, but at least one is more recent or has
  no in-place-since date (a missing date cannot be counted as 12 months);
- partly in place: some credit, not everything implemented;
- not in place: nothing implemented or partial.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from hicp.assessment.models import IN_PLACE, Assessment, Status
from hicp.catalog import Catalog


class Standing(StrEnum):
    ESTABLISHED = "established"
    RECENT = "in_place_under_12_months"
    PARTIAL = "partly_in_place"
    NOT_IN_PLACE = "not_in_place"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {
            "established": "In place for 12 months or more",
            "in_place_under_12_months": "In place, less than 12 months",
            "partly_in_place": "Partly in place",
            "not_in_place": "Not in place",
            "not_applicable": "Does not apply",
        }[self.value]


class ItemStanding(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    status: Status | None
    in_place_since: dt.date | None
    months_in_place: int | None
    twelve_months: bool
    evidence: tuple[str, ...]
    missing: tuple[str, ...]  # what is lacking for this item to support the practice


class PracticeStanding(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    standing: Standing
    items: tuple[ItemStanding, ...]


def twelve_months_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _months(since: dt.date, until: dt.date) -> int:
    return max(
        0,
        (until.year - since.year) * 12
        + until.month
        - since.month
        - (1 if until.day < since.day else 0),
    )


def recognized_practices(catalog: Catalog, assessment: Assessment) -> tuple[PracticeStanding, ...]:
    as_of = assessment.assessment.date
    cutoff = twelve_months_before(as_of)
    org = assessment.organization
    scope = catalog.in_scope(org.tier, org.include_tiers)
    out = []
    for practice in catalog.practices.values():
        items = []
        for sp in (s for s in scope if catalog.practice_of(s.id).id == practice.id):
            answer = assessment.answer(sp.id)
            if answer.status is Status.NOT_APPLICABLE:
                continue
            since = answer.in_place_since if answer.status in IN_PLACE else None
            twelve = answer.status is Status.IMPLEMENTED and since is not None and since <= cutoff
            missing = []
            if answer.status is not Status.IMPLEMENTED:
                missing.append("not fully implemented")
            elif since is None:
                missing.append("no in-place-since date")
            elif since > cutoff:
                missing.append(f"in place only since {since.isoformat()}")
            if answer.status in IN_PLACE and not answer.evidence:
                missing.append("no evidence recorded")
            items.append(
                ItemStanding(
                    id=sp.id,
                    title=sp.title,
                    status=answer.status,
                    in_place_since=since,
                    months_in_place=_months(since, as_of) if since else None,
                    twelve_months=twelve,
                    evidence=answer.evidence,
                    missing=tuple(missing),
                )
            )
        if not items:
            standing = Standing.NOT_APPLICABLE
        elif all(i.twelve_months for i in items):
            standing = Standing.ESTABLISHED
        elif all(i.status is Status.IMPLEMENTED for i in items):
            standing = Standing.RECENT
        elif any(i.status in IN_PLACE for i in items):
            standing = Standing.PARTIAL
        else:
            standing = Standing.NOT_IN_PLACE
        out.append(
            PracticeStanding(
                id=practice.id, name=practice.name, standing=standing, items=tuple(items)
            )
        )
    return tuple(out)
