"""Writes for the work on one assessment (tracking, assignments, comments) and who may do them.

Every write runs in one transaction and is audited. Callers obtain the assessment through
scoping.py and have checked that the sub-practice belongs to it (in its plan, or among its
questions); the role rules below are checked here, at the write, so the pages and the API
cannot drift apart:
- a contributor answers only the questions assigned to them (``may_answer``);
- an assessor or above changes an action item's owner, due date and status; the person an
  item is given to (contributor or above) changes its status only (``editable_fields``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from hicp.errors import HicpError
from hicp.web.core import selectors
from hicp.web.core.models import Assessment
from hicp.web.core.plan_models import ActionItem, Assignment, Comment
from hicp.web.core.plan_selectors import (
    PlanItem,
    assignable_people,
    assignment_of,
    person_name,
    plan_items,
    previous_tracked,
)
from hicp.web.core.roles import Role
from hicp.web.core.services import audit

TRACKED_FIELDS = ("owner", "due_date", "status")
NOT_ASSIGNED = "This question is not assigned to you. Ask an assessor to assign it."
READ_ONLY = "Your role lets you read this assessment but not change answers."


class ItemConflictError(HicpError):
    """Someone else saved the action item after this change was prepared; nothing was saved."""

    def __init__(self, current_version: int) -> None:
        super().__init__("someone else changed this item after you opened it; reload it")
        self.current_version = current_version


def may_answer(user: AbstractBaseUser, assessment: Assessment, sub_id: str) -> str | None:
    """Why ``user`` may not answer the question ``sub_id``, in words for them; None if they may.

    The one rule for the questionnaire and the API: contributors answer only the questions
    assigned to them; assessors and above answer any question; viewers none.
    """
    role = selectors.role_in(user, assessment.organization)
    if not role.allows(Role.CONTRIBUTOR):
        return READ_ONLY
    if role is not Role.CONTRIBUTOR:
        return None
    assignment = assignment_of(assessment, sub_id)
    if assignment is None:
        return NOT_ASSIGNED
    if assignment.user_id != user.pk:
        return f"This question is assigned to {person_name(assignment.user)}."
    return None


def editable_fields(user: AbstractBaseUser, role: Role, item: ActionItem | None) -> frozenset[str]:
    """Which tracking fields of ``item`` (None: not tracked yet) ``user`` may change."""
    if role.allows(Role.ASSESSOR):
        return frozenset(TRACKED_FIELDS)
    if role.allows(Role.CONTRIBUTOR) and item is not None and item.owner_id == user.pk:
        return frozenset({"status"})
    return frozenset()


def tracking_json(item: ActionItem | None) -> dict[str, Any]:
    """Owner (username), due date and status as the audit log records them."""
    if item is None:
        return {"owner": None, "due_date": None, "status": ActionItem.Status.TO_DO.value}
    return {
        "owner": item.owner.get_username() if item.owner else None,
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "status": item.status,
    }


def refusal(allowed: Collection[str]) -> str:
    if allowed:
        return (
            "You can change the status of items given to you; only an assessor can change "
            "who an item is given to or its due date. Nothing was saved."
        )
    return (
        "Only an assessor, or the person this item is given to, can change it. Nothing was saved."
    )


def update_action_item(
    user: AbstractBaseUser,
    assessment: Assessment,
    sub_id: str,
    expected_version: int,
    wanted: Mapping[str, Any],
) -> ActionItem:
    """Set some of owner, due date and status of one plan item, if nobody saved it since.

    ``wanted`` holds the fields the person sent (owner as a user or None). An item nobody has
    tracked yet is at version 1. Raises ItemConflictError when the version moved, and
    PermissionDenied when a field that would change is not the person's to change; nothing
    is written then. A save that changes nothing writes nothing.
    """
    role = selectors.role_in(user, assessment.organization)
    with transaction.atomic():
        item = (
            ActionItem.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(assessment=assessment, sub_id=sub_id)
            .first()
        )
        current_version = item.version if item else 1
        if current_version != expected_version:
            raise ItemConflictError(current_version)
        current = {name: getattr(item, name) if item else None for name in TRACKED_FIELDS}
        if item is None:
            current["status"] = ActionItem.Status.TO_DO
        changed = {k: v for k, v in wanted.items() if k in TRACKED_FIELDS and current[k] != v}
        allowed = editable_fields(user, role, item)
        if not set(changed) <= allowed:
            raise PermissionDenied(refusal(allowed))
        if changed.get("owner") is not None:
            _check_can_be_given_work(assessment, changed["owner"])
        if not changed:
            return item or ActionItem(assessment=assessment, sub_id=sub_id)
        before = tracking_json(item) | {"version": current_version}
        if item is None:
            item = _new_item(assessment, sub_id)
        for name, value in changed.items():
            setattr(item, name, value)
        item.version = current_version + 1
        item.save()
        audit(
            user,
            assessment.organization,
            item,
            "track",
            before=before,
            after=tracking_json(item) | {"version": item.version},
        )
    return item


def _check_can_be_given_work(assessment: Assessment, person: AbstractBaseUser) -> None:
    if not assignable_people(assessment.organization).filter(pk=person.pk).exists():
        raise PermissionDenied(f"{person_name(person)} cannot be given work here.")


def _new_item(assessment: Assessment, sub_id: str) -> ActionItem:
    try:
        with transaction.atomic():  # a savepoint, so a lost race leaves the outer one usable
            return ActionItem.objects.create(assessment=assessment, sub_id=sub_id)
    except IntegrityError:
        # Someone else tracked the item first, at the same moment: their save stands.
        raise ItemConflictError(2) from None


def assign_question(
    user: AbstractBaseUser,
    assessment: Assessment,
    sub_id: str,
    assignee: AbstractBaseUser | None,
) -> Assignment | None:
    """Give the question ``sub_id`` to ``assignee`` (None: to nobody). Assessors and above."""
    if not selectors.role_in(user, assessment.organization).allows(Role.ASSESSOR):
        raise PermissionDenied("Only an assessor can assign questions.")
    with transaction.atomic():
        current = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(assessment=assessment, sub_id=sub_id)
            .first()
        )
        before = {"sub_id": sub_id, "user": current.user.get_username() if current else None}
        if assignee is None:
            if current is not None:
                audit(
                    user,
                    assessment.organization,
                    current,
                    "unassign",
                    before=before,
                    after=before | {"user": None},
                )
                current.delete()
            return None
        if current is not None and current.user_id == assignee.pk:
            return current
        _check_can_be_given_work(assessment, assignee)
        if current is None:
            current = Assignment(assessment=assessment, sub_id=sub_id)
        current.user = assignee
        current.assigned_by = user
        current.save()
        audit(
            user,
            assessment.organization,
            current,
            "assign",
            before=before,
            after=before | {"user": assignee.get_username()},
        )
    return current


@transaction.atomic
def add_comment(user: AbstractBaseUser, assessment: Assessment, sub_id: str, body: str) -> Comment:
    """A new remark on a question or plan item; contributors and above. Never edited later."""
    if not selectors.role_in(user, assessment.organization).allows(Role.CONTRIBUTOR):
        raise PermissionDenied("Your role lets you read comments but not write them.")
    comment = Comment.objects.create(assessment=assessment, sub_id=sub_id, author=user, body=body)
    audit(
        user,
        assessment.organization,
        comment,
        "comment",
        after={"sub_id": sub_id, "body": body},
    )
    return comment


def carry_over(user: AbstractBaseUser, assessment: Assessment, plan: Collection[str]) -> int:
    """Copy open tracking from the organization's previous assessment; how many items.

    Runs when an assessment's plan is first shown and nobody has tracked any of its items yet:
    an item still in the new plan (``plan``: its sub-practice IDs) keeps the owner, due date
    and status it had in the previous assessment that tracked anything (``previous_tracked``),
    unless it was done. An owner who can no longer be given work here is left out. Audited
    once, on the new assessment, listing what was copied.
    """
    if ActionItem.objects.filter(assessment=assessment).exists():
        return 0
    with transaction.atomic():
        # Two people opening the new plan at once: the second waits here, then finds the rows.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        if ActionItem.objects.filter(assessment=assessment).exists():
            return 0
        previous = previous_tracked(assessment)
        if previous is None:
            return 0
        people = set(assignable_people(assessment.organization).values_list("pk", flat=True))
        copied = []
        rows = ActionItem.objects.filter(assessment=previous, sub_id__in=list(plan)).exclude(
            status=ActionItem.Status.DONE
        )
        for row in rows.select_related("owner").order_by("sub_id"):
            copied.append(
                ActionItem.objects.create(
                    assessment=assessment,
                    sub_id=row.sub_id,
                    owner=row.owner if row.owner_id in people else None,
                    due_date=row.due_date,
                    status=row.status,
                )
            )
        if copied:
            audit(
                user,
                assessment.organization,
                assessment,
                "carry_over",
                after={
                    "from_assessment": previous.pk,
                    "items": {item.sub_id: tracking_json(item) for item in copied},
                },
            )
    return len(copied)


def plan_for(user: AbstractBaseUser, assessment: Assessment) -> list[PlanItem]:
    """The plan's items with tracking, after carrying tracking over the first time it is shown."""
    items = plan_items(assessment)
    if not any(item.tracking for item in items) and carry_over(
        user, assessment, [item.sub_id for item in items]
    ):
        items = plan_items(assessment)
    return items
