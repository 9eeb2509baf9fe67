"""The action plan as tracked tasks: owner, due date and status on the core's plan items."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from hicp.assessment.plan import build_plan
from hicp.catalog import Tier, default_catalog
from hicp.reports.wording import action_label
from hicp.web.core import plan_selectors, plan_services, selectors, services
from hicp.web.core.models import Assessment, AuditEntry, Organization
from hicp.web.core.plan_models import ActionItem
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member

HTMX = {"HTTP_HX_REQUEST": "true"}
SUB_ID = "1.S.A"


def _plan_url(assessment: Assessment) -> str:
    return reverse("action-plan", args=[assessment.pk])


def _item_url(assessment: Assessment, sub_id: str = SUB_ID) -> str:
    return reverse("action-item", args=[assessment.pk, sub_id])


def _track(client: Client, assessment: Assessment, version: int, **fields: Any) -> Any:
    return client.post(_item_url(assessment), {"version": version, **fields}, **HTMX)


def _member(make_user: MakeUser, organization: Organization, role: Role, name: str) -> User:
    user = make_user(name)
    add_member(user, organization, role)
    return user


def _rows() -> list[tuple[str, Any, Any, str, int]]:
    return [
        (i.sub_id, i.owner_id, i.due_date, i.status, i.version) for i in ActionItem.objects.all()
    ]


# --- The plan page -------------------------------------------------------------------------


def test_the_plan_page_lists_the_cores_items_in_its_order_in_plain_words(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).get(_plan_url(assessment))

    text = response.content.decode()
    plan = build_plan(default_catalog(), selectors.document_of(assessment).assessment)
    assert response.status_code == 200
    positions = [text.index(f'id="item-{a.id.replace(".", "-")}"') for a in plan.actions]
    assert positions == sorted(positions)
    first = plan.actions[0]
    assert action_label(first) in text  # "Find out: Email System Configuration"
    assert "First 30 days" in text
    assert f"{len(plan.actions)} things to do" in text


def test_an_item_nobody_tracked_is_to_do_with_the_plans_date(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    item = plan_selectors.plan_item(assessment, SUB_ID)
    assert item is not None
    assessed = selectors.document_of(assessment).assessment.assessment.date
    assert (item.status, item.version, item.owner) == ("to_do", 1, None)
    assert item.due_date == assessed + dt.timedelta(days=30)  # a "find out" item: first phase

    text = sign_in(owner).get(_item_url(assessment)).content.decode()
    assert f"Not set: the plan's date, {item.due_date:%-d %b %Y}, applies." in text


def test_a_target_date_in_the_answer_is_the_plans_date_for_the_item(
    owner: User, assessment: Assessment
) -> None:
    target = dt.date.today() + dt.timedelta(days=200)
    services.record_answer(
        owner, assessment, 1, SUB_ID, {"status": "not_implemented", "target_date": target}
    )
    assessment.refresh_from_db()
    item = plan_selectors.plan_item(assessment, SUB_ID)
    assert item is not None
    assert item.due_date == target


def test_a_sub_practice_that_is_not_in_the_plan_is_not_found(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    services.record_answer(owner, assessment, 1, SUB_ID, {"status": "implemented"})
    client = sign_in(owner)
    assert client.get(_item_url(assessment)).status_code == 404
    assert _track(client, assessment, 1, status="done").status_code == 404
    assert client.get(_item_url(assessment, "1.L.A")).status_code == 404  # not its tier
    assert not ActionItem.objects.exists()


# --- Changing an item ----------------------------------------------------------------------


def test_an_assessor_gives_an_item_to_someone_with_a_due_date_and_status_and_it_is_audited(
    assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    organization = assessment.organization
    assessor = _member(make_user, organization, Role.ASSESSOR, "ada-assessor")
    sam = _member(make_user, organization, Role.CONTRIBUTOR, "sam-contributor")

    response = _track(
        sign_in(assessor),
        assessment,
        1,
        owner=sam.pk,
        due_date="2031-03-31",
        status="in_progress",
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "Saved." in text
    assert 'name="version" value="2"' in text  # the next change builds on this one
    assert _rows() == [(SUB_ID, sam.pk, dt.date(2031, 3, 31), "in_progress", 2)]
    entry = AuditEntry.objects.get(action="track")
    item = ActionItem.objects.get()
    assert (entry.user, entry.object_type, entry.object_id) == (
        assessor,
        "actionitem",
        str(item.pk),
    )
    assert entry.before == {"owner": None, "due_date": None, "status": "to_do", "version": 1}
    assert entry.after == {
        "owner": "sam-contributor",
        "due_date": "2031-03-31",
        "status": "in_progress",
        "version": 2,
    }


def test_a_change_without_htmx_goes_back_to_the_plan(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).post(
        _item_url(assessment), {"version": 1, "status": "blocked", "back": "plan"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_plan_url(assessment)}#item-1-S-A"
    assert ActionItem.objects.get().status == "blocked"


def test_two_people_changing_an_item_from_the_same_version_the_second_gets_409_and_nothing(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    assessor = _member(make_user, assessment.organization, Role.ASSESSOR, "ada-assessor")
    first = _track(sign_in(owner), assessment, 1, status="in_progress")
    assert first.status_code == 200
    audited = AuditEntry.objects.count()

    second = _track(sign_in(assessor), assessment, 1, status="blocked")

    assert second.status_code == 409
    assert "someone else changed this item" in second.content.decode()
    assert "Reload it" in second.content.decode()
    assert _rows() == [(SUB_ID, None, None, "in_progress", 2)]
    assert AuditEntry.objects.count() == audited


def test_a_viewer_cannot_change_an_item_and_nothing_is_written(
    assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    viewer = _member(make_user, assessment.organization, Role.VIEWER, "vera-viewer")
    client = sign_in(viewer)
    audited = AuditEntry.objects.count()

    assert _track(client, assessment, 1, status="done").status_code == 403
    page = client.get(_plan_url(assessment)).content.decode()
    assert '<form class="tracking"' not in page
    assert "To do" in page  # the status is shown as text
    assert not ActionItem.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_the_person_an_item_is_given_to_may_change_its_status_only(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    plan_services.update_action_item(owner, assessment, SUB_ID, 1, {"owner": sam})
    client = sign_in(sam)

    page = client.get(_item_url(assessment)).content.decode()
    assert 'name="status"' in page
    assert 'name="due_date"' not in page
    assert _track(client, assessment, 2, status="done").status_code == 200
    assert _rows() == [(SUB_ID, sam.pk, None, "done", 3)]

    refused = _track(client, assessment, 3, status="done", due_date="2031-01-01")
    assert refused.status_code == 200  # the form has no due date for them: it is ignored
    with pytest.raises(PermissionDenied, match="only an assessor"):
        plan_services.update_action_item(sam, assessment, SUB_ID, 3, {"owner": None})
    assert _rows() == [(SUB_ID, sam.pk, None, "done", 3)]


def test_a_contributor_who_does_not_have_the_item_cannot_change_it(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    kim = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "kim-contributor")
    plan_services.update_action_item(owner, assessment, SUB_ID, 1, {"owner": sam})

    response = _track(sign_in(kim), assessment, 2, status="done")

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"  # the page reloads without the form
    assert _rows() == [(SUB_ID, sam.pk, None, "to_do", 2)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"due_date": "next week", "status": "to_do"}, "Write the due date as a date"),
        ({"status": "finished"}, "Select a valid choice"),
        ({"owner": "999999", "status": "to_do"}, "cannot be given work here"),
    ],
)
def test_a_bad_value_is_refused_with_a_message_by_the_field_and_nothing_is_saved(
    fields: dict[str, str], message: str, owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = _track(sign_in(owner), assessment, 1, **fields)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ActionItem.objects.exists()


def test_a_viewer_cannot_be_given_an_item_but_a_member_of_the_parent_organization_can(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    clinic = Organization.objects.create(name="Eastside Clinic", parent=organization)
    clinic_assessment = services.create_assessment(owner, clinic, name="E", tier=Tier.SMALL)
    regional = _member(make_user, organization, Role.CONTRIBUTOR, "rhea-regional")
    viewer = _member(make_user, clinic, Role.VIEWER, "vera-viewer")

    people = list(plan_selectors.assignable_people(clinic))
    assert regional in people and owner in people
    assert viewer not in people
    response = _track(sign_in(owner), clinic_assessment, 1, owner=viewer.pk, status="to_do")
    assert response.status_code == 422
    response = _track(sign_in(owner), clinic_assessment, 1, owner=regional.pk, status="to_do")
    assert response.status_code == 200


# --- Overdue and filters -------------------------------------------------------------------


def test_an_item_past_its_due_date_is_flagged_overdue_until_it_is_done(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=1)
    plan_services.update_action_item(owner, assessment, SUB_ID, 1, {"due_date": yesterday})
    client = sign_in(owner)

    page = client.get(_plan_url(assessment)).content.decode()
    assert "1 overdue" in page
    assert f"Overdue: it was due on {yesterday:%-d %b %Y}." in page

    plan_services.update_action_item(owner, assessment, SUB_ID, 2, {"status": "done"})
    page = client.get(_plan_url(assessment)).content.decode()
    assert "Overdue: it was due" not in page


def test_the_filters_show_my_items_or_items_of_one_status(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    plan_services.update_action_item(owner, assessment, "1.S.A", 1, {"owner": sam})
    plan_services.update_action_item(owner, assessment, "1.S.B", 1, {"status": "blocked"})
    client = sign_in(sam)

    mine = client.get(_plan_url(assessment), {"owner": "mine"}).content.decode()
    assert 'id="item-1-S-A"' in mine and 'id="item-1-S-B"' not in mine
    blocked = client.get(_plan_url(assessment), {"status": "blocked"}).content.decode()
    assert 'id="item-1-S-B"' in blocked and 'id="item-1-S-A"' not in blocked
    assert "Showing 1 of" in blocked

    bad = client.get(_plan_url(assessment), {"status": "someday"})
    assert bad.status_code == 400
    assert "These filters could not be used" in bad.content.decode()


# --- Carry-over ----------------------------------------------------------------------------


def test_a_new_assessment_keeps_the_open_tracking_of_the_previous_one_once(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    due = dt.date(2031, 6, 30)
    track = plan_services.update_action_item
    track(owner, assessment, "1.S.A", 1, {"owner": sam, "due_date": due, "status": "blocked"})
    track(owner, assessment, "1.S.B", 1, {"status": "done"})  # done: not carried over
    track(owner, assessment, "2.S.A", 1, {"status": "in_progress"})  # not in the new plan
    newer = services.create_assessment(owner, assessment.organization, name="2027", tier=Tier.SMALL)
    services.record_answer(owner, newer, 1, "2.S.A", {"status": "implemented"})
    client = sign_in(owner)

    page = client.get(_plan_url(newer)).content.decode()

    carried = ActionItem.objects.filter(assessment=newer)
    assert [(i.sub_id, i.owner, i.due_date, i.status, i.version) for i in carried] == [
        ("1.S.A", sam, due, "blocked", 1)
    ]
    assert "sam-contributor" in page
    entry = AuditEntry.objects.get(action="carry_over")
    assert (entry.object_type, entry.object_id) == ("assessment", str(newer.pk))
    assert entry.after == {
        "from_assessment": assessment.pk,
        "items": {
            "1.S.A": {"owner": "sam-contributor", "due_date": "2031-06-30", "status": "blocked"}
        },
    }

    client.get(_plan_url(newer))
    assert AuditEntry.objects.filter(action="carry_over").count() == 1
    assert ActionItem.objects.filter(assessment=newer).count() == 1


def test_nothing_is_carried_over_into_an_assessment_that_already_has_tracking(
    owner: User, assessment: Assessment
) -> None:
    newer = services.create_assessment(owner, assessment.organization, name="2027", tier=Tier.SMALL)
    plan_services.update_action_item(owner, newer, "1.S.C", 1, {"status": "in_progress"})
    plan_services.update_action_item(owner, assessment, "1.S.A", 1, {"status": "blocked"})

    plan_services.plan_for(owner, newer)

    assert list(ActionItem.objects.filter(assessment=newer).values_list("sub_id", flat=True)) == [
        "1.S.C"
    ]
    assert not AuditEntry.objects.filter(action="carry_over").exists()


def test_an_older_assessment_entered_later_does_not_take_the_tracking_of_a_newer_one(
    owner: User, assessment: Assessment
) -> None:
    plan_services.update_action_item(owner, assessment, SUB_ID, 1, {"status": "blocked"})
    back_filled = services.create_assessment(
        owner,
        assessment.organization,
        name="2019 paper check",
        tier=Tier.SMALL,
        date=dt.date(2019, 5, 1),
    )

    plan_services.plan_for(owner, back_filled)

    assert not ActionItem.objects.filter(assessment=back_filled).exists()
    assert plan_selectors.previous_tracked(back_filled) is None
    assert plan_selectors.previous_tracked(assessment) is None


def test_changing_the_status_keeps_an_owner_who_has_since_left_the_organization(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = _member(make_user, assessment.organization, Role.CONTRIBUTOR, "sam-contributor")
    plan_services.update_action_item(owner, assessment, SUB_ID, 1, {"owner": sam})
    sam.memberships.all().delete()

    # The form sends every field, as a browser does: the owner select still shows sam.
    response = _track(sign_in(owner), assessment, 2, owner=sam.pk, status="done")

    assert response.status_code == 200
    assert _rows() == [(SUB_ID, sam.pk, None, "done", 3)]
    other = _track(sign_in(owner), assessment, 3, owner=owner.pk, status="done")
    assert other.status_code == 200
    assert "sam-contributor" not in other.content.decode()  # once given away, not offered
