"""Views of tailored documents: the list, each document's download, recording an adoption."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from hicp.catalog import default_catalog
from hicp.documents.registry import documents, render_document
from hicp.web.core import document_services, evidence_jobs, selectors, services
from hicp.web.core.downloads import FORMATS, LABELS, attachment
from hicp.web.core.models import Assessment
from hicp.web.core.roles import Role
from hicp.web.core.scoping import scoped

KEPT_AT_MAX = 500  # a path or URL; it is written into the assessment's evidence list


def _no_control_characters(value: str) -> None:
    # A newline or other control character would forge a second evidence line in the YAML.
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise forms.ValidationError("Give the path or URL on one line, without control characters.")


class AdoptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kept_at = forms.CharField(
        label="Where the adopted copy is kept",
        help_text="A path or URL, e.g. a shared drive folder or an intranet page.",
        max_length=KEPT_AT_MAX,
        validators=[_no_control_characters],
    )


@scoped({"GET": Role.VIEWER})
def document_list(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    role = selectors.role_in(request.user, assessment.organization)
    rows = [
        {"info": info, "downloads": [(fmt, LABELS[fmt]) for fmt in info.formats]}
        for info in documents().values()
    ]
    return render(
        request,
        "documents/list.html",
        {
            "organization": assessment.organization,
            "assessment": assessment,
            "rows": rows,
            "can_adopt": role.allows(Role.ASSESSOR),
        },
    )


@scoped({"GET": Role.VIEWER})
def document_download(
    request: HttpRequest, assessment: Assessment, name: str, fmt: str
) -> HttpResponse:
    """The organization's own copy, always as an attachment (HTML too: never shown inline)."""
    known = documents()
    if name not in known or fmt not in known[name].formats or fmt not in FORMATS:
        raise Http404("No such document or format.")
    data = render_document(
        name,
        fmt,
        default_catalog(),
        selectors.document_of(assessment).assessment,
        evidence_db=evidence_jobs.store_path(assessment),
        today=dt.date.today(),
    )
    suffix, content_type = FORMATS[fmt]
    filename = selectors.export_filename(assessment, f"-{name}{suffix}")
    return attachment(data, filename, content_type)


@scoped({"GET": Role.ASSESSOR, "POST": Role.ASSESSOR})
def document_adopt(request: HttpRequest, assessment: Assessment, name: str) -> HttpResponse:
    known = documents()
    if name not in known:
        raise Http404("No such document.")
    status = 200
    changed: tuple[str, ...] | None = None
    conflict = False
    form = AdoptForm(initial={"version": assessment.version})
    if request.method == "POST":
        form = AdoptForm(request.POST)
        if form.is_valid():
            try:
                assessment, changed = document_services.adopt_document(
                    request.user,
                    assessment,
                    form.cleaned_data["version"],
                    name,
                    form.cleaned_data["kept_at"],
                )
            except services.ConflictError:
                status, conflict = 409, True
            form = AdoptForm(
                initial={"version": assessment.version, "kept_at": form.cleaned_data["kept_at"]}
            )
        else:
            status = 422
    return render(
        request,
        "documents/adopt.html",
        {
            "organization": assessment.organization,
            "assessment": assessment,
            "info": known[name],
            "form": form,
            "changed": changed,
            "conflict": conflict,
        },
        status=status,
    )
