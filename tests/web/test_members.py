"""The members page: who may see, change and remove members, and what the log records."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from hicp.web.core import services
from hicp.web.core.models import AuditEntry, Membership, Organization
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member

LOW_ROLES = [Role.VIEWER, Role.CONTRIBUTOR, Role.ASSESSOR]


def _member(make_user: MakeUser, organization: Organization, name: str, role: Role) -> Membership:
    return add_member(make_user(name), organization, role)


def _role_of(membership: Membership) -> str:
    membership.refresh_from_db()
    return membership.role


def test_every_member_sees_the_members_with_their_roles_and_what_each_role_may_do(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    viewer = _member(make_user, organization, "vera", Role.VIEWER)

    response = sign_in(viewer.user).get(reverse("members", args=[organization.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "olivia-owner" in page and "vera (you)" in page
    assert "Can read everything but change nothing. Suits auditors" in page
    assert "Answers only the questions assigned to them." in page
    assert "Invite someone" not in page and "Change role" not in page


def test_an_admin_sees_the_invite_form_and_a_change_form_per_member(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = _member(make_user, organization, "adam", Role.ADMIN)
    _member(make_user, organization, "carl", Role.CONTRIBUTOR)

    page = sign_in(admin.user).get(reverse("members", args=[organization.pk])).content.decode()

    assert "Invite someone" in page
    assert "New role for carl" in page
    assert "Remove carl" in page
    assert "Only an owner can change an owner." in page  # the owner's row


def test_members_of_a_parent_organization_are_listed_separately_as_read_only(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    facility = services.create_organization(owner, "Eastside Clinic", parent=organization)
    _member(make_user, organization, "paula-parent", Role.ASSESSOR)

    page = sign_in(owner).get(reverse("members", args=[facility.pk])).content.decode()

    through = page.index("Through Northside Clinic")
    assert page.index("paula-parent") > through
    assert "New role for paula-parent" not in page


@pytest.mark.parametrize("role", LOW_ROLES, ids=[r.value for r in LOW_ROLES])
def test_only_admins_and_owners_can_change_or_remove_members(
    role: Role, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    actor = _member(make_user, organization, "low", role)
    target = _member(make_user, organization, "target", Role.VIEWER)
    client = sign_in(actor.user)
    entries = AuditEntry.objects.count()

    edit = reverse("member-edit", args=[organization.pk, target.pk])
    remove = reverse("member-remove", args=[organization.pk, target.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"role": "admin"}).status_code == 403
    assert client.post(remove).status_code == 403

    assert _role_of(target) == Role.VIEWER
    assert AuditEntry.objects.count() == entries


def test_an_admin_can_change_a_role_below_owner_and_the_change_is_audited(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = _member(make_user, organization, "adam", Role.ADMIN)
    bob = _member(make_user, organization, "bob", Role.VIEWER)

    response = sign_in(admin.user).post(
        reverse("member-edit", args=[organization.pk, bob.pk]), {"role": "assessor"}, follow=True
    )

    assert "bob is now assessor of Northside Clinic." in response.content.decode()
    assert _role_of(bob) == Role.ASSESSOR
    entry = AuditEntry.objects.get(action="change_role")
    assert (entry.user, entry.object_type, entry.object_id) == (
        admin.user,
        "membership",
        str(bob.pk),
    )
    assert entry.before == {"user": "bob", "role": "viewer"}
    assert entry.after == {"user": "bob", "role": "assessor"}


def test_an_admin_cannot_make_anyone_an_owner(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = _member(make_user, organization, "adam", Role.ADMIN)
    bob = _member(make_user, organization, "bob", Role.VIEWER)

    response = sign_in(admin.user).post(
        reverse("member-edit", args=[organization.pk, bob.pk]), {"role": "owner"}
    )

    assert response.status_code == 422
    assert "Only an owner can make someone an owner." in response.content.decode()
    assert _role_of(bob) == Role.VIEWER
    assert not AuditEntry.objects.filter(action="change_role").exists()


def test_an_admin_cannot_change_or_remove_an_owner(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = _member(make_user, organization, "adam", Role.ADMIN)
    second_owner = _member(make_user, organization, "otto", Role.OWNER)  # not the last owner
    client = sign_in(admin.user)

    edit = reverse("member-edit", args=[organization.pk, second_owner.pk])
    response = client.post(edit, {"role": "viewer"})
    assert response.status_code == 403
    assert "Only an owner can change or remove an owner" in response.content.decode()
    remove = reverse("member-remove", args=[organization.pk, second_owner.pk])
    assert client.post(remove).status_code == 403

    assert _role_of(second_owner) == Role.OWNER


def test_an_owner_can_make_another_member_an_owner(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = _member(make_user, organization, "adam", Role.ADMIN)

    response = sign_in(owner).post(
        reverse("member-edit", args=[organization.pk, admin.pk]), {"role": "owner"}
    )

    assert response.status_code == 302
    assert _role_of(admin) == Role.OWNER


def test_the_last_owner_can_be_neither_demoted_nor_removed(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    membership = Membership.objects.get(user=owner, organization=organization)
    client = sign_in(owner)
    entries = AuditEntry.objects.count()

    demoted = client.post(
        reverse("member-edit", args=[organization.pk, membership.pk]), {"role": "admin"}
    )
    removed = client.post(reverse("member-remove", args=[organization.pk, membership.pk]))

    for response in (demoted, removed):
        assert response.status_code == 422
        assert "is the only owner of Northside Clinic" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.OWNER
    assert AuditEntry.objects.count() == entries


def test_an_owner_can_step_down_once_there_is_another_owner(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    _member(make_user, organization, "otto", Role.OWNER)
    membership = Membership.objects.get(user=owner, organization=organization)

    response = sign_in(owner).post(
        reverse("member-edit", args=[organization.pk, membership.pk]), {"role": "admin"}
    )

    assert response.status_code == 302
    assert _role_of(membership) == Role.ADMIN


def test_removing_a_member_is_confirmed_first_and_audited(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    bob = _member(make_user, organization, "bob", Role.CONTRIBUTOR)
    client = sign_in(owner)
    url = reverse("member-remove", args=[organization.pk, bob.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "bob (contributor) will no longer reach Northside Clinic" in confirm.content.decode()
    assert Membership.objects.filter(pk=bob.pk).exists()

    response = client.post(url, follow=True)

    assert "bob is no longer a member of Northside Clinic." in response.content.decode()
    assert not Membership.objects.filter(pk=bob.pk).exists()
    entry = AuditEntry.objects.get(action="remove_member")
    assert (entry.object_type, entry.object_id) == ("membership", str(bob.pk))
    assert entry.before == {"user": "bob", "role": "contributor"}
    assert entry.after is None


def test_a_member_who_removes_themselves_is_taken_to_their_organizations(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = _member(make_user, organization, "adam", Role.ADMIN)

    response = sign_in(admin.user).post(reverse("member-remove", args=[organization.pk, admin.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("organization-list")
    assert not Membership.objects.filter(pk=admin.pk).exists()


def test_a_membership_of_another_organization_is_not_found_under_your_own(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    stranger = make_user("sid-stranger")
    other = services.create_organization(stranger, "Other Org B")
    foreign = Membership.objects.get(organization=other, user=stranger)
    client = sign_in(owner)  # owner of Northside: the highest role in the URL's organization

    for name in ("member-edit", "member-remove"):
        url = reverse(name, args=[organization.pk, foreign.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"role": "viewer"}).status_code == 404

    assert Membership.objects.get(pk=foreign.pk).role == Role.OWNER


def test_the_dashboard_links_to_the_members_and_the_activity_log(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    viewer = _member(make_user, organization, "vera", Role.VIEWER)

    page = sign_in(viewer.user).get(reverse("organization-dashboard", args=[organization.pk]))

    html = page.content.decode()
    assert f'href="{reverse("members", args=[organization.pk])}"' in html
    assert f'href="{reverse("activity-log", args=[organization.pk])}"' in html


def test_an_admin_of_a_parent_organization_manages_the_members_of_its_facilities(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    facility = services.create_organization(owner, "Eastside Clinic", parent=organization)
    system_admin = _member(make_user, organization, "sam-system", Role.ADMIN)
    nurse = _member(make_user, facility, "nora", Role.VIEWER)

    response = sign_in(system_admin.user).post(
        reverse("member-edit", args=[facility.pk, nurse.pk]), {"role": "contributor"}
    )

    assert response.status_code == 302
    assert _role_of(nurse) == Role.CONTRIBUTOR
    assert AuditEntry.objects.get(action="change_role").organization == facility


def test_the_removal_page_asks_first_with_a_button_named_for_the_person(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    carl = _member(make_user, organization, "carl", Role.CONTRIBUTOR)
    url = reverse("member-remove", args=[organization.pk, carl.pk])

    page = sign_in(owner).get(url).content.decode()

    assert f'<form method="post" action="{url}"' in page
    assert '<button type="submit" class="primary">Remove carl</button>' in page
    assert ">Cancel</a>" in page
    assert Membership.objects.filter(pk=carl.pk).exists()
