"""Template tags of attachments: a question's evidence files and upload form, on its page."""

from __future__ import annotations

from typing import Any

from django import template

from hicp.web.core import selectors
from hicp.web.core.attachment_views import AttachmentForm, list_context

register = template.Library()


@register.inclusion_tag("attachments/_question_attachments.html", takes_context=True)
def question_attachments(context: template.Context) -> dict[str, Any]:
    """The files of the question on the page (``assessment`` and ``sp`` in the context).

    The page's view is already scoped; the role decides whether the form and the remove
    links show, and the upload and remove views check it again.
    """
    request = context["request"]
    assessment = context["assessment"]
    role = selectors.role_in(request.user, assessment.organization)
    return {
        **list_context(request.user, assessment, context["sp"].id, role),
        "form": AttachmentForm(),
        "csrf_token": context.get("csrf_token"),
    }
