"""URL patterns of the web app; every object in a URL is an organization or assessment id."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from hicp.web.core import document_views, evidence_views, mfa, views
from hicp.web.core.api import api


class SubPracticeConverter:
    """A sub-practice ID as HICP writes it: practice.tier.letter (7.M.D)."""

    regex = r"(?:[1-9]|10)\.[SML]\.[A-Z]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SubPracticeConverter, "sub")

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-in/", mfa.SignInView.as_view(), name="login"),
    path("sign-in/code/", mfa.verify, name="mfa-verify"),
    path("account/two-step/", mfa.enrol, name="mfa-enrol"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", views.organization_list, name="organization-list"),
    path("orgs/<int:org_id>/", views.organization_dashboard, name="organization-dashboard"),
    path("orgs/<int:org_id>/assessments/new/", views.assessment_create, name="assessment-create"),
    path(
        "orgs/<int:org_id>/assessments/import/",
        views.assessment_import,
        name="assessment-import",
    ),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:assessment_id>/questions/", views.questionnaire, name="questionnaire"),
    path(
        "assessments/<int:assessment_id>/questions/<sub:sub_id>/",
        views.question,
        name="question",
    ),
    path(
        "assessments/<int:assessment_id>/report/<str:fmt>/",
        views.report_download,
        name="report-download",
    ),
    path(
        "assessments/<int:assessment_id>/export/",
        views.assessment_export,
        name="assessment-export",
    ),
    path(
        "assessments/<int:assessment_id>/evidence/",
        evidence_views.evidence,
        name="evidence",
    ),
    path(
        "assessments/<int:assessment_id>/evidence/import/",
        evidence_views.evidence_upload,
        name="evidence-upload",
    ),
    path(
        "assessments/<int:assessment_id>/evidence/jobs/<int:job_id>/",
        evidence_views.evidence_job,
        name="evidence-job",
    ),
    path(
        "assessments/<int:assessment_id>/documents/",
        document_views.document_list,
        name="document-list",
    ),
    path(
        "assessments/<int:assessment_id>/documents/<slug:name>.<slug:fmt>",
        document_views.document_download,
        name="document-download",
    ),
    path(
        "assessments/<int:assessment_id>/documents/<slug:name>/adopt",
        document_views.document_adopt,
        name="document-adopt",
    ),
    # Members, invitations, the audit log and API tokens (member_views.py, account_views.py)
    # Action-plan tracking, assignments and comments (plan_views.py)
    # Attachments (attachment_views.py)
    # Facilities and roll-ups (rollup_views.py)
    path("api/", api.urls),  # token authentication only; see docs/formats.md, REST API
]
