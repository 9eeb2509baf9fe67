"""Members and invitations: the rules on who may change whom, the writes, and the page reads.

The rules:
- an owner may give and change every role; an admin every role but owner, and may not change
  or remove an owner (nor withdraw an invitation to become one); nobody else manages members;
- the effective role counts, so an admin of a health system manages its facilities' members;
- an organization always keeps an owner of its own: its last owner can be neither demoted nor
  removed (an owner inherited from a parent organization does not count, since the parent
  could later be detached or lose that owner);
- an invitation is a secret link, valid for INVITATION_LIFETIME and usable once; only the
  SHA-256 digest of its token is stored. Accepting never lowers a role someone already has.
Every write runs in one transaction and is audited with the role before and after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from hicp.errors import HicpError
from hicp.web.core.member_forms import InvitationSignUpForm
from hicp.web.core.models import Invitation, Membership, Organization
from hicp.web.core.roles import Role
from hicp.web.core.scoping import access_to, ancestors
from hicp.web.core.services import audit

INVITATION_LIFETIME = dt.timedelta(days=7)
TOKEN_BYTES = 32  # 256 random bits: a fast hash is enough to store them (see api_auth.py)
MAX_TOKEN_LENGTH = 100  # token_urlsafe(32) is 43 characters; anything far longer is not ours
ONLY_OWNERS = (
    "Only an owner can change or remove an owner, or withdraw an invitation to become one."
)


class MemberChangeRefused(HicpError):
    """A change to members or invitations that the rules refuse; nothing was changed."""

    status = 422


class NotAllowed(MemberChangeRefused):
    """The person's role is too low for this change (answered like scoping's 403)."""

    status = 403


class InvitationNotValid(HicpError):
    """The invitation link is unknown, expired, withdrawn or already used."""


@dataclass(frozen=True)
class Accepted:
    """The outcome of accepting an invitation."""

    membership: Membership
    invited_as: Role
    role_before: Role | None  # the member's own role before, if they were one already

    @property
    def kept_higher_role(self) -> bool:
        return self.role_before is not None and self.role_before.rank > self.invited_as.rank


# --- the rules ---------------------------------------------------------------------------------


def grantable_roles(role: Role | None) -> tuple[Role, ...]:
    """The roles someone with ``role`` may give, most trusted first."""
    if role == Role.OWNER:
        return (Role.OWNER, Role.ADMIN, Role.ASSESSOR, Role.CONTRIBUTOR, Role.VIEWER)
    if role == Role.ADMIN:
        return (Role.ADMIN, Role.ASSESSOR, Role.CONTRIBUTOR, Role.VIEWER)
    return ()


def may_manage(role: Role | None, member_role: Role) -> bool:
    """Whether someone with ``role`` may change or remove a member who has ``member_role``."""
    return member_role in grantable_roles(role)


def role_of(user: AbstractBaseUser, organization: Organization) -> Role | None:
    access = access_to(user, organization)
    return access.role if access is not None else None


def _check_manage(user: AbstractBaseUser, organization: Organization, member_role: Role) -> Role:
    role = role_of(user, organization)
    if role is None or not role.allows(Role.ADMIN):
        raise NotAllowed("Only an admin or an owner of the organization can manage its members.")
    if not may_manage(role, member_role):
        raise NotAllowed(ONLY_OWNERS)
    return role


def _check_grant(role: Role, new_role: Role) -> None:
    if new_role not in grantable_roles(role):
        raise NotAllowed("Only an owner can make someone an owner.")


def _lock_owners(organization: Organization) -> list[Membership]:
    """The organization's own owners, locked, so two owners cannot demote each other at once."""
    return list(
        Membership.objects.select_for_update().filter(organization=organization, role=Role.OWNER)
    )


def is_last_owner(membership: Membership) -> bool:
    if membership.role != Role.OWNER:
        return False
    owners = Membership.objects.filter(organization_id=membership.organization_id, role=Role.OWNER)
    return not owners.exclude(pk=membership.pk).exists()


def _locked(membership: Membership) -> Membership:
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=membership.pk, organization_id=membership.organization_id)
        .first()
    )
    if locked is None:
        raise MemberChangeRefused("This person is no longer a member; nothing was changed.")
    return locked


def _who(membership: Membership) -> str:
    return str(membership.user.get_username())


# --- members -----------------------------------------------------------------------------------


def change_role(
    user: AbstractBaseUser, organization: Organization, membership: Membership, new_role: Role
) -> Membership:
    """Give a member of ``organization`` (own membership, found through scoping) a new role."""
    with transaction.atomic():
        _lock_owners(organization)
        locked = _locked(membership)
        old_role = Role(locked.role)
        actor = _check_manage(user, organization, old_role)
        _check_grant(actor, new_role)
        if new_role == old_role:
            return locked
        if is_last_owner(locked):
            raise MemberChangeRefused(
                f"{_who(locked)} is the only owner of {organization.name}. Make someone else an "
                "owner first; then this role can be changed. Nothing was changed."
            )
        locked.role = new_role
        locked.save(update_fields=("role",))
        audit(
            user,
            organization,
            locked,
            "change_role",
            before={"user": _who(locked), "role": old_role.value},
            after={"user": _who(locked), "role": new_role.value},
        )
    return locked


def remove_member(
    user: AbstractBaseUser, organization: Organization, membership: Membership
) -> str:
    """Remove a member from ``organization``; returns their username for the message."""
    with transaction.atomic():
        _lock_owners(organization)
        locked = _locked(membership)
        _check_manage(user, organization, Role(locked.role))
        if is_last_owner(locked):
            raise MemberChangeRefused(
                f"{_who(locked)} is the only owner of {organization.name}. Make someone else an "
                "owner first; then they can be removed. Nothing was changed."
            )
        username = _who(locked)
        # Audited before the delete, while the membership still has its id.
        audit(
            user,
            organization,
            locked,
            "remove_member",
            before={"user": username, "role": locked.role},
            after=None,
        )
        locked.delete()
    return username


# --- invitations -------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitation(
    user: AbstractBaseUser, organization: Organization, email: str, role: Role
) -> tuple[Invitation, str]:
    """A new invitation and its token (for the link: show it once, never store it)."""
    with transaction.atomic():
        actor = _check_manage(user, organization, Role.VIEWER)
        _check_grant(actor, role)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation = Invitation.objects.create(
            organization=organization,
            email=email.strip(),
            role=role,
            digest=_digest(token),
            invited_by=user,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit(
            user,
            organization,
            invitation,
            "invite",
            after={
                "email": invitation.email,
                "role": role.value,
                "expires_at": invitation.expires_at.isoformat(),
            },
        )
    return invitation, token


def revoke_invitation(
    user: AbstractBaseUser, organization: Organization, invitation: Invitation
) -> Invitation:
    """Withdraw a pending invitation of ``organization``: its link stops working."""
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation.pk, organization=organization)
            .first()
        )
        if locked is None or not locked.pending:
            raise MemberChangeRefused(
                "This invitation was already used, withdrawn or has expired; nothing was changed."
            )
        _check_manage(user, organization, Role(locked.role))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=("revoked_at",))
        audit(
            user,
            organization,
            locked,
            "revoke_invitation",
            before={"email": locked.email, "role": locked.role, "status": "pending"},
            after={"email": locked.email, "role": locked.role, "status": "withdrawn"},
        )
    return locked


def pending_invitation(token: str) -> Invitation | None:
    """The pending invitation ``token`` opens, or None (unknown, expired, withdrawn or used)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = _digest(token)
    # Finding the row by the digest of a 256-bit secret leaks nothing a timing attack could use;
    # the constant-time comparison keeps the same semantics as the API tokens' check.
    found = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(digest=digest)
        .first()
    )
    if found is None or not hmac.compare_digest(found.digest, digest) or not found.pending:
        return None
    return found


def accept_invitation(user: AbstractBaseUser, token: str) -> Accepted:
    """Make ``user`` a member with the invitation's role (a higher own role is kept)."""
    with transaction.atomic():
        found = pending_invitation(token)
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=found.pk)
            .first()
            if found is not None
            else None
        )
        if invitation is None or not invitation.pending:
            raise InvitationNotValid("this invitation link is not valid any more")
        organization = invitation.organization
        invited_as = Role(invitation.role)
        membership = (
            Membership.objects.select_for_update()
            .filter(user_id=user.pk, organization=organization)
            .first()
        )
        role_before = Role(membership.role) if membership is not None else None
        if membership is None:
            membership = Membership.objects.create(
                user=user, organization=organization, role=invited_as
            )
        elif Role(membership.role).rank < invited_as.rank:
            membership.role = invited_as
            membership.save(update_fields=("role",))
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user  # type: ignore[assignment]
        invitation.save(update_fields=("accepted_at", "accepted_by"))
        username = str(user.get_username())
        audit(
            user,
            organization,
            membership,
            "accept_invitation",
            before={"user": username, "role": role_before.value} if role_before else None,
            after={
                "user": username,
                "role": membership.role,
                "invitation": invitation.pk,
                "invited_as": invited_as.value,
            },
        )
    return Accepted(membership, invited_as, role_before)


def sign_up_and_accept(form: InvitationSignUpForm, token: str) -> tuple[User, Accepted]:
    """Create the account from a valid sign-up form and accept the invitation, or do neither."""
    with transaction.atomic():
        user: User = form.save()
        return user, accept_invitation(user, token)


# --- reads for the members page ----------------------------------------------------------------


def members_of(organization: Organization) -> list[Membership]:
    """The organization's own members, most trusted role first, then by username."""
    rows = Membership.objects.filter(organization=organization).select_related("user")
    return sorted(rows, key=lambda m: (-Role(m.role).rank, m.user.get_username().lower()))


def inherited_members(organization: Organization) -> list[tuple[Organization, list[Membership]]]:
    """Members of each parent organization (nearest first): they reach this one too."""
    return [
        (parent, members) for parent in ancestors(organization) if (members := members_of(parent))
    ]


def pending_invitations(organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            organization=organization,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("expires_at", "id")
    )
