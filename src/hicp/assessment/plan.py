"""The action plan: every gap, ranked by risk reduced per unit of effort, in dependency order,
placed into phases (first 30 days, 90 days, 6 months, a year).

Rules (docs/scoring.md):
- A gap is an in-scope item that is not implemented and not "not applicable".
- Its reduction is the residual risk (summed over threats) removed if it became implemented; it
  is exact: the same number a re-score would give.
- Priority = reduction / effort points (for a partial item, the points of the part not yet
  done). A prerequisite inherits the priority of anything that
  waits on it, so it is never ranked behind what it unblocks.
- Unanswered and "not sure" items become "find out" actions in the first phase: an afternoon's
  check that does not use the phase's capacity.
- Phases are filled first-fit in priority order up to each phase's capacity for the
  organization's size; an action never lands in an earlier phase than a prerequisite, nor
  earlier than the phase holding a target date the organization set for it.
- A quick win is an action of hours or days that is free or low cost.
- Dates: a phase ends ``within_days`` after the assessment date (the open-ended last phase a
  year after it). An action is due on the organization's own target date, or else at the end
  of its phase. Measured against ``today`` (the report's date, passed in: the core never reads
  the clock), an action due before today is overdue, and so is a phase that has ended; without
  ``today`` nothing is judged overdue.
"""

from __future__ import annotations

import datetime as dt
import heapq
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from hicp.assessment.method import Method, default_method
from hicp.assessment.models import Assessment, Status
from hicp.assessment.scoring import ScoreResult, score
from hicp.catalog import Catalog, Effort
from hicp.catalog.models import Cost


class ActionKind(StrEnum):
    FIND_OUT = "find_out"  # unanswered or not sure: check whether it is in place
    FINISH = "finish"  # partially implemented
    CARRY_OUT = "carry_out"  # planned
    IMPLEMENT = "implement"  # not implemented


KIND_FOR_STATUS = {
    None: ActionKind.FIND_OUT,
    Status.UNKNOWN: ActionKind.FIND_OUT,
    Status.PARTIAL: ActionKind.FINISH,
    Status.PLANNED: ActionKind.CARRY_OUT,
    Status.NOT_IMPLEMENTED: ActionKind.IMPLEMENT,
}

QUICK_EFFORT = frozenset({Effort.HOURS, Effort.DAYS})
QUICK_COST = frozenset({Cost.FREE, Cost.LOW})
LAST_PHASE_DAYS = 365  # the open-ended last phase is "within a year"


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class Action(_Result):
    id: str
    title: str
    practice: str
    kind: ActionKind
    status: Status | None
    threats: tuple[str, ...]
    reduction: float  # residual risk points removed once implemented
    effort: Effort
    cost: Cost
    points: int  # work units left to do
    priority: float  # reduction per effort point, inherited from dependents where higher
    quick_win: bool
    phase: str
    depends_on: tuple[str, ...]  # prerequisites that are still open
    owner: str | None
    target_date: dt.date | None
    due_date: dt.date  # the target date, or else the end of the action's phase
    overdue: bool  # due before the report's date ("today"); never upcoming
    question: str
    why: str
    summary: str
    guidance: str


class PhasePlan(_Result):
    key: str
    label: str
    capacity: int | None
    points: int
    actions: tuple[str, ...]
    ends_on: dt.date  # assessment date + the phase's days
    overdue: bool  # the phase ended before the report's date and still holds actions


class Plan(_Result):
    actions: tuple[Action, ...]
    phases: tuple[PhasePlan, ...]

    def top(self, n: int) -> tuple[Action, ...]:
        """What to do first: the plan's first ``n`` actions, in the plan's own order.

        Every "what to do first" list (the reports' summary, ``hicp plan``, the web dashboard)
        comes from here, so each shows the beginning of the same plan with the same numbers.
        "Find out" actions are included where the plan puts them (first): checking an unknown
        is the plan's own first step, and skipping them made the lists disagree.
        """
        return self.actions[:n]


def _points(method: Method, effort: Effort, status: Status | None) -> int:
    """Work left: finishing a partial item costs the part not yet done (at least one unit)."""
    full = method.effort_points[effort]
    if status is Status.PARTIAL:
        return max(1, round(full * (1.0 - method.status_credit[status])))
    return full


def reductions(catalog: Catalog, result: ScoreResult) -> dict[str, float]:
    """Residual risk each gap removes if implemented, from the score's own structure.

    Raising one item's credit by d in a practice of n counted items raises that practice's
    coverage by d/n, and the mitigation of each threat it serves by (d/n) x w / W, where w is the
    practice's weight for the threat and W the sum of weights of the threat's scored practices;
    residual risk falls by the threat's inherent risk times that.
    """
    share: dict[str, dict[str, float]] = {}  # practice -> threat -> inherent x w / W
    for threat in result.applicable_threats:  # a threat that does not apply has no risk to cut
        scored_weight = sum(c.weight for c in threat.practices if c.coverage is not None)
        for c in threat.practices:
            if c.coverage is not None:
                share.setdefault(c.practice, {})[threat.id] = (
                    threat.inherent * c.weight / scored_weight
                )
    out: dict[str, float] = {}
    for practice in result.practices:
        for item in practice.items:
            if item.credit is None or item.status is Status.IMPLEMENTED:
                continue
            coverage_gain = (1.0 - item.credit) / practice.counted
            out[item.id] = sum(coverage_gain * s for s in share.get(practice.id, {}).values())
    return out


def build_plan(
    catalog: Catalog,
    assessment: Assessment,
    *,
    method: Method | None = None,
    result: ScoreResult | None = None,
    today: dt.date | None = None,
) -> Plan:
    """The plan for ``assessment``; ``today`` (the report's date) decides what is overdue."""
    method = method or default_method()
    result = result or score(catalog, assessment, method=method)
    gains = reductions(catalog, result)
    gaps = [sp for sp in catalog.sub_practices.values() if sp.id in gains]
    order_index = {sp.id: i for i, sp in enumerate(gaps)}
    open_deps = {sp.id: tuple(d for d in sp.depends_on if d in gains) for sp in gaps}
    status_of = {i.id: i.status for p in result.practices for i in p.items}
    kind = {sp.id: KIND_FOR_STATUS[status_of[sp.id]] for sp in gaps}
    points = {sp.id: _points(method, sp.effort, status_of[sp.id]) for sp in gaps}
    own_priority = {sid: gains[sid] / points[sid] for sid in gains}

    dependents: dict[str, list[str]] = {sid: [] for sid in gains}
    for sid, deps in open_deps.items():
        for dep in deps:
            dependents[dep].append(sid)
    effective: dict[str, float] = {}

    def inherited(sid: str) -> float:
        if sid not in effective:
            effective[sid] = max([own_priority[sid], *(inherited(d) for d in dependents[sid])])
        return effective[sid]

    def rank_key(sid: str) -> tuple[int, float, float, int, str]:
        # "Find out" first (cheap and it sharpens the plan), then by inherited priority.
        first = 0 if kind[sid] is ActionKind.FIND_OUT else 1
        return (first, -inherited(sid), -gains[sid], order_index[sid], sid)

    waiting = {sid: len(deps) for sid, deps in open_deps.items()}
    ready = [rank_key(sid) for sid, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        sid = heapq.heappop(ready)[-1]
        ordered.append(sid)
        for dep in dependents[sid]:
            waiting[dep] -= 1
            if waiting[dep] == 0:
                heapq.heappush(ready, rank_key(dep))

    tier = assessment.organization.tier
    assessed = assessment.assessment.date

    def _dated_phase(sid: str) -> int:
        """The phase holding the organization's own target date (0 when it set none)."""
        target = assessment.answer(sid).target_date
        if target is None:
            return 0
        days = (target - assessed).days
        for index, phase in enumerate(method.phases):
            if phase.within_days is None or days <= phase.within_days:
                return index
        return len(method.phases) - 1

    capacities = [p.capacity[tier] if p.capacity else None for p in method.phases]
    used = [0] * len(method.phases)
    phase_of: dict[str, int] = {}
    for sid in ordered:
        if kind[sid] is ActionKind.FIND_OUT:  # checking needs nothing else in place first
            phase_of[sid] = 0
            continue
        earliest = max([*(phase_of[d] for d in open_deps[sid]), _dated_phase(sid)])
        for index in range(earliest, len(capacities)):
            cap = capacities[index]
            if cap is None or used[index] + points[sid] <= cap:
                break
        phase_of[sid] = index
        used[index] += points[sid]

    ends = [
        assessed + dt.timedelta(days=phase.within_days or LAST_PHASE_DAYS)
        for phase in method.phases
    ]

    def overdue(due: dt.date) -> bool:
        return today is not None and due < today

    by_id = catalog.sub_practices
    applicable = {t.id for t in result.applicable_threats}
    actions = []
    position = {sid: i for i, sid in enumerate(ordered)}
    for sid in sorted(ordered, key=lambda s: (phase_of[s], position[s])):
        sp = by_id[sid]
        answer = assessment.answer(sid)
        actions.append(
            Action(
                id=sid,
                title=sp.title,
                practice=catalog.practice_of(sid).id,
                kind=kind[sid],
                status=status_of[sid],
                threats=tuple(t for t in catalog.threats_of(sid) if t in applicable),
                reduction=gains[sid],
                effort=sp.effort,
                cost=sp.cost,
                points=points[sid],
                priority=inherited(sid),
                quick_win=kind[sid] is not ActionKind.FIND_OUT
                and sp.effort in QUICK_EFFORT
                and sp.cost in QUICK_COST,
                phase=method.phases[phase_of[sid]].key,
                depends_on=open_deps[sid],
                owner=answer.owner,
                target_date=answer.target_date,
                due_date=(due := answer.target_date or ends[phase_of[sid]]),
                overdue=overdue(due),
                question=sp.question,
                why=sp.why,
                summary=sp.summary,
                guidance=sp.guidance,
            )
        )
    phases = tuple(
        PhasePlan(
            key=phase.key,
            label=phase.label,
            capacity=capacities[i],
            points=used[i],
            actions=(held := tuple(a.id for a in actions if a.phase == phase.key)),
            ends_on=ends[i],
            overdue=bool(held) and overdue(ends[i]),
        )
        for i, phase in enumerate(method.phases)
    )
    return Plan(actions=tuple(actions), phases=phases)
