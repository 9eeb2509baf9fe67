"""Views of evidence: upload a file, follow its import, see what the evidence shows."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat

from hicp.evidence.base import REGISTRY
from hicp.web.core import evidence_jobs, selectors
from hicp.web.core.models import Assessment
from hicp.web.core.roles import Role
from hicp.web.core.scoping import scoped


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(label="Evidence file")
    kind = forms.ChoiceField(
        label="What it is",
        required=False,
        choices=[("", "Detect it from the content"), *((k, k) for k in REGISTRY)],
    )
    again = forms.BooleanField(
        label="Import it again if it was imported before",
        required=False,
        help_text=(
            "Normally a file with the same content is skipped. Tick this to read it anew, for "
            "example after choosing a different kind."
        ),
    )


def _too_large(request: HttpRequest) -> bool:
    """Whether the request body is over the limit: checked before the upload is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > evidence_jobs.max_upload_bytes()


@scoped({"GET": Role.VIEWER})
def evidence(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    role = selectors.role_in(request.user, assessment.organization)
    report = evidence_jobs.report_of(assessment)
    return render(
        request,
        "evidence/evidence.html",
        {
            "organization": assessment.organization,
            "assessment": assessment,
            "jobs": evidence_jobs.jobs_of(assessment)[:50],
            "report": report,
            "rules": evidence_jobs.rule_lines(report) if report else [],
            "can_import": role.allows(Role.ASSESSOR),
        },
    )


@scoped({"GET": Role.ASSESSOR, "POST": Role.ASSESSOR})
def evidence_upload(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    limit = evidence_jobs.max_upload_bytes()
    too_large = (
        f"The file is larger than the limit of {filesizeformat(limit)}; nothing was imported."
    )
    error = ""
    form = EvidenceUploadForm()
    if request.method == "POST":
        if _too_large(request):
            error = too_large
        else:
            form = EvidenceUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                if upload.size is not None and upload.size > limit:
                    error = too_large
                else:
                    job = evidence_jobs.start_import(
                        request.user,
                        assessment,
                        upload,
                        kind=form.cleaned_data["kind"],
                        again=form.cleaned_data["again"],
                    )
                    return redirect("evidence-job", assessment_id=assessment.pk, job_id=job.pk)
    status = 200
    if error:
        status = 413
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "evidence/upload.html",
        {
            "organization": assessment.organization,
            "assessment": assessment,
            "form": form,
            "error": error,
            "limit": limit,
        },
        status=status,
    )


@scoped({"GET": Role.VIEWER})
def evidence_job(request: HttpRequest, assessment: Assessment, job_id: int) -> HttpResponse:
    """The job's page; an HTMX poll gets only the status partial (without a trigger once done)."""
    job = evidence_jobs.job_for(request.user, assessment, job_id)
    context = {"organization": assessment.organization, "assessment": assessment, "job": job}
    template = "evidence/_job_status.html" if request.htmx else "evidence/job.html"
    return render(request, template, context)
