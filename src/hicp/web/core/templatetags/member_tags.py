"""Template tags of the members feature: the dashboard's links to members and the activity log."""

from __future__ import annotations

from typing import Any

from django import template

from hicp.web.core.roles import Role
from hicp.web.core.scoping import access_to

register = template.Library()


@register.inclusion_tag("members/_dashboard_links.html", takes_context=True)
def member_links(context: template.Context) -> dict[str, Any]:
    """Links to the organization's members and activity log (every member may open both)."""
    organization = context["organization"]
    access = access_to(context["request"].user, organization)
    return {
        "organization": organization,
        "can_manage": access is not None and access.role.allows(Role.ADMIN),
    }
