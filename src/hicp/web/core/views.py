"""Views: parse the request, get objects through scoping, call a service or selector, render.

Every organization or assessment a view touches is handed to it by scoping.scoped, never
looked up here; tests/web/test_scoping.py checks that for every URL pattern.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from hicp import reports
from hicp.assessment.sizing import classify
from hicp.catalog import default_catalog
from hicp.errors import AssessmentError
from hicp.reports.wording import ANSWER_LABELS, size_choice_label
from hicp.web.core import plan_selectors, plan_services, rollup, selectors, services
from hicp.web.core.downloads import FORMATS, LABELS, attachment
from hicp.web.core.forms import (
    AnswerForm,
    AssessmentForm,
    ImportForm,
    OrganizationForm,
    SignUpForm,
    SizingForm,
)
from hicp.web.core.models import Assessment, Organization
from hicp.web.core.results import results_of
from hicp.web.core.roles import Role
from hicp.web.core.scoping import scoped


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("organization-list")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome. Start by adding your organization.")
        return redirect("organization-list")
    return render(request, "registration/sign_up.html", {"form": form})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("organization-list" if request.user.is_authenticated else "login")


@login_required
@require_http_methods(["GET", "POST"])
def organization_list(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.create_organization(request.user, form.cleaned_data["name"])
        messages.success(request, f"{organization.name} was added. You are its owner.")
        return redirect("organization-dashboard", org_id=organization.pk)
    memberships = selectors.memberships_of(request.user)
    return render(
        request,
        "core/organization_list.html",
        {"memberships": memberships, "tree": rollup.organization_tree(request.user), "form": form},
    )


@scoped({"GET": Role.VIEWER})
def organization_dashboard(request: HttpRequest, organization: Organization) -> HttpResponse:
    assessments = list(selectors.assessments_of(organization))
    latest = assessments[0] if assessments else None
    loaded = selectors.document_of(latest) if latest else None
    return render(
        request,
        "core/organization_dashboard.html",
        {
            "organization": organization,
            "role": selectors.role_in(request.user, organization),
            "assessments": assessments,
            "latest": latest,
            "results": results_of(loaded) if loaded else None,
            "can_assess": selectors.role_in(request.user, organization).allows(Role.ASSESSOR),
        },
    )


@scoped({"GET": Role.ASSESSOR, "POST": Role.ASSESSOR})
def assessment_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment = services.create_assessment(
            request.user, organization, name=form.cleaned_data["name"], tier=form.tier_value()
        )
        return redirect("questionnaire", assessment_id=assessment.pk)
    return render(
        request, "core/assessment_create.html", {"organization": organization, "form": form}
    )


@scoped({"GET": Role.ASSESSOR, "POST": Role.ASSESSOR})
def assessment_size(request: HttpRequest, organization: Organization) -> HttpResponse:
    """HICP's sizing questions; the answer is the tier to start the assessment with, and why."""
    form = SizingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = classify(default_catalog().sizing, form.answers())
        create_form = AssessmentForm(initial={"tier": result.tier.value})
        reasons = [
            f"{r.label}: {r.answer} ({r.rule})"
            if isinstance(r.answer, int)
            else f"{r.label}: “{size_choice_label(r.key, str(r.answer))}” points to {r.tier.value}"
            for r in result.reasons
        ]
        return render(
            request,
            "core/assessment_create.html",
            {
                "organization": organization,
                "form": create_form,
                "sizing": result,
                "reasons": reasons,
            },
        )
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "core/assessment_size.html",
        {"organization": organization, "form": form},
        status=status,
    )


@scoped({"GET": Role.ASSESSOR, "POST": Role.ASSESSOR})
def assessment_import(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: AssessmentError | None = None
    if request.method == "POST" and form.is_valid():
        upload = request.FILES["file"]
        try:
            assessment = services.import_yaml(
                request.user,
                organization,
                name=form.cleaned_data["name"],
                text=form.cleaned_data["file"],
                filename=Path(upload.name or "upload.yaml").name,
            )
        except AssessmentError as exc:
            problems = exc
        else:
            messages.success(request, f"Imported {assessment.name}.")
            return redirect("assessment-detail", assessment_id=assessment.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "core/assessment_import.html",
        {"organization": organization, "form": form, "error": problems},
        status=status,
    )


@scoped({"GET": Role.VIEWER})
def assessment_detail(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    loaded = selectors.document_of(assessment)
    role = selectors.role_in(request.user, assessment.organization)
    return render(
        request,
        "core/assessment_detail.html",
        {
            "organization": assessment.organization,
            "assessment": assessment,
            "results": results_of(loaded),
            "formats": [(fmt, LABELS[fmt]) for fmt in FORMATS],
            "warnings": loaded.warnings,
            "role": role,
            "can_assess": role.allows(Role.ASSESSOR),
        },
    )


@scoped({"GET": Role.VIEWER})
def questionnaire(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Carry on where the organization left off: the first unanswered question.

    A contributor answers only their assigned questions, so they carry on at the first of
    those still unanswered, or see their list when none is left.
    """
    if selectors.role_in(request.user, assessment.organization) is Role.CONTRIBUTOR:
        mine = plan_selectors.first_unanswered_assigned(assessment, request.user)
        if mine is None:
            return redirect("my-questions", assessment_id=assessment.pk)
        return redirect("question", assessment_id=assessment.pk, sub_id=mine)
    sub_id = selectors.resume_question(selectors.document_of(assessment))
    return redirect("question", assessment_id=assessment.pk, sub_id=sub_id)


def _question_context(
    request: HttpRequest, assessment: Assessment, sub_id: str, form: AnswerForm | None = None
) -> dict[str, Any]:
    loaded = selectors.document_of(assessment)
    position = selectors.position_of(loaded, sub_id)
    if position is None:
        raise Http404("This question is not part of this assessment.")
    answer = loaded.assessment.answer(sub_id)
    if form is None:
        form = AnswerForm(
            initial={
                "version": assessment.version,
                "justification": answer.justification or "",
                "notes": answer.notes or "",
            }
        )
    role = selectors.role_in(request.user, assessment.organization)
    refusal = plan_services.may_answer(request.user, assessment, sub_id)
    return {
        "organization": assessment.organization,
        "assessment": assessment,
        "position": position,
        "sp": position.sub_practice,
        "answer": answer,
        "current_label": ANSWER_LABELS[answer.status] if answer.status else None,
        "choices": list(ANSWER_LABELS.items()),
        "form": form,
        # Why this person may not answer (their role, or whose question it is); None if they may.
        "refusal": refusal,
        "can_answer": refusal is None,
        "is_contributor": role is Role.CONTRIBUTOR,
        "action": reverse("question", kwargs={"assessment_id": assessment.pk, "sub_id": sub_id}),
    }


@scoped({"GET": Role.VIEWER, "POST": Role.CONTRIBUTOR})
def question(request: HttpRequest, assessment: Assessment, sub_id: str) -> HttpResponse:
    """One question; a POST saves the answer (HTMX swaps in the form and a status line)."""
    if request.method == "GET":
        return render(request, "core/question.html", _question_context(request, assessment, sub_id))

    context = _question_context(request, assessment, sub_id)  # 404 for a foreign question
    refusal = plan_services.may_answer(request.user, assessment, sub_id)
    if refusal is not None:
        response = render(request, "403.html", {"exception": refusal}, status=403)
        if request.htmx:  # htmx swaps no 403; a reload shows the page without the form
            response["HX-Refresh"] = "true"
        return response
    form = AnswerForm(request.POST)
    status, outcome = 422, "invalid"
    if form.is_valid():
        try:
            assessment, _ = services.record_answer(
                request.user,
                assessment,
                form.cleaned_data["version"],
                sub_id,
                form.changes(context["answer"]),
            )
        except services.ConflictError:
            status, outcome = 409, "conflict"
        except AssessmentError as exc:
            context["error"] = exc
        else:
            position = context["position"]
            if not request.htmx:
                target = position.next and reverse(
                    "question", kwargs={"assessment_id": assessment.pk, "sub_id": position.next}
                )
                return redirect(target or reverse("assessment-detail", args=[assessment.pk]))
            status, outcome = 200, "saved"
            context = _question_context(request, assessment, sub_id)
    if outcome != "saved":
        context["form"] = form
    context["outcome"] = outcome
    template = "core/_answer_response.html" if request.htmx else "core/question.html"
    return render(request, template, context, status=status)


@scoped({"GET": Role.VIEWER})
def report_download(request: HttpRequest, assessment: Assessment, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such report format.")
    suffix, content_type = FORMATS[fmt]
    filename = selectors.export_filename(assessment, suffix)
    context = results_of(selectors.document_of(assessment)).context
    data = reports.render(reports.format_for(Path(filename)), context)
    return attachment(data, filename, content_type)


@scoped({"GET": Role.VIEWER})
def assessment_export(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """The assessment file exactly as stored: `hicp` commands read it as it is."""
    filename = selectors.export_filename(assessment)
    return attachment(assessment.yaml_text, filename, "application/yaml; charset=utf-8")
