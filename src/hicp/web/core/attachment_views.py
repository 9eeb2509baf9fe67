"""Views of evidence files attached to questions: list and upload, download, remove.

Files are served only here, after scoping, as downloads that a browser will not render: never
through a static or media URL.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from hicp.catalog import SubPractice
from hicp.web.core import attachment_files, attachment_services, plan_services, selectors
from hicp.web.core.attachment_files import RefusedUpload, UploadCap
from hicp.web.core.attachment_services import AlreadyAttached
from hicp.web.core.models import Assessment, Attachment
from hicp.web.core.roles import Role
from hicp.web.core.scoping import child_of, scoped

logger = logging.getLogger(__name__)

NOT_YOURS = (
    "Only the person who attached this file, or an assessor, admin or owner of the "
    "organization, can remove it."
)


class AttachmentForm(forms.Form):
    # ``accept`` only helps the browser's file picker; the server decides from the content.
    file = forms.FileField(
        label="File to attach",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ",".join(e for kind in attachment_files.KINDS for e in kind.extensions),
                "aria-describedby": "id_file_helptext",
            }
        ),
    )


def accepted_in_words(limit: int) -> str:
    return (
        "PDF, Word, Excel, pictures (PNG, JPEG or GIF), CSV or text files, up to "
        f"{attachment_files.limit_in_words(limit)} each. OpenDocument files (.odt, .ods) "
        "work too."
    )


def _question_url(assessment: Assessment, sub_id: str) -> str:
    url = reverse("question", kwargs={"assessment_id": assessment.pk, "sub_id": sub_id})
    return f"{url}#attachments"


def _question_of(assessment: Assessment, sub_id: str) -> SubPractice:
    position = selectors.position_of(selectors.document_of(assessment), sub_id)
    if position is None:
        raise Http404("This question is not part of this assessment.")
    return position.sub_practice


def list_context(
    user: AbstractBaseUser | AnonymousUser, assessment: Assessment, sub_id: str, role: Role
) -> dict[str, Any]:
    """What the list of a question's files and the upload form need (page and hook alike)."""
    limit = attachment_services.max_bytes()
    return {
        "assessment": assessment,
        "sub_id": sub_id,
        "rows": [
            (attachment, attachment_services.may_remove(user, role, attachment))
            for attachment in attachment_services.attachments_on(assessment, sub_id)
        ],
        # Evidence for a question is part of answering it: the same rule decides (a contributor
        # attaches files only to the questions assigned to them).
        "can_upload": plan_services.may_answer(user, assessment, sub_id) is None,
        "accepted": accepted_in_words(limit),
        "upload_url": reverse(
            "attachment-upload", kwargs={"assessment_id": assessment.pk, "sub_id": sub_id}
        ),
    }


@csrf_exempt  # checked by csrf_protect below, once the size cap is in place
def attachment_upload(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """A question's files and the form to add one; a POST adds one.

    The size cap must be installed before anything reads the request body, and the CSRF
    check reads it: hence this wrapper, then the CSRF check, then scoping.
    """
    cap = UploadCap(attachment_services.max_bytes())
    if request.method == "POST":
        request.upload_handlers.insert(0, cap)
    return _attachment_upload(request, cap=cap, **kwargs)


@csrf_protect
@scoped({"GET": Role.VIEWER, "POST": Role.CONTRIBUTOR})
def _attachment_upload(
    request: HttpRequest, assessment: Assessment, sub_id: str, cap: UploadCap
) -> HttpResponse:
    sp = _question_of(assessment, sub_id)
    form = AttachmentForm()
    error, status = "", 200
    if request.method == "POST":
        refusal = plan_services.may_answer(request.user, assessment, sub_id)
        if refusal is not None:
            raise PermissionDenied(refusal)
        data, files = request.POST, request.FILES  # reads the body (through the cap) if not yet
        if cap.exceeded:
            error, status = attachment_files.too_large(cap.limit).summary, 413
        else:
            form = AttachmentForm(data, files)
            if not form.is_valid():
                status = 422
            else:
                try:
                    attachment = attachment_services.attach(
                        request.user, assessment, sub_id, form.cleaned_data["file"]
                    )
                except RefusedUpload as exc:
                    error, status = exc.summary, exc.status
                except AlreadyAttached as exc:
                    messages.info(request, f"{exc.summary} Nothing new was kept.")
                    return redirect(_question_url(assessment, sub_id))
                else:
                    messages.success(request, f"“{attachment.original_name}” was attached.")
                    return redirect(_question_url(assessment, sub_id))
    role = selectors.role_in(request.user, assessment.organization)
    context = {
        "organization": assessment.organization,
        "sp": sp,
        "form": form,
        "error": error,
        **list_context(request.user, assessment, sub_id, role),
    }
    return render(request, "attachments/upload.html", context, status=status)


@scoped({"GET": Role.VIEWER})
def attachment_download(
    request: HttpRequest, assessment: Assessment, attachment_id: int
) -> HttpResponse:
    """The file as it was uploaded, always as a download that nothing in it can script."""
    attachment = child_of(assessment, Attachment, attachment_id)
    path = attachment_files.stored_path(assessment.organization_id, attachment.stored_name)
    try:
        if path is None:
            raise FileNotFoundError(attachment.stored_name)
        handle = path.open("rb")
    except OSError:
        logger.error(
            "attachment %s of assessment %s: its file %s is missing or unreadable",
            attachment.pk,
            assessment.pk,
            path or attachment.stored_name,
        )
        context = {
            "organization": assessment.organization,
            "assessment": assessment,
            "attachment": attachment,
        }
        return render(request, "attachments/missing.html", context, status=404)
    response = FileResponse(
        handle, content_type=attachment_files.sending_type(attachment.content_type)
    )
    response["Content-Disposition"] = attachment_files.disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@scoped({"GET": Role.CONTRIBUTOR, "POST": Role.CONTRIBUTOR})
def attachment_delete(
    request: HttpRequest, assessment: Assessment, attachment_id: int
) -> HttpResponse:
    """Asks first (GET), removes on POST."""
    attachment = child_of(assessment, Attachment, attachment_id)
    role = selectors.role_in(request.user, assessment.organization)
    if not attachment_services.may_remove(request.user, role, attachment):
        raise PermissionDenied(NOT_YOURS)
    if request.method == "POST":
        name, sub_id = attachment.original_name, attachment.sub_id
        attachment_services.remove(request.user, assessment, attachment)
        messages.success(request, f"“{name}” was removed.")
        return redirect(_question_url(assessment, sub_id))
    context = {
        "organization": assessment.organization,
        "assessment": assessment,
        "attachment": attachment,
        "back": _question_url(assessment, attachment.sub_id),
    }
    return render(request, "attachments/delete.html", context)
