"""URL patterns of the web app; every object in a URL is an organization or assessment id."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from hicp.web.core import (
    account_views,
    attachment_views,
    document_views,
    evidence_views,
    member_views,
    mfa,
    plan_views,
    rollup_views,
    views,
)
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
    path("orgs/<int:org_id>/assessments/size/", views.assessment_size, name="assessment-size"),
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
    path("orgs/<int:org_id>/members/", member_views.members, name="members"),
    path(
        "orgs/<int:org_id>/members/<int:member_id>/",
        member_views.member_edit,
        name="member-edit",
    ),
    path(
        "orgs/<int:org_id>/members/<int:member_id>/remove/",
        member_views.member_remove,
        name="member-remove",
    ),
    path(
        "orgs/<int:org_id>/invitations/",
        member_views.invitation_create,
        name="invitation-create",
    ),
    path(
        "orgs/<int:org_id>/invitations/<int:invitation_id>/revoke/",
        member_views.invitation_revoke,
        name="invitation-revoke",
    ),
    # Not under an organization: the invitation's secret token is the key.
    path("invitations/<str:token>/", member_views.invitation_accept, name="invitation-accept"),
    path("orgs/<int:org_id>/activity/", member_views.activity_log, name="activity-log"),
    path("orgs/<int:org_id>/activity.csv", member_views.activity_log_csv, name="activity-log-csv"),
    path("account/tokens/", account_views.api_tokens, name="api-tokens"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        account_views.api_token_revoke,
        name="api-token-revoke",
    ),
    # Action-plan tracking, assignments and comments (plan_views.py)
    path("assessments/<int:assessment_id>/plan/", plan_views.action_plan, name="action-plan"),
    path(
        "assessments/<int:assessment_id>/plan/<sub:sub_id>/",
        plan_views.action_item,
        name="action-item",
    ),
    path("assessments/<int:assessment_id>/mine/", plan_views.my_questions, name="my-questions"),
    path(
        "assessments/<int:assessment_id>/questions/<sub:sub_id>/assignment/",
        plan_views.question_assignment,
        name="question-assignment",
    ),
    path(
        "assessments/<int:assessment_id>/questions/<sub:sub_id>/comments/",
        plan_views.comments,
        name="comments",
    ),
    # Attachments (attachment_views.py)
    path(
        "assessments/<int:assessment_id>/questions/<sub:sub_id>/attachments/",
        attachment_views.attachment_upload,
        name="attachment-upload",
    ),
    path(
        "assessments/<int:assessment_id>/attachments/<int:attachment_id>/",
        attachment_views.attachment_download,
        name="attachment-download",
    ),
    path(
        "assessments/<int:assessment_id>/attachments/<int:attachment_id>/delete/",
        attachment_views.attachment_delete,
        name="attachment-delete",
    ),
    # Facilities and roll-ups (rollup_views.py)
    path("orgs/<int:org_id>/facilities/", rollup_views.facilities, name="facilities"),
    path("orgs/<int:org_id>/facilities.csv", rollup_views.facilities_csv, name="facilities-csv"),
    path("orgs/<int:org_id>/facilities.xlsx", rollup_views.facilities_xlsx, name="facilities-xlsx"),
    path("api/", api.urls),  # token authentication only; see docs/formats.md, REST API
]
