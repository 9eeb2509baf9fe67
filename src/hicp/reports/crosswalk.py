"""Roll an assessment up to NIST CSF 2.0, the HIPAA Security Rule and the HHS HPH CPGs.

Each roll-up is the mean credit of the in-scope, counted sub-practices linked to the target,
with the linking sub-practices kept so a reader can see what decides it. CSF 2.0 links are
derived from HICP's CSF 1.1 references through NIST's crosswalk; HIPAA links are related
standards, never "satisfies". A small sub-practice whose CSF references are borrowed from a
medium counterpart (the catalog's ``csf_derived``) is listed as derived wherever it is linked.
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from hicp.assessment.scoring import ScoreResult
from hicp.catalog import Catalog


class Rollup(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    coverage: float | None  # None: no linked item counts (none in scope, or all N/A)
    sub_practices: tuple[str, ...]  # linked, in scope
    derived: tuple[str, ...] = ()  # of those, linked only through borrowed CSF references

    @property
    def linked_labels(self) -> tuple[str, ...]:
        """The linked IDs as a reader sees them, a borrowed link marked "(derived)"."""
        return tuple(f"{s} (derived)" if s in self.derived else s for s in self.sub_practices)


class GoalState(StrEnum):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_ASSESSED = "not_assessed"  # no linked sub-practice in this organization's scope

    @property
    def label(self) -> str:
        return {
            "met": "Met",
            "partly_met": "Partly met",
            "not_met": "Not met",
            "not_assessed": "Not assessed",
        }[self.value]


class GoalResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    tier: str
    title: str
    state: GoalState
    deciding: tuple[tuple[str, float | None], ...]  # (sub-practice, credit; None = N/A)


class Crosswalk(BaseModel):
    model_config = ConfigDict(frozen=True)

    csf_functions: tuple[Rollup, ...]
    csf_categories: tuple[Rollup, ...]
    hipaa: tuple[Rollup, ...]
    goals: tuple[GoalResult, ...]


def _credits(result: ScoreResult) -> dict[str, float | None]:
    return {item.id: item.credit for p in result.practices for item in p.items}


def _rollup(
    ident: str,
    name: str,
    linked: list[str],
    credit: dict[str, float | None],
    derived: frozenset[str] = frozenset(),
) -> Rollup:
    counted = [c for sid in linked if (c := credit[sid]) is not None]
    return Rollup(
        id=ident,
        name=name,
        coverage=sum(counted) / len(counted) if counted else None,
        sub_practices=tuple(linked),
        derived=tuple(sid for sid in linked if sid in derived),
    )


def crosswalk(catalog: Catalog, result: ScoreResult) -> Crosswalk:
    credit = _credits(result)
    refs = catalog.references
    by_function: dict[str, list[str]] = defaultdict(list)
    by_category: dict[str, list[str]] = defaultdict(list)
    by_hipaa: dict[str, list[str]] = defaultdict(list)
    derived_items = frozenset(
        sid for sid in credit if catalog.csf_is_derived(catalog.sub_practices[sid])
    )
    for sid in credit:
        sp = catalog.sub_practices[sid]
        derived = catalog.csf_2_0_of(sp)
        for function in sorted({refs.csf_function(r) for r in derived}):
            by_function[function].append(sid)
        for category in sorted({refs.csf_category(r) for r in derived if "." in r}):
            by_category[category].append(sid)
        for standard in sp.hipaa:
            by_hipaa[standard].append(sid)

    functions = [r for r in refs.csf_2_0.values() if r.level == "function"]
    categories = [r for r in refs.csf_2_0.values() if r.level == "category"]
    hipaa = [r for r in refs.hipaa.values() if r.level == "standard"]

    goals = []
    for goal in catalog.goals.values():
        deciding = tuple((sid, credit[sid]) for sid in goal.sub_practices if sid in credit)
        counted = [c for _, c in deciding if c is not None]
        if not counted:
            state = GoalState.NOT_ASSESSED
        elif all(c == 1.0 for c in counted):
            state = GoalState.MET
        elif any(c > 0 for c in counted):
            state = GoalState.PARTLY_MET
        else:
            state = GoalState.NOT_MET
        goals.append(
            GoalResult(id=goal.id, tier=goal.tier, title=goal.title, state=state, deciding=deciding)
        )

    return Crosswalk(
        csf_functions=tuple(
            _rollup(f.id, f.name.title(), by_function[f.id], credit, derived_items)
            for f in functions
            if by_function[f.id]
        ),
        csf_categories=tuple(
            _rollup(c.id, c.name, by_category[c.id], credit, derived_items)
            for c in categories
            if by_category[c.id]
        ),
        hipaa=tuple(_rollup(h.id, h.name, by_hipaa[h.id], credit) for h in hipaa if by_hipaa[h.id]),
        goals=tuple(goals),
    )
