"""Organizations: creating one makes its creator the owner; the dashboard shows its numbers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from hicp.assessment.sizing import classify
from hicp.catalog import Tier, default_catalog
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


def test_the_sizing_questions_suggest_a_size_with_reasons_and_preselect_it(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    url = reverse("assessment-size", args=[organization.pk])
    answers = {"providers": 30, "beds": 120, "it_staff": "it_team"}
    expected = classify(default_catalog().sizing, answers)

    page = client.post(url, answers).content.decode()

    assert expected.tier is Tier.MEDIUM
    assert "Suggested size: Medium<" in page
    assert "Providers: 30 (11 to 50 is medium)" in page
    assert "Our own IT staff; security is one of their jobs" in page
    assert 'value="medium" selected' in page
    assert reverse("assessment-create", args=[organization.pk]) in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Answer at least one question"),
        ({"providers": -3}, "greater than or equal to 0"),
        ({"it_staff": "robots"}, "Select a valid choice"),
    ],
)
def test_sizing_answers_that_cannot_be_used_are_refused_with_the_reason(
    data: dict, message: str, owner: User, organization: Organization, sign_in: SignIn
) -> None:
    response = sign_in(owner).post(reverse("assessment-size", args=[organization.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
