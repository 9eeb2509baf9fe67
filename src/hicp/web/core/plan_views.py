"""Views for the work on one assessment: the tracked action plan, assignments and comments.

As in views.py, the assessment comes from scoping.scoped; the role rules are checked again by
plan_services at the write, so these views only choose what to show and which form to offer.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from hicp.catalog import SubPractice, default_catalog
from hicp.web.core import plan_selectors, plan_services, selectors
from hicp.web.core.models import Assessment
from hicp.web.core.plan_forms import ActionItemForm, AssignmentForm, CommentForm, PlanFilterForm
from hicp.web.core.plan_models import ActionItem
from hicp.web.core.plan_selectors import PlanItem
from hicp.web.core.roles import Role
from hicp.web.core.scoping import scoped

NOT_IN_PLAN = "This sub-practice is not in this assessment's action plan."
NOT_A_QUESTION = "This question is not part of this assessment."


def element_id(sub_id: str) -> str:
    """An HTML id part for a sub-practice ("1.S.A" -> "1-S-A")."""
    return sub_id.replace(".", "-")


def _question_of(assessment: Assessment, sub_id: str) -> SubPractice:
    position = selectors.position_of(selectors.document_of(assessment), sub_id)
    if position is None:
        raise Http404(NOT_A_QUESTION)
    return position.sub_practice


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    response = render(request, "403.html", {"exception": reason}, status=403)
    if request.htmx:
        # htmx does not swap a 403 (base.html); reloading shows the page as this person may see it.
        response["HX-Refresh"] = "true"
    return response


# --- The action plan -------------------------------------------------------------------------


def tracking_form(
    user: AbstractBaseUser, role: Role, assessment: Assessment, item: PlanItem, data: Any = None
) -> ActionItemForm | None:
    """The inline form for one item, with only the fields this person may change (or None)."""
    fields = plan_services.editable_fields(user, role, item.tracking)
    if not fields:
        return None
    return ActionItemForm(
        data,
        people=plan_selectors.owner_choices(assessment.organization, item.owner),
        fields=fields,
        auto_id=f"item-{element_id(item.sub_id)}-%s",
        initial={
            "version": item.version,
            "owner": item.owner.pk if item.owner else None,
            "due_date": item.tracking.due_date if item.tracking else None,
            "status": item.status,
        },
    )


def _matches(item: PlanItem, status: str, owner: str, user: AbstractBaseUser) -> bool:
    if status == "open" and item.done:
        return False
    if status == "overdue" and not item.overdue:
        return False
    if status in ActionItem.Status.values and item.status != status:
        return False
    if owner == "mine" and (item.owner is None or item.owner.pk != user.pk):
        return False
    return not (owner == "nobody" and item.owner is not None)


@scoped({"GET": Role.VIEWER})
def action_plan(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Every item of the core's plan in its order, with owner, due date and status."""
    user = request.user
    role = selectors.role_in(user, assessment.organization)
    items = plan_services.plan_for(user, assessment)
    filters = PlanFilterForm(request.GET or None)
    shown, status = items, 200
    if filters.is_bound:
        if filters.is_valid():
            wanted = filters.cleaned_data
            shown = [i for i in items if _matches(i, wanted["status"], wanted["owner"], user)]
        else:
            status = 400
    rows = [(item, tracking_form(user, role, assessment, item)) for item in shown]
    phases: list[tuple[str, list[tuple[PlanItem, ActionItemForm | None]]]] = []
    for item, form in rows:
        if not phases or phases[-1][0] != item.phase_label:
            phases.append((item.phase_label, []))
        phases[-1][1].append((item, form))
    return render(
        request,
        "plan/plan.html",
        {
            "organization": assessment.organization,
            "assessment": assessment,
            "phases": phases,
            "total": len(items),
            "shown": len(shown),
            "done": sum(1 for i in items if i.done),
            "overdue": sum(1 for i in items if i.overdue),
            "filters": filters,
            "filtered": filters.is_bound,
        },
        status=status,
    )


@scoped({"GET": Role.VIEWER, "POST": Role.CONTRIBUTOR})
def action_item(request: HttpRequest, assessment: Assessment, sub_id: str) -> HttpResponse:
    """One plan item: what to do, its tracking (a POST saves it) and its comment thread."""
    user = request.user
    role = selectors.role_in(user, assessment.organization)
    item = next((i for i in plan_services.plan_for(user, assessment) if i.sub_id == sub_id), None)
    if item is None:
        raise Http404(NOT_IN_PLAN)
    if request.method == "GET":
        form = tracking_form(user, role, assessment, item)
        return render(request, "plan/item.html", _item_context(request, assessment, item, form))

    form = tracking_form(user, role, assessment, item, request.POST)
    if form is None:
        return _refused(request, plan_services.refusal(frozenset()))
    status, outcome = 422, "invalid"
    if form.is_valid():
        try:
            plan_services.update_action_item(
                user, assessment, sub_id, form.cleaned_data["version"], form.wanted()
            )
        except plan_services.ItemConflictError:
            status, outcome = 409, "conflict"
        except PermissionDenied as exc:
            return _refused(request, str(exc))
        else:
            if not request.htmx:
                if request.POST.get("back") == "plan":
                    target = reverse("action-plan", args=[assessment.pk])
                    return redirect(f"{target}#item-{element_id(sub_id)}")
                return redirect("action-item", assessment_id=assessment.pk, sub_id=sub_id)
            status, outcome = 200, "saved"
            item = plan_selectors.plan_item(assessment, sub_id) or item
            form = tracking_form(user, role, assessment, item)
    context = _item_context(request, assessment, item, form) | {"outcome": outcome}
    context["back"] = request.POST.get("back", "")
    template = "plan/_tracking_form.html" if request.htmx else "plan/item.html"
    return render(request, template, context, status=status)


def _item_context(
    request: HttpRequest, assessment: Assessment, item: PlanItem, form: ActionItemForm | None
) -> dict[str, Any]:
    # Plan items are always questions of the assessment, so the catalog entry is theirs.
    catalog = default_catalog().sub_practices
    return thread_context(request, assessment, item.sub_id) | {
        "organization": assessment.organization,
        "assessment": assessment,
        "item": item,
        "sp": catalog[item.sub_id],
        "form": form,
        "depends_on": [(dep, catalog[dep].title) for dep in item.action.depends_on],
    }


# --- Assignments -----------------------------------------------------------------------------


@scoped({"GET": Role.VIEWER, "POST": Role.ASSESSOR})
def question_assignment(request: HttpRequest, assessment: Assessment, sub_id: str) -> HttpResponse:
    """Who answers a question; a POST (assessors and above) changes it."""
    sp = _question_of(assessment, sub_id)
    assignment = plan_selectors.assignment_of(assessment, sub_id)
    current = assignment.user if assignment else None
    people = plan_selectors.owner_choices(assessment.organization, current)
    can_assign = selectors.role_in(request.user, assessment.organization).allows(Role.ASSESSOR)
    status, outcome = 200, ""
    form = None
    if request.method == "POST":
        form = AssignmentForm(request.POST, people=people, auto_id="assign-%s")
        status, outcome = 422, "invalid"
        if form.is_valid():
            plan_services.assign_question(
                request.user, assessment, sub_id, form.cleaned_data["user"]
            )
            if not request.htmx:
                return redirect("question", assessment_id=assessment.pk, sub_id=sub_id)
            status, outcome, form = 200, "saved", None
    assignment = plan_selectors.assignment_of(assessment, sub_id)
    if form is None and can_assign:
        form = AssignmentForm(
            people=people,
            auto_id="assign-%s",
            initial={"user": assignment.user_id if assignment else None},
        )
    context = {
        "organization": assessment.organization,
        "assessment": assessment,
        "sp": sp,
        "sub_id": sub_id,
        "assignment": assignment,
        "assignee": plan_selectors.person_name(assignment.user) if assignment else None,
        "assign_form": form,
        "outcome": outcome,
    }
    template = "plan/_assignment.html" if request.htmx else "plan/assignment.html"
    return render(request, template, context, status=status)


@scoped({"GET": Role.VIEWER})
def my_questions(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """The questions assigned to the signed-in person, with how each is answered so far."""
    questions = plan_selectors.assigned_to(assessment, request.user)
    return render(
        request,
        "plan/mine.html",
        {
            "organization": assessment.organization,
            "assessment": assessment,
            "questions": questions,
            "answered": sum(1 for q in questions if q.answered),
            "next_question": next((q for q in questions if not q.answered), None),
        },
    )


# --- Comments --------------------------------------------------------------------------------


def thread_context(
    request: HttpRequest, assessment: Assessment, sub_id: str, form: CommentForm | None = None
) -> dict[str, Any]:
    """What the comment thread of a question or plan item shows (plan/_comments.html)."""
    role = selectors.role_in(request.user, assessment.organization)
    can_comment = role.allows(Role.CONTRIBUTOR)
    return {
        "assessment": assessment,
        "sub_id": sub_id,
        "comments": list(plan_selectors.comments_on(assessment, sub_id)),
        "comment_form": (form or CommentForm(auto_id="comment-%s")) if can_comment else None,
        "comments_url": reverse("comments", args=[assessment.pk, sub_id]),
    }


@scoped({"GET": Role.VIEWER, "POST": Role.CONTRIBUTOR})
def comments(request: HttpRequest, assessment: Assessment, sub_id: str) -> HttpResponse:
    """The comment thread of one question or plan item; a POST adds a comment."""
    sp = _question_of(assessment, sub_id)
    status, form = 200, None
    if request.method == "POST":
        form = CommentForm(request.POST, auto_id="comment-%s")
        status = 422
        if form.is_valid():
            plan_services.add_comment(request.user, assessment, sub_id, form.cleaned_data["body"])
            if not request.htmx:
                if request.POST.get("back") == "item" and plan_selectors.plan_item(
                    assessment, sub_id
                ):
                    target = reverse("action-item", args=[assessment.pk, sub_id])
                else:
                    target = reverse("question", args=[assessment.pk, sub_id])
                return redirect(f"{target}#comments")
            status, form = 200, None
    context = thread_context(request, assessment, sub_id, form)
    context |= {"organization": assessment.organization, "sp": sp}
    context["back"] = request.POST.get("back", "")
    template = "plan/_comments.html" if request.htmx else "plan/comments.html"
    return render(request, template, context, status=status)
