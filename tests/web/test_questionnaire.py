"""The questionnaire: one question per page, saved on every answer, conflicts detected."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hicp.assessment.models import Status
from hicp.web.core import selectors, services
from hicp.web.core.models import Assessment, Assignment, AuditEntry
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member

HTMX = {"HTTP_HX_REQUEST": "true"}


def _first(assessment: Assessment) -> str:
    return selectors.questions_of(selectors.document_of(assessment))[0].id


def _answer(
    client: Client, assessment: Assessment, sub_id: str, version: int, **fields: Any
) -> Any:
    url = reverse("question", args=[assessment.pk, sub_id])
    return client.post(url, {"version": version, **fields}, **HTMX)


def test_the_questionnaire_resumes_at_the_first_unanswered_question(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    questions = selectors.questions_of(selectors.document_of(assessment))
    services.record_answer(owner, assessment, 1, questions[0].id, {"status": "implemented"})
    response = sign_in(owner).get(reverse("questionnaire", args=[assessment.pk]))
    assert response["Location"] == reverse("question", args=[assessment.pk, questions[1].id])


def test_a_question_page_shows_the_plain_question_why_good_and_progress(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    questions = selectors.questions_of(selectors.document_of(assessment))
    sp = questions[1]
    response = sign_in(owner).get(reverse("question", args=[assessment.pk, sp.id]))
    text = response.content.decode()
    assert response.status_code == 200
    for words in (sp.question, sp.why, sp.good):
        assert words.replace("'", "&#x27;").replace('"', "&quot;") in text
    assert f"Question 2 of {len(questions)}" in text
    for label in ("Yes", "Partly", "Planned", "No", "Not sure", "Doesn&#x27;t apply to us"):
        assert f">{label}</button>" in text
    assert reverse("question", args=[assessment.pk, questions[0].id]) in text  # previous
    assert reverse("question", args=[assessment.pk, questions[2].id]) in text  # next


def test_an_answer_posted_with_htmx_is_stored_in_the_yaml_and_audited(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    sub_id = _first(assessment)
    response = _answer(sign_in(owner), assessment, sub_id, 1, status="partial", notes="Half done")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Saved: Partly." in text
    assert 'hx-swap-oob="innerHTML"' in text
    assert 'name="version" value="2"' in text  # the next answer builds on this save
    assessment.refresh_from_db()
    assert assessment.version == 2
    answer = selectors.document_of(assessment).assessment.answer(sub_id)
    assert (answer.status, answer.notes) == (Status.PARTIAL, "Half done")
    entry = AuditEntry.objects.get(action="answer")
    assert entry.user == owner
    assert (entry.object_type, entry.object_id) == ("assessment", str(assessment.pk))
    assert entry.before == {"version": 1, "answers": {sub_id: {}}}
    assert entry.after == {
        "version": 2,
        "answers": {sub_id: {"status": "partial", "notes": "Half done"}},
    }


def test_saving_keeps_the_comments_of_the_assessment_file(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    comments = [line for line in assessment.yaml_text.splitlines() if "#" in line]
    _answer(sign_in(owner), assessment, _first(assessment), 1, status="implemented")
    assessment.refresh_from_db()
    assert [line for line in assessment.yaml_text.splitlines() if "#" in line] == comments


def test_an_answer_based_on_a_stale_version_is_refused_and_overwrites_nothing(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    sub_id = _first(assessment)
    client = sign_in(owner)
    _answer(client, assessment, sub_id, 1, status="implemented")  # someone else saves first
    assessment.refresh_from_db()
    saved_text = assessment.yaml_text

    response = _answer(client, assessment, sub_id, 1, status="not_implemented")

    assert response.status_code == 409
    text = response.content.decode()
    assert "Not saved: someone else changed this assessment" in text
    assert f'href="{reverse("question", args=[assessment.pk, sub_id])}"' in text  # reload link
    assessment.refresh_from_db()
    assert (assessment.version, assessment.yaml_text) == (2, saved_text)
    assert AuditEntry.objects.filter(action="answer").count() == 1


def test_the_service_raises_a_conflict_when_the_version_moved(
    owner: User, assessment: Assessment
) -> None:
    sub_id = _first(assessment)
    services.record_answer(owner, assessment, 1, sub_id, {"status": "planned"})
    with pytest.raises(services.ConflictError) as caught:
        services.record_answer(owner, assessment, 1, sub_id, {"status": "implemented"})
    assert caught.value.current_version == 2


def test_doesnt_apply_needs_a_justification_and_is_saved_with_it(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    sub_id = _first(assessment)
    client = sign_in(owner)
    refused = _answer(client, assessment, sub_id, 1, status="not_applicable")
    assert refused.status_code == 422
    assert "why this doesn&#x27;t apply" in refused.content.decode()
    assessment.refresh_from_db()
    assert assessment.version == 1

    saved = _answer(
        client, assessment, sub_id, 1, status="not_applicable", justification="No e-mail at all"
    )
    assert saved.status_code == 200
    assessment.refresh_from_db()
    answer = selectors.document_of(assessment).assessment.answer(sub_id)
    assert (answer.status, answer.justification) == (Status.NOT_APPLICABLE, "No e-mail at all")


def test_an_answer_without_javascript_saves_and_goes_to_the_next_question(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    questions = selectors.questions_of(selectors.document_of(assessment))
    url = reverse("question", args=[assessment.pk, questions[0].id])
    response = sign_in(owner).post(url, {"version": 1, "status": "unknown"})
    assert response.status_code == 302
    assert response["Location"] == reverse("question", args=[assessment.pk, questions[1].id])
    assessment.refresh_from_db()
    assert selectors.document_of(assessment).assessment.answer(questions[0].id).status == (
        Status.UNKNOWN
    )


def test_a_viewer_sees_the_question_but_cannot_answer_it(
    assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    viewer = make_user("vic-viewer")
    add_member(viewer, assessment.organization, Role.VIEWER)
    client = sign_in(viewer)
    sub_id = _first(assessment)

    page = client.get(reverse("question", args=[assessment.pk, sub_id]))
    assert page.status_code == 200
    assert b'id="answer-form"' not in page.content
    assert b"not change answers" in page.content

    response = _answer(client, assessment, sub_id, 1, status="implemented")
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.version == 1


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.ASSESSOR, Role.ADMIN])
def test_contributors_and_above_can_answer(
    role: Role, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    """Contributors answer the questions assigned to them (tests/web/test_assignments.py)."""
    member = make_user("member")
    add_member(member, assessment.organization, role)
    if role is Role.CONTRIBUTOR:
        Assignment.objects.create(assessment=assessment, sub_id=_first(assessment), user=member)
    response = _answer(sign_in(member), assessment, _first(assessment), 1, status="planned")
    assert response.status_code == 200


def test_a_question_outside_the_assessments_tier_is_not_found(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).get(reverse("question", args=[assessment.pk, "1.L.A"]))
    assert response.status_code == 404


def test_the_progress_line_follows_an_autosaved_answer(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = _answer(sign_in(owner), assessment, _first(assessment), 1, status="implemented")
    page = response.content.decode()
    assert 'id="progress-line" hx-swap-oob="true"' in page
    assert "· 1 answered" in page


def test_the_way_into_the_questions_says_what_it_does_for_each_reader(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    viewer = make_user("vera")
    add_member(viewer, assessment.organization, Role.VIEWER)
    detail = reverse("assessment-detail", args=[assessment.pk])

    assert (
        "Continue the questions (0 of 19 answered)" in sign_in(owner).get(detail).content.decode()
    )
    seen_by_viewer = sign_in(viewer).get(detail).content.decode()
    assert "Read the questions and answers" in seen_by_viewer
    assert "Continue the questions" not in seen_by_viewer


def test_a_page_parses_an_assessment_once_and_again_only_after_its_text_changed(
    owner: User, assessment: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[int] = []
    real_parse = selectors.parse

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        parses.append(1)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(selectors, "parse", counting_parse)
    first = selectors.document_of(assessment)
    assert selectors.document_of(assessment) is first
    assert len(parses) == 1

    sub_id = _first(assessment)
    services.record_answer(owner, assessment, 1, sub_id, {"status": "implemented"})
    assessment.refresh_from_db()

    assert selectors.document_of(assessment).assessment.answer(sub_id).status == "implemented"
    assert len(parses) == 2
