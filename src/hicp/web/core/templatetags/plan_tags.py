"""Template tags of the action-plan feature: the question page's assignment and comments, and
the dashboard's plan tasks and progress over assessment cycles."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AbstractBaseUser

from hicp.reports import charts
from hicp.reports.wording import pct
from hicp.web.core import plan_selectors, plan_services, selectors
from hicp.web.core.models import Assessment
from hicp.web.core.plan_forms import AssignmentForm
from hicp.web.core.plan_models import ActionItem
from hicp.web.core.plan_views import element_id, thread_context
from hicp.web.core.results import safe_chart
from hicp.web.core.roles import Role

register = template.Library()

NEXT_ITEMS = 5  # open items listed on the dashboard


@register.filter
def dom_id(sub_id: str) -> str:
    """An HTML id part for a sub-practice: "1.S.A" -> "1-S-A"."""
    return element_id(sub_id)


@register.filter
def person(user: AbstractBaseUser | None) -> str:
    return plan_selectors.person_name(user)


@register.filter
def percent(value: float | None) -> str:
    return pct(value)


@register.inclusion_tag("plan/_question_panel.html", takes_context=True)
def question_panel(context: template.Context) -> dict[str, Any]:
    """Who answers this question (assessors change it), and its comment thread."""
    request = context["request"]
    assessment: Assessment = context["assessment"]
    sub_id: str = context["sp"].id
    role = selectors.role_in(request.user, assessment.organization)
    assignment = plan_selectors.assignment_of(assessment, sub_id)
    form = None
    if role.allows(Role.ASSESSOR):
        form = AssignmentForm(
            people=plan_selectors.owner_choices(
                assessment.organization, assignment.user if assignment else None
            ),
            auto_id="assign-%s",
            initial={"user": assignment.user_id if assignment else None},
        )
    return thread_context(request, assessment, sub_id) | {
        "sub_id": sub_id,
        "assignment": assignment,
        "assignee": plan_selectors.person_name(assignment.user) if assignment else None,
        "assign_form": form,
        "in_plan": plan_selectors.in_plan(assessment, sub_id),
        "show_mine": role.allows(Role.CONTRIBUTOR),
    }


@register.inclusion_tag("plan/_dashboard_tasks.html", takes_context=True)
def plan_tasks(context: template.Context) -> dict[str, Any]:
    """The latest assessment's plan as tasks: counts by status, overdue, the next open items."""
    assessment: Assessment = context["latest"]
    items = plan_services.plan_for(context["request"].user, assessment)
    counts = dict.fromkeys(ActionItem.Status.values, 0)
    for item in items:
        counts[item.status] += 1
    return {
        "assessment": assessment,
        "total": len(items),
        "counts": [(label, counts[value]) for value, label in ActionItem.Status.choices],
        "overdue": sum(1 for i in items if i.overdue),
        "next_items": [i for i in items if not i.done][:NEXT_ITEMS],
    }


@register.inclusion_tag("plan/_dashboard_progress.html", takes_context=True)
def plan_progress(context: template.Context) -> dict[str, Any]:
    """Overall coverage over the organization's assessments, once there are two of them."""
    progress = plan_selectors.progress_of(context["organization"])
    return {
        "cycles": progress.cycles,
        "chart": safe_chart(charts.trend_chart(progress.trend)) if progress.trend else None,
    }
