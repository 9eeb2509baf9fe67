"""Invitations: made by admins and owners, shown once, accepted once, refused when stale."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hicp.web.core import member_services, member_views
from hicp.web.core.models import AuditEntry, Invitation, Membership, Organization
from hicp.web.core.roles import Role
from tests.web.conftest import PASSWORD, MakeUser, SignIn, add_member

LINK = re.compile(r"http://testserver/invitations/([A-Za-z0-9_-]+)/")


def _invite(client: Client, organization: Organization, email: str, role: str) -> Any:
    return client.post(
        reverse("invitation-create", args=[organization.pk]), {"email": email, "role": role}
    )


def _token_from(response: Any) -> str:
    found = LINK.search(response.content.decode())
    assert found, "the page shows the invitation link"
    return found.group(1)


@pytest.fixture
def token(owner: User, organization: Organization) -> str:
    _, token = member_services.create_invitation(
        owner, organization, "nina@example.org", Role.ASSESSOR
    )
    return token


def test_an_owner_gets_the_link_once_and_only_its_digest_is_stored(
    organization: Organization, owner: User, sign_in: SignIn
) -> None:
    client = sign_in(owner)

    response = _invite(client, organization, "nina@example.org", "assessor")

    assert response.status_code == 200
    page = response.content.decode()
    assert "This is the only time the link is shown." in page
    assert "copy this link and send it yourself" in page
    token = _token_from(response)
    invitation = Invitation.objects.get(email="nina@example.org")
    assert invitation.role == Role.ASSESSOR and invitation.invited_by == owner
    assert invitation.digest == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    assert "no-store" in response["Cache-Control"]
    members_page = client.get(reverse("members", args=[organization.pk])).content.decode()
    assert "nina@example.org" in members_page and token not in members_page
    entry = AuditEntry.objects.get(action="invite")
    assert entry.after is not None and entry.after["email"] == "nina@example.org"
    assert mail.outbox == []


def test_the_link_is_also_e_mailed_when_mail_is_configured(
    organization: Organization, owner: User, sign_in: SignIn, settings: Any
) -> None:
    settings.HICP_MAIL_ENABLED = True

    response = _invite(sign_in(owner), organization, "nina@example.org", "viewer")

    token = _token_from(response)
    assert "We e-mailed the link below to nina@example.org." in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["nina@example.org"]
    assert "olivia-owner invited you to Northside Clinic" in message.subject
    assert f"/invitations/{token}/" in message.body


def test_a_mail_server_failure_still_shows_the_link_to_send_by_hand(
    organization: Organization,
    owner: User,
    sign_in: SignIn,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.HICP_MAIL_ENABLED = True

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(member_views, "send_mail", refuse)

    response = _invite(sign_in(owner), organization, "nina@example.org", "viewer")

    assert "could not be sent" in response.content.decode()
    _token_from(response)
    assert Invitation.objects.filter(email="nina@example.org").exists()


def test_a_bad_e_mail_address_is_refused_with_a_message_and_nothing_is_made(
    organization: Organization, owner: User, sign_in: SignIn
) -> None:
    response = _invite(sign_in(owner), organization, "not an address", "viewer")

    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_admin_cannot_invite_an_owner(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = make_user("adam")
    add_member(admin, organization, Role.ADMIN)

    response = _invite(sign_in(admin), organization, "nina@example.org", "owner")

    assert response.status_code == 422
    assert "Only an owner can make someone an owner." in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.ASSESSOR])
def test_members_below_admin_cannot_invite_or_withdraw_invitations(
    role: Role, token: str, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    member = make_user("low")
    add_member(member, organization, role)
    client = sign_in(member)
    invitation = Invitation.objects.get()

    assert _invite(client, organization, "x@example.org", "viewer").status_code == 403
    revoke = reverse("invitation-revoke", args=[organization.pk, invitation.pk])
    assert client.post(revoke).status_code == 403

    assert Invitation.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.pending


def test_a_new_user_signs_up_on_the_invitation_page_and_joins(
    token: str, organization: Organization
) -> None:
    client = Client()
    url = reverse("invitation-accept", args=[token])

    page = client.get(url).content.decode()
    assert "olivia-owner invited you to join Northside Clinic as assessor." in page
    assert 'value="nina@example.org"' in page  # the e-mail address is filled in
    assert f"{reverse('login')}?next=%2Finvitations%2F{token}%2F" in page

    response = client.post(
        url,
        {
            "username": "nina",
            "email": "nina@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("organization-dashboard", args=[organization.pk])
    nina = User.objects.get(username="nina")
    assert nina.email == "nina@example.org"
    assert Membership.objects.get(user=nina, organization=organization).role == Role.ASSESSOR
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == nina and invitation.accepted_at is not None
    entry = AuditEntry.objects.get(action="accept_invitation")
    assert entry.user == nina and entry.before is None
    assert entry.after is not None and entry.after["role"] == "assessor"
    dashboard = client.get(response["Location"])  # signed in by the same step
    assert "Welcome to Northside Clinic. Your role: Assessor." in dashboard.content.decode()


def test_a_refused_sign_up_creates_nobody_and_keeps_the_invitation(token: str) -> None:
    response = Client().post(
        reverse("invitation-accept", args=[token]),
        {"username": "nina", "email": "nina@example.org", "password1": "abc", "password2": "abc"},
    )

    assert response.status_code == 422
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="nina").exists()
    assert Invitation.objects.get().pending


def test_an_existing_user_signs_in_comes_back_and_accepts(
    token: str, organization: Organization, make_user: MakeUser
) -> None:
    nina = make_user("nina")
    client = Client()
    url = reverse("invitation-accept", args=[token])

    signed_in = client.post(
        reverse("login"), {"username": "nina", "password": PASSWORD, "next": url}
    )
    assert signed_in["Location"] == url
    page = client.get(url).content.decode()
    assert "Accept and join" in page

    response = client.post(url)

    assert response.status_code == 302
    assert Membership.objects.get(user=nina, organization=organization).role == Role.ASSESSOR
    assert Invitation.objects.get().accepted_by == nina


def test_accepting_never_lowers_a_higher_role_and_says_so(
    token: str, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = make_user("adam")
    add_member(admin, organization, Role.ADMIN)

    response = sign_in(admin).post(reverse("invitation-accept", args=[token]), follow=True)

    assert "You were already a member of Northside Clinic as Admin; you keep that role" in (
        response.content.decode()
    )
    assert Membership.objects.get(user=admin, organization=organization).role == Role.ADMIN
    assert not Invitation.objects.get().pending


def test_accepting_needs_the_csrf_token_like_every_other_form(
    token: str, organization: Organization, make_user: MakeUser
) -> None:
    nina = make_user("nina")
    client = Client(enforce_csrf_checks=True)
    client.force_login(nina)

    response = client.post(reverse("invitation-accept", args=[token]))

    assert response.status_code == 403
    assert not Membership.objects.filter(user=nina).exists()


def _expire(invitation: Invitation) -> None:
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save()


def _revoke(invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save()


def _use(invitation: Invitation) -> None:
    invitation.accepted_at = timezone.now()
    invitation.save()


@pytest.mark.parametrize("spoil", [_expire, _revoke, _use], ids=["expired", "revoked", "used"])
def test_an_expired_revoked_or_used_link_is_refused_with_the_same_page(
    spoil: Any, token: str, make_user: MakeUser, sign_in: SignIn
) -> None:
    spoil(Invitation.objects.get())
    nina = make_user("nina")
    url = reverse("invitation-accept", args=[token])

    for response in (Client().get(url), sign_in(nina).get(url), sign_in(nina).post(url)):
        assert response.status_code == 404
        assert "This invitation link is not valid any more. Ask the person who invited you" in (
            response.content.decode()
        )
    assert not Membership.objects.filter(user=nina).exists()


def test_an_unknown_link_gets_the_same_page_and_signs_nobody_up(db: None) -> None:
    response = Client().post(
        reverse("invitation-accept", args=["made-up-token"]),
        {"username": "mallory", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 404
    assert "This invitation link is not valid any more." in response.content.decode()
    assert not User.objects.filter(username="mallory").exists()


def test_withdrawing_an_invitation_is_confirmed_first_kills_the_link_and_is_audited(
    token: str, owner: User, organization: Organization, sign_in: SignIn
) -> None:
    invitation = Invitation.objects.get()
    client = sign_in(owner)
    url = reverse("invitation-revoke", args=[organization.pk, invitation.pk])

    assert "Withdraw the invitation of nina@example.org" in client.get(url).content.decode()
    assert Invitation.objects.get().pending

    response = client.post(url)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(reverse("invitation-accept", args=[token])).status_code == 404
    entry = AuditEntry.objects.get(action="revoke_invitation")
    assert (entry.object_type, entry.object_id) == ("invitation", str(invitation.pk))
    assert entry.after is not None and entry.after["status"] == "withdrawn"


def test_withdrawing_an_invitation_that_was_already_used_is_refused(
    token: str, owner: User, organization: Organization, sign_in: SignIn
) -> None:
    invitation = Invitation.objects.get()
    _use(invitation)

    response = sign_in(owner).post(
        reverse("invitation-revoke", args=[organization.pk, invitation.pk])
    )

    assert response.status_code == 422
    assert "already used, withdrawn or has expired" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_admin_cannot_withdraw_an_invitation_to_become_owner(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    invitation, _ = member_services.create_invitation(
        owner, organization, "o@example.org", Role.OWNER
    )
    admin = make_user("adam")
    add_member(admin, organization, Role.ADMIN)

    response = sign_in(admin).post(
        reverse("invitation-revoke", args=[organization.pk, invitation.pk])
    )

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.pending
