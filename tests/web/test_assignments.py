"""Assigning questions: assessors choose who answers; a contributor answers only their own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hicp.web.core import plan_services, selectors, services
from hicp.web.core.models import Assessment, AuditEntry, Organization
from hicp.web.core.plan_models import Assignment
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member

HTMX = {"HTTP_HX_REQUEST": "true"}


def _member(make_user: MakeUser, organization: Organization, role: Role, name: str) -> User:
    user = make_user(name)
    add_member(user, organization, role)
    return user


def _assign(client: Client, assessment: Assessment, sub_id: str, user: User | None) -> Any:
    url = reverse("question-assignment", args=[assessment.pk, sub_id])
    return client.post(url, {"user": user.pk if user else ""}, **HTMX)


def _answer(client: Client, assessment: Assessment, sub_id: str, **extra: Any) -> Any:
    assessment.refresh_from_db()  # answer on top of the latest save
    url = reverse("question", args=[assessment.pk, sub_id])
    return client.post(url, {"version": assessment.version, "status": "implemented"}, **extra)


def _status(assessment: Assessment, sub_id: str) -> str | None:
    assessment.refresh_from_db()
    status = selectors.document_of(assessment).assessment.answer(sub_id).status
    return status.value if status else None


def test_an_assessor_assigns_a_question_and_it_is_audited(
    assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    assessor = _member(make_user, assessment.organization, Role.ASSESSOR, "ada-assessor")
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")

    response = _assign(sign_in(assessor), assessment, "1.S.A", sam)

    assert response.status_code == 200
    assert "Saved: assigned to sam-contributor." in response.content.decode()
    assignment = Assignment.objects.get()
    assert (assignment.sub_id, assignment.user, assignment.assigned_by) == ("1.S.A", sam, assessor)
    entry = AuditEntry.objects.get(action="assign")
    assert (entry.user, entry.object_type) == (assessor, "assignment")
    assert entry.before == {"sub_id": "1.S.A", "user": None}
    assert entry.after == {"sub_id": "1.S.A", "user": "sam-contributor"}


def test_an_assessor_can_unassign_a_question_and_that_is_audited(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    plan_services.assign_question(owner, assessment, "1.S.A", sam)

    response = _assign(sign_in(owner), assessment, "1.S.A", None)

    assert "Saved: not assigned to anyone." in response.content.decode()
    assert not Assignment.objects.exists()
    entry = AuditEntry.objects.get(action="unassign")
    assert (entry.before["user"], entry.after["user"]) == ("sam-contributor", None)


def test_everyone_sees_who_a_question_is_assigned_to_and_only_assessors_can_change_it(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    viewer = _member(make_user, assessment.organization, Role.VIEWER, "vera-viewer")
    plan_services.assign_question(owner, assessment, "1.S.A", sam)
    page = reverse("question", args=[assessment.pk, "1.S.A"])

    for person in (viewer, sam):
        text = sign_in(person).get(page).content.decode()
        assert "Assigned to: <strong>sam-contributor</strong>" in text
        assert 'name="user"' not in text
    assert 'name="user"' in sign_in(owner).get(page).content.decode()

    for person in (viewer, sam):
        assert _assign(sign_in(person), assessment, "1.S.A", person).status_code == 403
    assert Assignment.objects.get().user == sam


def test_only_people_who_can_be_given_work_can_be_assigned(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    viewer = _member(make_user, assessment.organization, Role.VIEWER, "vera-viewer")
    outsider = make_user("oscar-outsider")
    for person in (viewer, outsider):
        response = _assign(sign_in(owner), assessment, "1.S.A", person)
        assert response.status_code == 422
        assert "cannot be given work here" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_contributor_answers_an_assigned_question_but_gets_403_on_another(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    kim = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "kim-contributor")
    plan_services.assign_question(owner, assessment, "1.S.A", sam)
    plan_services.assign_question(owner, assessment, "1.S.C", kim)
    client = sign_in(sam)

    assert _answer(client, assessment, "1.S.A", **HTMX).status_code == 200
    assert _status(assessment, "1.S.A") == "implemented"

    refused = _answer(client, assessment, "1.S.B")
    assert refused.status_code == 403
    assert "This question is not assigned to you. Ask an assessor to assign it." in (
        refused.content.decode()
    )
    taken = _answer(client, assessment, "1.S.C")
    assert taken.status_code == 403
    assert "This question is assigned to kim-contributor." in taken.content.decode()
    assert (_status(assessment, "1.S.B"), _status(assessment, "1.S.C")) == (None, None)


def test_a_refused_answer_sent_with_htmx_reloads_the_page(
    assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    response = _answer(sign_in(sam), assessment, "1.S.B", **HTMX)
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"


def test_assessors_answer_any_question_assigned_or_not(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    assessor = _member(make_user, assessment.organization, Role.ASSESSOR, "ada-assessor")
    plan_services.assign_question(owner, assessment, "1.S.A", sam)
    assert _answer(sign_in(assessor), assessment, "1.S.A", **HTMX).status_code == 200
    assert _answer(sign_in(assessor), assessment, "1.S.B", **HTMX).status_code == 200


def test_a_contributor_sees_the_answer_form_only_on_their_own_questions(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    plan_services.assign_question(owner, assessment, "1.S.A", sam)
    client = sign_in(sam)

    own = client.get(reverse("question", args=[assessment.pk, "1.S.A"])).content.decode()
    assert 'id="answer-form"' in own
    other = client.get(reverse("question", args=[assessment.pk, "1.S.B"])).content.decode()
    assert 'id="answer-form"' not in other
    assert other.count("This question is not assigned to you.") == 1  # said once, not twice
    assert "Your role lets you read" not in other  # their role is not the reason
    assert reverse("my-questions", args=[assessment.pk]) in other


def test_my_questions_lists_the_questions_assigned_to_me_with_their_answers(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    for sub_id in ("1.S.A", "4.S.B"):
        plan_services.assign_question(owner, assessment, sub_id, sam)
    plan_services.assign_question(owner, assessment, "1.S.B", owner)
    services.record_answer(owner, assessment, 1, "1.S.A", {"status": "partial"})

    text = sign_in(sam).get(reverse("my-questions", args=[assessment.pk])).content.decode()

    assert "1 of 2 answered." in text
    assert "Partly" in text and "Not answered" in text
    assert "1.S.B" not in text
    assert reverse("question", args=[assessment.pk, "4.S.B"]) in text  # the next one to answer


def test_the_questionnaire_takes_a_contributor_to_their_first_unanswered_question(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    client = sign_in(sam)
    resume = reverse("questionnaire", args=[assessment.pk])
    assert client.get(resume)["Location"] == reverse("my-questions", args=[assessment.pk])

    for sub_id in ("1.S.A", "4.S.B"):
        plan_services.assign_question(owner, assessment, sub_id, sam)
    services.record_answer(owner, assessment, 1, "1.S.A", {"status": "partial"})
    assert client.get(resume)["Location"] == reverse("question", args=[assessment.pk, "4.S.B"])

    assessment.refresh_from_db()
    services.record_answer(owner, assessment, 2, "4.S.B", {"status": "partial"})
    assert client.get(resume)["Location"] == reverse("my-questions", args=[assessment.pk])
    # Everyone else still carries on at the first unanswered question of the assessment.
    assert sign_in(owner).get(resume)["Location"] == reverse(
        "question", args=[assessment.pk, "1.S.B"]
    )


def test_the_assignment_page_without_htmx_shows_the_question_and_redirects_after_saving(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    client = sign_in(owner)
    url = reverse("question-assignment", args=[assessment.pk, "1.S.A"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"user": sam.pk})
    assert response["Location"] == reverse("question", args=[assessment.pk, "1.S.A"])
    assert client.post(url, {"user": "nobody"}).status_code == 422
    assert Assignment.objects.get().user == sam
