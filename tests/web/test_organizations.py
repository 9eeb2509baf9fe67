"""Organizations: creating one makes its creator the owner; the dashboard shows its numbers."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from hicp.catalog import default_catalog
from hicp.reports.context import build_context
from hicp.reports.wording import pct
from hicp.web.core import selectors, services
from hicp.web.core.models import Assessment, AuditEntry, Membership, Organization
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn


def test_creating_an_organization_makes_the_creator_its_owner(owner: User, sign_in: SignIn) -> None:
    response = sign_in(owner).post(reverse("organization-list"), {"name": "Riverside Clinic"})
    organization = Organization.objects.get(name="Riverside Clinic")
    assert response.status_code == 302
    assert response["Location"] == reverse("organization-dashboard", args=[organization.pk])
    membership = Membership.objects.get(organization=organization)
    assert (membership.user, membership.role) == (owner, Role.OWNER)
    entry = AuditEntry.objects.get(organization=organization)
    assert (entry.user, entry.action, entry.after) == (
        owner,
        "create",
        {"name": "Riverside Clinic"},
    )


def test_the_organization_list_shows_only_the_users_own_organizations(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    stranger = make_user("stranger")
    services.create_organization(stranger, "Someone Else's Hospital")
    html = sign_in(owner).get(reverse("organization-list")).content.decode()
    assert "Northside Clinic" in html
    assert "Someone Else" not in html


def test_creating_an_assessment_lists_every_question_of_the_tier_unanswered(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    response = sign_in(owner).post(
        reverse("assessment-create", args=[organization.pk]),
        {"name": "First look", "tier": "small"},
    )
    assessment = Assessment.objects.get(organization=organization)
    assert response["Location"] == reverse("questionnaire", args=[assessment.pk])
    loaded = selectors.document_of(assessment)
    scope = default_catalog().in_scope(loaded.assessment.tier)
    assert set(loaded.assessment.answers) == {sp.id for sp in scope}
    assert all(a.status is None for a in loaded.assessment.answers.values())
    assert assessment.version == 1


def test_the_dashboard_shows_the_organizations_numbers_and_first_actions(
    owner: User, organization: Organization, assessment: Assessment, sign_in: SignIn
) -> None:
    questions = selectors.questions_of(selectors.document_of(assessment))
    for version, (sp, status) in enumerate(
        zip(questions[:8], ["implemented", "partial"] + ["not_implemented"] * 6, strict=True),
        start=1,
    ):
        assessment, _ = services.record_answer(
            owner, assessment, version, sp.id, {"status": status}
        )
    context = build_context(default_catalog(), selectors.document_of(assessment).assessment)

    html = sign_in(owner).get(reverse("organization-dashboard", args=[organization.pk]))
    text = html.content.decode()
    assert html.status_code == 200
    assert pct(context.score.coverage) in text
    assert pct(context.score.exposure) in text
    assert f"{context.score.answered} of {context.score.total}" in text
    assert 'id="chart-exposure"' in text and 'id="chart-coverage"' in text
    assert len(context.top_actions) > 3
    shown = [
        action.question.replace("'", "&#x27;").replace('"', "&quot;") in text
        for action in context.top_actions
    ]
    assert shown == [True, True, True] + [False] * (len(shown) - 3)  # the first three only


def test_a_dashboard_without_an_assessment_invites_the_owner_to_start_one(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    text = sign_in(owner).get(reverse("organization-dashboard", args=[organization.pk]))
    assert b"No assessment yet" in text.content
    assert reverse("assessment-create", args=[organization.pk]).encode() in text.content
