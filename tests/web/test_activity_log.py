"""The activity log page and its CSV: every member reads it, in plain words, filtered and paged."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from hicp.assessment.models import Status
from hicp.reports.xlsx_cells import inert_text
from hicp.web.core import member_services, services
from hicp.web.core.activity import PAGE_SIZE
from hicp.web.core.models import Assessment, Membership, Organization
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member


def _url(organization: Organization, name: str = "activity-log", **query: Any) -> str:
    base = reverse(name, args=[organization.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def viewer(organization: Organization, make_user: MakeUser) -> User:
    user = make_user("vera-viewer")
    add_member(user, organization, Role.VIEWER)
    return user


def test_a_viewer_reads_the_log_newest_first_in_plain_words(
    owner: User,
    assessment: Assessment,
    organization: Organization,
    viewer: User,
    make_user: MakeUser,
    sign_in: SignIn,
) -> None:
    services.record_answer(owner, assessment, 1, "1.S.A", {"status": Status.IMPLEMENTED})
    bob = add_member(make_user("bob"), organization, Role.VIEWER)
    member_services.change_role(owner, organization, bob, Role.ASSESSOR)

    response = sign_in(viewer).get(_url(organization))

    page = response.content.decode()
    assert response.status_code == 200
    changed = page.index("changed the role of bob")
    answered = page.index("answered 1.S.A in “2026 self-assessment”")
    created = page.index("created the organization “Northside Clinic”")
    assert changed < answered < created  # newest first
    assert "role: Viewer → Assessor" in page
    assert "answer: not answered → Yes" in page
    assert "4 changes." in page


def test_an_entry_no_wording_knows_still_shows_its_action_and_changes(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    services.audit(
        owner, organization, organization, "rename", before={"name": "Old"}, after={"name": "New"}
    )

    page = sign_in(owner).get(_url(organization)).content.decode()

    assert f"rename organization {organization.pk}" in page
    assert "name: Old → New" in page


def test_the_log_shows_50_entries_a_page_and_pages_on(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    for n in range(PAGE_SIZE + 9):
        services.audit(owner, organization, organization, f"step_{n}")
    client = sign_in(owner)

    first = client.get(_url(organization)).content.decode()
    second = client.get(_url(organization, page=2)).content.decode()
    nonsense = client.get(_url(organization, page="x")).content.decode()

    assert first.count("<tr>") - 1 == PAGE_SIZE  # minus the heading row
    assert "Page 1 of 2" in first and "step 58 " in first and "step 8 " not in first
    assert second.count("<tr>") - 1 == 10  # the last nine steps and the organization's creation
    assert "step 8 " in second and "Page 2 of 2" in second
    assert "Page 1 of 2" in nonsense


def test_the_log_filters_by_kind_of_object_and_by_person(
    owner: User, organization: Organization, viewer: User, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = make_user("adam")
    add_member(admin, organization, Role.ADMIN)
    bob = add_member(make_user("bob"), organization, Role.VIEWER)
    member_services.change_role(admin, organization, bob, Role.CONTRIBUTOR)
    member_services.create_invitation(owner, organization, "nina@example.org", Role.VIEWER)
    client = sign_in(viewer)

    members_only = client.get(_url(organization, kind="membership")).content.decode()
    by_owner = client.get(_url(organization, person=owner.pk)).content.decode()

    assert "changed the role of bob" in members_only
    assert "invited nina@example.org" not in members_only
    assert "invited nina@example.org" in by_owner
    assert "created the organization" in by_owner
    assert "changed the role of bob" not in by_owner


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "spaceship"}, "is not a kind of change in this log"),
        ({"person": "999999"}, "Nobody with this number made changes here"),
    ],
)
def test_a_filter_value_not_in_the_lists_is_refused_with_a_message(
    query: dict[str, str], message: str, organization: Organization, viewer: User, sign_in: SignIn
) -> None:
    for name in ("activity-log", "activity-log-csv"):
        response = sign_in(viewer).get(_url(organization, name, **query))

        assert response.status_code == 422
        page = response.content.decode()
        assert message in page
        assert "created the organization" not in page


def test_the_log_holds_only_the_organizations_own_entries(
    organization: Organization, make_user: MakeUser, viewer: User, sign_in: SignIn
) -> None:
    services.create_organization(make_user("sid"), "Other Org B")

    page = sign_in(viewer).get(_url(organization)).content.decode()

    assert "Other Org B" not in page
    assert "1 change." in page


def test_the_csv_download_is_the_filtered_log_as_an_attachment(
    owner: User, organization: Organization, viewer: User, make_user: MakeUser, sign_in: SignIn
) -> None:
    bob = add_member(make_user("bob"), organization, Role.VIEWER)
    member_services.change_role(owner, organization, bob, Role.ADMIN)

    response = sign_in(viewer).get(_url(organization, "activity-log-csv", kind="membership"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="activity-log-')
    header, *rows = _csv(response)
    assert header[:4] == ["when (UTC)", "who", "what", "changes"]
    assert len(rows) == 1
    assert rows[0][1:4] == ["olivia-owner", "changed the role of bob", "role: Viewer → Admin"]


def test_the_csv_makes_cells_that_a_spreadsheet_would_run_as_formulas_inert(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    attacker = make_user("@attacker")  # Django allows @ + - . _ in usernames
    add_member(attacker, organization, Role.ADMIN)
    services.audit(attacker, organization, organization, '=HYPERLINK("http://x")')

    rows = _csv(sign_in(attacker).get(_url(organization, "activity-log-csv")))

    newest = rows[1]
    assert newest[1] == "'@attacker"
    assert newest[2].startswith("'=HYPERLINK")
    assert newest[4].startswith("'=HYPERLINK")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_text_quotes_only_a_leading_formula_character(value: str, expected: str) -> None:
    assert inert_text(value) == expected


def test_removed_members_stay_in_the_log_under_their_name(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    bob = add_member(make_user("bob"), organization, Role.CONTRIBUTOR)
    member_services.remove_member(owner, organization, bob)

    page = sign_in(owner).get(_url(organization)).content.decode()

    assert not Membership.objects.filter(pk=bob.pk).exists()
    assert "removed bob" in page and "role was Contributor" in page
