"""Comments on a question or plan item: one thread each, newest last, escaped, never edited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hicp.web.core import plan_services
from hicp.web.core.models import Assessment, AuditEntry
from hicp.web.core.plan_models import Comment
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member

HTMX = {"HTTP_HX_REQUEST": "true"}
SUB_ID = "1.S.A"


def _post(client: Client, assessment: Assessment, body: str, **extra: Any) -> Any:
    url = reverse("comments", args=[assessment.pk, SUB_ID])
    return client.post(url, {"body": body, **extra.pop("data", {})}, **extra)


def test_a_contributor_posts_a_comment_that_shows_with_author_and_time_and_is_audited(
    assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = make_user("sam-contributor")
    add_member(sam, assessment.organization, Role.CONTRIBUTOR)

    response = _post(sign_in(sam), assessment, "Checked with the IT company: MFA is on.", **HTMX)

    assert response.status_code == 200
    text = response.content.decode()
    comment = Comment.objects.get()
    assert "Comments (1)" in text
    assert "<strong>sam-contributor</strong>" in text
    assert "Checked with the IT company: MFA is on." in text
    assert f"{comment.created_at:%-d %b %Y, %H:%M} UTC" in text
    entry = AuditEntry.objects.get(action="comment")
    assert (entry.user, entry.object_type, entry.object_id) == (sam, "comment", str(comment.pk))
    assert entry.after == {"sub_id": SUB_ID, "body": "Checked with the IT company: MFA is on."}


def test_comments_are_shown_newest_last(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    for body in ("first remark", "second remark", "third remark"):
        plan_services.add_comment(owner, assessment, SUB_ID, body)
    text = sign_in(owner).get(reverse("question", args=[assessment.pk, SUB_ID])).content.decode()
    assert text.index("first remark") < text.index("second remark") < text.index("third remark")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   \n  ", "Write something before posting. Nothing was posted."),
        ("x" * 5001, "A comment can be at most 5000 characters; this one has 5001."),
    ],
)
def test_a_blank_or_too_long_comment_is_refused_with_a_message(
    body: str, message: str, owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = _post(sign_in(owner), assessment, body, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Comment.objects.exists()
    assert not AuditEntry.objects.filter(action="comment").exists()


def test_comment_text_is_escaped_wherever_it_is_shown(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    posted = _post(client, assessment, '<script>alert("x")</script>\nsecond line', **HTMX)
    question = client.get(reverse("question", args=[assessment.pk, SUB_ID]))
    item = client.get(reverse("action-item", args=[assessment.pk, SUB_ID]))

    for response in (posted, question, item):
        text = response.content.decode()
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>second line" in text


def test_a_viewer_reads_comments_but_cannot_post_one(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    plan_services.add_comment(owner, assessment, SUB_ID, "Ask the front desk.")
    viewer = make_user("vera-viewer")
    add_member(viewer, assessment.organization, Role.VIEWER)
    client = sign_in(viewer)

    text = client.get(reverse("question", args=[assessment.pk, SUB_ID])).content.decode()
    assert "Ask the front desk." in text
    assert 'name="body"' not in text
    assert "Your role lets you read comments but not add them." in text
    assert _post(client, assessment, "Me too", **HTMX).status_code == 403
    assert Comment.objects.count() == 1


def test_the_question_and_its_plan_item_share_one_thread(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    response = _post(client, assessment, "Posted from the plan item", data={"back": "item"})
    assert response["Location"] == reverse("action-item", args=[assessment.pk, SUB_ID]) + (
        "#comments"
    )
    _post(client, assessment, "Posted from the question")

    for page in ("question", "action-item"):
        text = client.get(reverse(page, args=[assessment.pk, SUB_ID])).content.decode()
        assert "Comments (2)" in text
        assert "Posted from the plan item" in text and "Posted from the question" in text
    plan = client.get(reverse("action-plan", args=[assessment.pk])).content.decode()
    assert "2 comments" in plan


def test_the_thread_has_its_own_page_and_a_question_the_assessment_does_not_ask_has_none(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    assert client.get(reverse("comments", args=[assessment.pk, SUB_ID])).status_code == 200
    foreign = reverse("comments", args=[assessment.pk, "1.L.A"])
    assert client.get(foreign).status_code == 404
    assert client.post(foreign, {"body": "hello"}).status_code == 404
    assert not Comment.objects.exists()
