"""The roll-up of an organization's facilities: each one's latest results side by side (reads only).

Callers obtain the organization through scoping.py first. A membership of an organization
reaches all its facilities at any depth (scoping.py), so everything read here from below the
scoped organization is the caller's to see; nothing here reads above it or beside it.

Rules:
- A facility's results are those of its latest assessment (the one selectors.latest_assessment
  picks: last saved first). Only the core's scoring runs (hicp.assessment.scoring.score): the
  roll-up needs coverage, answered counts and threat exposure, not the plan or the report.
- Exposure levels are fixed bands of a threat's exposure (the share of its risk that remains),
  as the whole percentage shown: high from 60%, medium from 30%, low below. Fixed, not scaled
  to the data, so two roll-ups can be compared by eye. A facility is "at high exposure" when
  any threat is high.
- The worst exposure of a facility is its highest threat exposure (first threat on a tie).
- Rows sort by worst exposure, worst first, ties by lower coverage, then by name. Any column
  can sort either way; facilities without results always come last, by name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, Subquery

from hicp.assessment.method import default_method
from hicp.assessment.scoring import score
from hicp.catalog import Tier, default_catalog
from hicp.errors import HicpError
from hicp.web.core import selectors
from hicp.web.core.models import Assessment, Organization
from hicp.web.core.plan_models import ActionItem
from hicp.web.core.roles import Role
from hicp.web.core.scoping import MAX_DEPTH

# The bands are part of the scoring method (data/scoring.yaml, exposure_levels).
HIGH_FROM = default_method().exposure_levels.high_from
MEDIUM_FROM = default_method().exposure_levels.medium_from
PATH_SEPARATOR = " \u203a "  # between the names of a path, as in the breadcrumbs


class Level(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    # The threat does not apply to the facility (the core's not-applicable threat): no level,
    # not counted among high/medium/low, never a facility's worst.
    NOT_APPLICABLE = "not-applicable"

    @property
    def label(self) -> str:
        return "Not applicable" if self is Level.NOT_APPLICABLE else self.value.capitalize()

    @property
    def meaning(self) -> str:
        return LEVEL_MEANINGS[self]


LEVEL_MEANINGS = {
    Level.HIGH: f"{round(HIGH_FROM * 100)}% or more of the threat's risk remains",
    Level.MEDIUM: f"{round(MEDIUM_FROM * 100)}% to {round(HIGH_FROM * 100)}% remains",
    Level.LOW: f"less than {round(MEDIUM_FROM * 100)}% remains",
    Level.NOT_APPLICABLE: "the threat does not apply to the facility",
}
LEVELS = (Level.HIGH, Level.MEDIUM, Level.LOW)


def level_of(exposure: float | None) -> Level:
    if exposure is None:
        return Level.NOT_APPLICABLE
    # On the whole percentage people see, so "30%" never shows as low beside "30% to 60%".
    shown = round(exposure * 100)
    if shown >= round(HIGH_FROM * 100):
        return Level.HIGH
    return Level.MEDIUM if shown >= round(MEDIUM_FROM * 100) else Level.LOW


@dataclass(frozen=True)
class Threat:
    id: str
    name: str  # the catalog's short name, "Ransomware"

    @property
    def column(self) -> str:
        return self.id.lower()


def threats() -> tuple[Threat, ...]:
    return tuple(Threat(t.id, t.short) for t in default_catalog().threats.values())


@dataclass(frozen=True)
class Exposure:
    threat: Threat
    exposure: float | None  # 0-1, unrounded, as the core computes it; None: does not apply

    @property
    def level(self) -> Level:
        return level_of(self.exposure)


@dataclass(frozen=True)
class Scored:
    """What the roll-up keeps of one assessment: the core's numbers, nothing else."""

    name: str  # the organization name written in the document
    tier: Tier
    date: dt.date
    coverage: float | None
    answered: int
    total: int
    exposures: tuple[float | None, ...]  # in catalog threat order; None: does not apply


@dataclass(frozen=True)
class FacilityRow:
    organization: Organization
    path: tuple[str, ...]  # names below the rolled-up organization, the facility's last
    assessment: Assessment | None
    scored: Scored | None  # None: no assessment, or one that cannot be read
    exposures: tuple[Exposure, ...]
    open_actions: int

    @property
    def label(self) -> str:
        return PATH_SEPARATOR.join(self.path)

    @property
    def unreadable(self) -> bool:
        return self.assessment is not None and self.scored is None

    @property
    def answered_share(self) -> float | None:
        if self.scored is None or not self.scored.total:
            return None
        return self.scored.answered / self.scored.total

    @property
    def worst(self) -> Exposure | None:
        # max() keeps the first of equal values: the catalog's order breaks ties.
        applicable = [e for e in self.exposures if e.exposure is not None]
        return max(applicable, key=lambda e: e.exposure or 0.0) if applicable else None

    @property
    def high(self) -> bool:
        return any(e.level is Level.HIGH for e in self.exposures)


@dataclass(frozen=True)
class ThreatSummary:
    threat: Threat
    counts: tuple[tuple[Level, int], ...]  # facilities at each level, high first
    worst: FacilityRow | None  # the facility most exposed to this threat
    worst_exposure: Exposure | None  # its exposure to this threat


# Columns people can sort by, with the direction a first click gives: the most worrying first.
BASE_COLUMNS: dict[str, bool] = {
    "name": False,
    "date": False,  # oldest assessment first
    "coverage": False,
    "answered": False,
    "worst": True,
    "actions": True,
}
DEFAULT_COLUMN = "worst"


def sort_columns() -> dict[str, bool]:
    """Every sortable column and whether it first sorts descending."""
    return {**BASE_COLUMNS, **{t.column: True for t in threats()}}


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool

    @classmethod
    def parse(cls, column: str | None, direction: str | None) -> Sort:
        """The sort a query string asks for. An unknown column gives the default sort, not an
        error: links are shared and bookmarked, and a stale one should still show the table."""
        columns = sort_columns()
        if column not in columns:
            return cls(DEFAULT_COLUMN, columns[DEFAULT_COLUMN])
        if direction in {"asc", "desc"}:
            return cls(column, direction == "desc")
        return cls(column, columns[column])

    @property
    def direction(self) -> str:
        return "desc" if self.descending else "asc"

    def toggled(self, column: str) -> Sort:
        """The sort a click on ``column``'s header gives: reversed if it is the current one."""
        if column == self.column:
            return Sort(column, not self.descending)
        return Sort(column, sort_columns()[column])


DEFAULT_SORT = Sort(DEFAULT_COLUMN, True)


@dataclass(frozen=True)
class RollUp:
    organization: Organization
    threats: tuple[Threat, ...]
    rows: tuple[FacilityRow, ...]  # sorted; facilities without results last
    sort: Sort

    @property
    def assessed(self) -> tuple[FacilityRow, ...]:
        return tuple(r for r in self.rows if r.scored is not None)

    @property
    def at_high(self) -> int:
        return sum(1 for r in self.rows if r.high)

    @property
    def average_coverage(self) -> float | None:
        """Mean of the facilities' overall coverage; each facility counts once, whatever its
        size (the numbers are shares, and a board compares facilities, not questions)."""
        values = [c for r in self.rows if r.scored and (c := r.scored.coverage) is not None]
        return sum(values) / len(values) if values else None

    @property
    def by_threat(self) -> tuple[ThreatSummary, ...]:
        summaries = []
        for index, threat in enumerate(self.threats):
            counts = dict.fromkeys(LEVELS, 0)
            worst: FacilityRow | None = None
            for row in self.assessed:
                exposure = row.exposures[index]
                if exposure.exposure is None:  # does not apply there: not counted
                    continue
                counts[exposure.level] += 1
                if worst is None or exposure.exposure > (worst.exposures[index].exposure or 0.0):
                    worst = row
            summaries.append(
                ThreatSummary(
                    threat,
                    tuple(counts.items()),
                    worst,
                    worst.exposures[index] if worst is not None else None,
                )
            )
        return tuple(summaries)


def facilities_of(organization: Organization) -> list[tuple[Organization, tuple[str, ...]]]:
    """Every facility below ``organization`` at any depth, with its path of names.

    One query per level of depth, parents before their facilities.
    """
    found: list[tuple[Organization, tuple[str, ...]]] = []
    frontier: dict[int, tuple[str, ...]] = {organization.pk: ()}
    seen = {organization.pk}
    for _ in range(MAX_DEPTH):
        children = Organization.objects.filter(parent_id__in=list(frontier)).order_by("name", "id")
        below: dict[int, tuple[str, ...]] = {}
        for child in children:
            if child.pk in seen or child.parent_id is None:  # a loop in bad data
                continue
            seen.add(child.pk)
            path = (*frontier[child.parent_id], child.name)
            found.append((child, path))
            below[child.pk] = path
        if not below:
            break
        frontier = below
    return found


def has_facilities(organization: Organization) -> bool:
    return Organization.objects.filter(parent_id=organization.pk).exists()


def latest_assessments(organization_ids: Iterable[int]) -> dict[int, Assessment]:
    """Each organization's latest assessment (as selectors.latest_assessment), in one query."""
    newest = (
        Assessment.objects.filter(organization_id=OuterRef("organization_id"))
        .order_by("-updated_at", "-id")
        .values("pk")[:1]
    )
    rows = Assessment.objects.filter(
        organization_id__in=list(organization_ids), pk=Subquery(newest)
    )
    return {a.organization_id: a for a in rows}


def open_action_counts(assessment_ids: Iterable[int]) -> dict[int, int]:
    """Action items not done yet, per assessment, in one query."""
    rows = (
        ActionItem.objects.filter(assessment_id__in=list(assessment_ids))
        .exclude(status=ActionItem.Status.DONE)
        .values("assessment_id")
        .annotate(n=Count("id"))
        .values_list("assessment_id", "n")
    )
    return dict(rows)


# Parsing the YAML is most of the cost of a roll-up (a few milliseconds per assessment), and most
# facilities change rarely. Scores are kept per document text, so any change to the text, by any
# path, is a different key: an entry can be evicted but never be stale.
_CACHE_SIZE = 2048
_cache: OrderedDict[bytes, Scored] = OrderedDict()
_cache_lock = threading.Lock()


def _score(assessment: Assessment) -> Scored:
    loaded = selectors.document_of(assessment).assessment
    result = score(default_catalog(), loaded)
    return Scored(
        name=loaded.organization.name,
        tier=loaded.organization.tier,
        date=loaded.assessment.date,
        coverage=result.coverage,
        answered=result.answered,
        total=result.total,
        exposures=tuple(t.exposure for t in result.threats),
    )


def scored(assessment: Assessment) -> Scored:
    """The core's numbers for ``assessment``; raises the core's error for an unreadable one."""
    key = hashlib.blake2b(assessment.yaml_text.encode("utf-8"), digest_size=20).digest()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = _score(assessment)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _row(
    organization: Organization,
    path: tuple[str, ...],
    assessment: Assessment | None,
    open_actions: dict[int, int],
    threat_list: tuple[Threat, ...],
) -> FacilityRow:
    result: Scored | None = None
    if assessment is not None:
        try:
            result = scored(assessment)
        except HicpError:
            result = None  # shown as "could not be read"; its own page says why
    exposures = (
        tuple(Exposure(t, e) for t, e in zip(threat_list, result.exposures, strict=True))
        if result is not None
        else ()
    )
    return FacilityRow(
        organization=organization,
        path=path,
        assessment=assessment,
        scored=result,
        exposures=exposures,
        open_actions=open_actions.get(assessment.pk, 0) if assessment is not None else 0,
    )


SortKey = Callable[[FacilityRow], float | None]


def _column_value(column: str, threat_list: tuple[Threat, ...]) -> SortKey:
    if column == "date":
        return lambda r: float(r.scored.date.toordinal()) if r.scored else None
    if column == "coverage":
        return lambda r: r.scored.coverage if r.scored else None
    if column == "answered":
        return lambda r: r.answered_share
    if column == "actions":
        return lambda r: float(r.open_actions)
    if column == "worst":
        return lambda r: r.worst.exposure if r.worst else None
    index = [t.column for t in threat_list].index(column)
    return lambda r: r.exposures[index].exposure if r.exposures else None


def sort_rows(
    rows: Iterable[FacilityRow], sort: Sort, threat_list: tuple[Threat, ...]
) -> tuple[FacilityRow, ...]:
    by_name = sorted(rows, key=lambda r: (r.label.casefold(), r.organization.pk))
    with_results = [r for r in by_name if r.scored is not None]
    without = [r for r in by_name if r.scored is None]
    if sort.column == "name":
        named = sorted(with_results, key=lambda r: r.label.casefold(), reverse=sort.descending)
        return (*named, *without)
    value = _column_value(sort.column, threat_list)
    sign = -1.0 if sort.descending else 1.0

    def key(row: FacilityRow) -> tuple[bool, float, bool, float]:
        primary = value(row)
        coverage = row.scored.coverage if row.scored else None
        # A missing value goes after the others whichever the direction; equal values put the
        # lower coverage first (the more worrying facility), then the name (stable sort).
        return (
            primary is None,
            sign * primary if primary is not None else 0.0,
            coverage is None,
            coverage if coverage is not None else 0.0,
        )

    return (*sorted(with_results, key=key), *without)


def roll_up(organization: Organization, sort: Sort = DEFAULT_SORT) -> RollUp:
    """The latest results of every facility below ``organization``, sorted as asked."""
    threat_list = threats()
    facilities = facilities_of(organization)
    latest = latest_assessments(f.pk for f, _ in facilities)
    open_actions = open_action_counts(a.pk for a in latest.values())
    rows = [_row(f, path, latest.get(f.pk), open_actions, threat_list) for f, path in facilities]
    return RollUp(organization, threat_list, sort_rows(rows, sort, threat_list), sort)


@dataclass(frozen=True)
class TreeNode:
    """An organization in the user's list, with the facilities they reach through it."""

    organization: Organization
    role: Role  # the effective role: own membership or inherited, the higher of the two
    children: tuple[TreeNode, ...]


def organization_tree(user: AbstractBaseUser) -> tuple[TreeNode, ...]:
    """The user's organizations, each facility nested under its parent and listed once.

    An organization reached through a parent membership appears only under that parent, with
    the higher of its inherited and own role. One query per level of depth, plus memberships.
    """
    own = {m.organization_id: m for m in selectors.memberships_of(user)}
    children: dict[int, list[Organization]] = defaultdict(list)
    nested: set[int] = set()
    frontier = set(own)
    expanded = set(own)
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        found = Organization.objects.filter(parent_id__in=list(frontier)).order_by("name", "id")
        frontier = set()
        for child in found:
            if child.pk in nested or child.parent_id is None:
                continue
            nested.add(child.pk)
            children[child.parent_id].append(child)
            if child.pk not in expanded:
                expanded.add(child.pk)
                frontier.add(child.pk)

    def node(organization: Organization, inherited: Role | None, depth: int) -> TreeNode:
        membership = own.get(organization.pk)
        roles = [Role(membership.role)] if membership is not None else []
        if inherited is not None:
            roles.append(inherited)
        role = max(roles, key=lambda r: r.rank)
        below = children.get(organization.pk, []) if depth < MAX_DEPTH else []
        return TreeNode(organization, role, tuple(node(c, role, depth + 1) for c in below))

    return tuple(node(m.organization, None, 0) for org_id, m in own.items() if org_id not in nested)
