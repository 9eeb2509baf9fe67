"""Reads for the work on one assessment: its action plan with tracking, assignments, comments.

Callers obtain the assessment or organization through scoping.py first, as for selectors.py.
Rules:
- the plan's items, their order and phases come from the core (build_plan); a tracking row
  only adds owner, due date and status, and an item nobody has tracked yet is "to do";
- an item's date is the due date someone set, else the plan's date: the target date the
  organization gave in its answer, else the end of the item's phase counted from the
  assessment date (the last, open-ended phase ends a year after it, as its label says);
- an item is overdue when that date has passed and it is not done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from hicp.assessment.method import default_method
from hicp.assessment.models import Assessment as AssessmentDocument
from hicp.assessment.plan import Action, build_plan
from hicp.assessment.scoring import score
from hicp.assessment.store import Loaded
from hicp.catalog import default_catalog
from hicp.reports.trend import Trend, build_trend
from hicp.reports.wording import ANSWER_LABELS, COST_WORDS, NOT_ANSWERED, action_label, effort_words
from hicp.web.core import selectors
from hicp.web.core.models import Assessment, Membership, Organization
from hicp.web.core.plan_models import ActionItem, Assignment, Comment
from hicp.web.core.roles import Role
from hicp.web.core.scoping import ancestors

LAST_PHASE_DAYS = 365  # the open-ended last phase is labelled "Within a year"
STATUS_LABELS = dict(ActionItem.Status.choices)


def person_name(user: AbstractBaseUser | None) -> str:
    """How a person is named on pages: their full name if they gave one, else their username."""
    if user is None:
        return "nobody yet"
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or user.get_username())


@dataclass(frozen=True)
class PlanItem:
    """One item of the core's plan with the tracking people added to it."""

    action: Action
    number: int  # 1-based position in the plan
    phase_label: str  # "First 30 days"
    label: str  # "Put in place: E-mail System Configuration"
    effort: str  # "a few days"
    cost: str  # "low cost"
    tracking: ActionItem | None  # None: nobody has changed anything yet
    planned_date: dt.date
    comments: int
    today: dt.date

    @property
    def sub_id(self) -> str:
        return self.action.id

    @property
    def owner(self) -> AbstractBaseUser | None:
        return self.tracking.owner if self.tracking else None

    @property
    def due_date(self) -> dt.date:
        if self.tracking and self.tracking.due_date:
            return self.tracking.due_date
        return self.planned_date

    @property
    def due_date_set(self) -> bool:
        return bool(self.tracking and self.tracking.due_date)

    @property
    def status(self) -> str:
        return self.tracking.status if self.tracking else ActionItem.Status.TO_DO

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def version(self) -> int:
        return self.tracking.version if self.tracking else 1

    @property
    def done(self) -> bool:
        return self.status == ActionItem.Status.DONE

    @property
    def overdue(self) -> bool:
        return not self.done and self.due_date < self.today


def planned_dates(loaded: Loaded, actions: Sequence[Action]) -> dict[str, dt.date]:
    """The plan's own date for each action (see the module's rules)."""
    assessed = loaded.assessment.assessment.date
    ends = {
        phase.key: assessed + dt.timedelta(days=phase.within_days or LAST_PHASE_DAYS)
        for phase in default_method().phases
    }
    return {a.id: a.target_date or ends[a.phase] for a in actions}


def plan_items(assessment: Assessment, *, today: dt.date | None = None) -> list[PlanItem]:
    """Every item of the assessment's plan, in the core's order, with its tracking."""
    loaded = selectors.document_of(assessment)
    plan = build_plan(default_catalog(), loaded.assessment)
    labels = {phase.key: phase.label for phase in default_method().phases}
    dates = planned_dates(loaded, plan.actions)
    tracking = {
        row.sub_id: row
        for row in ActionItem.objects.filter(assessment=assessment).select_related("owner")
    }
    comments = comment_counts(assessment)
    today = today or dt.date.today()
    return [
        PlanItem(
            action=action,
            number=number,
            phase_label=labels[action.phase],
            label=action_label(action),
            effort=effort_words(action),
            cost=COST_WORDS[action.cost],
            tracking=tracking.get(action.id),
            planned_date=dates[action.id],
            comments=comments.get(action.id, 0),
            today=today,
        )
        for number, action in enumerate(plan.actions, 1)
    ]


def plan_item(assessment: Assessment, sub_id: str) -> PlanItem | None:
    """One item of the plan, or None when the sub-practice is not in this assessment's plan."""
    return next((item for item in plan_items(assessment) if item.sub_id == sub_id), None)


def in_plan(assessment: Assessment, sub_id: str) -> bool:
    """Whether the sub-practice is an item of the assessment's plan (without its tracking)."""
    plan = build_plan(default_catalog(), selectors.document_of(assessment).assessment)
    return any(action.id == sub_id for action in plan.actions)


def previous_tracked(assessment: Assessment) -> Assessment | None:
    """The organization's assessment just before this one that has tracked plan items.

    "Before" goes by the assessment date written in the files, then by when each was added
    here, so an old assessment entered late never takes the tracking of a newer one.
    """

    def order(a: Assessment) -> tuple[dt.date, dt.datetime, int]:
        return (selectors.document_of(a).assessment.assessment.date, a.created_at, a.pk)

    own = order(assessment)
    tracked = (
        selectors.assessments_of(assessment.organization)
        .filter(action_items__isnull=False)
        .exclude(pk=assessment.pk)
        .distinct()
    )
    earlier = [(key, a) for a in tracked if (key := order(a)) < own]
    return max(earlier, key=lambda pair: pair[0])[1] if earlier else None


def assignable_people(organization: Organization) -> QuerySet[AbstractBaseUser]:
    """People who can be given work here: an effective role of contributor or above.

    Members of a parent organization count with the role they carry down (scoping.py's rule);
    viewers are left out because they could not act on what they were given.
    """
    chain = [organization, *ancestors(organization)]
    best: dict[int, Role] = {}
    for user_id, value in Membership.objects.filter(organization__in=chain).values_list(
        "user_id", "role"
    ):
        role = Role(value)
        if user_id not in best or role.rank > best[user_id].rank:
            best[user_id] = role
    wanted = [uid for uid, role in best.items() if role.allows(Role.CONTRIBUTOR)]
    return get_user_model().objects.filter(pk__in=wanted, is_active=True).order_by("username")


def owner_choices(
    organization: Organization, current: AbstractBaseUser | None
) -> QuerySet[AbstractBaseUser]:
    """Who a select offers: people who can be given work here, and whoever has the work now.

    Keeping the current holder in the list (say they have since left) means saving another
    field of the same form never takes the work away from them unasked.
    """
    people = assignable_people(organization)
    if current is None:
        return people
    return (
        get_user_model()
        .objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current.pk))
        .order_by("username")
    )


def assignment_of(assessment: Assessment, sub_id: str) -> Assignment | None:
    return (
        Assignment.objects.filter(assessment=assessment, sub_id=sub_id)
        .select_related("user")
        .first()
    )


@dataclass(frozen=True)
class AssignedQuestion:
    sub_id: str
    title: str
    question: str
    answer_label: str  # "Partly", or "Not answered"
    answered: bool


def assigned_to(assessment: Assessment, user: AbstractBaseUser) -> list[AssignedQuestion]:
    """The questions of the assessment assigned to ``user``, in questionnaire order."""
    loaded = selectors.document_of(assessment)
    mine = set(
        Assignment.objects.filter(assessment=assessment, user_id=user.pk).values_list(
            "sub_id", flat=True
        )
    )
    rows = []
    for sp in selectors.questions_of(loaded):
        if sp.id not in mine:
            continue
        status = loaded.assessment.answer(sp.id).status
        rows.append(
            AssignedQuestion(
                sub_id=sp.id,
                title=sp.title,
                question=sp.question,
                answer_label=ANSWER_LABELS[status] if status else NOT_ANSWERED,
                answered=status is not None,
            )
        )
    return rows


def first_unanswered_assigned(assessment: Assessment, user: AbstractBaseUser) -> str | None:
    return next((q.sub_id for q in assigned_to(assessment, user) if not q.answered), None)


def comments_on(assessment: Assessment, sub_id: str) -> QuerySet[Comment]:
    """The thread of one question or plan item, oldest first (newest last)."""
    return (
        Comment.objects.filter(assessment=assessment, sub_id=sub_id)
        .select_related("author")
        .order_by("created_at", "id")
    )


def comment_counts(assessment: Assessment) -> dict[str, int]:
    return dict(
        Comment.objects.filter(assessment=assessment)
        .values("sub_id")
        .annotate(n=Count("id"))
        .values_list("sub_id", "n")
    )


@dataclass(frozen=True)
class Cycle:
    """One assessment of the organization, as the progress table shows it."""

    assessment: Assessment
    date: dt.date  # the assessment date written in its file
    coverage: float | None
    done: int  # plan items marked done
    items: int  # items in its plan


@dataclass(frozen=True)
class Progress:
    cycles: tuple[Cycle, ...]  # oldest first
    trend: Trend | None  # None until two assessments have different dates


def progress_of(organization: Organization) -> Progress:
    """Overall coverage across the organization's assessments, for the trend on its dashboard.

    The core's trend takes one assessment per date: where several share a date, the one saved
    last stands for it. Imported files may spell the organization's name differently, so every
    point is given this organization's name (the trend checks that they are one organization).
    """
    catalog = default_catalog()
    assessments = list(selectors.assessments_of(organization))
    done = dict(
        ActionItem.objects.filter(assessment__in=assessments, status=ActionItem.Status.DONE)
        .values("assessment_id")
        .annotate(n=Count("id"))
        .values_list("assessment_id", "n")
    )
    cycles = []
    documents: dict[dt.date, AssessmentDocument] = {}
    # Oldest saves first, so the last saved assessment of a date overwrites the others.
    for assessment in sorted(assessments, key=lambda a: (a.updated_at, a.pk)):
        document = selectors.document_of(assessment).assessment
        result = score(catalog, document)
        cycles.append(
            Cycle(
                assessment=assessment,
                date=document.assessment.date,
                coverage=result.coverage,
                done=done.get(assessment.pk, 0),
                items=len(build_plan(catalog, document, result=result).actions),
            )
        )
        renamed = document.organization.model_copy(update={"name": organization.name})
        documents[document.assessment.date] = document.model_copy(update={"organization": renamed})
    cycles.sort(key=lambda c: (c.date, c.assessment.created_at, c.assessment.pk))
    trend = build_trend(catalog, list(documents.values())) if len(documents) >= 2 else None
    return Progress(cycles=tuple(cycles), trend=trend)
