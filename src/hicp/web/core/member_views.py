"""Views of members, invitations and the activity log of one organization.

Organizations come from scoping.scoped and memberships or invitations only through
scoping.child_of; the rules on who may change whom live in member_services.py. Accepting an
invitation is the one view here without an organization in its URL: its secret token is the key.
"""

from __future__ import annotations

import datetime as dt
import logging
from itertools import chain
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hicp.web.core import activity, member_services
from hicp.web.core.member_forms import (
    ROLE_HELP,
    ActivityFilterForm,
    InvitationForm,
    InvitationSignUpForm,
    RoleForm,
)
from hicp.web.core.member_services import (
    MemberChangeRefused,
    NotAllowed,
    grantable_roles,
    may_manage,
)
from hicp.web.core.models import Invitation, Membership, Organization
from hicp.web.core.roles import Role
from hicp.web.core.scoping import access_to, child_of, scoped

logger = logging.getLogger(__name__)


def _role(request: HttpRequest, organization: Organization) -> Role:
    role = member_services.role_of(request.user, organization)
    if role is None:  # scoping let the request in, so this is a programming error
        raise LookupError(f"{request.user} has no role in organization {organization.pk}")
    return role


def _members_context(
    request: HttpRequest, organization: Organization, *, invite_form: InvitationForm | None = None
) -> dict[str, Any]:
    role = _role(request, organization)
    grantable = grantable_roles(role)
    members = member_services.members_of(organization)
    owners = sum(1 for m in members if m.role == Role.OWNER)
    rows = []
    for membership in members:
        last_owner = membership.role == Role.OWNER and owners == 1
        can_change = may_manage(role, Role(membership.role))
        rows.append(
            {
                "membership": membership,
                "last_owner": last_owner,
                "can_change": can_change and not last_owner,
                "form": RoleForm(
                    grantable=grantable,
                    initial={"role": membership.role},
                    auto_id=f"id_member_{membership.pk}_%s",
                )
                if can_change
                else None,
            }
        )
    can_manage = role.allows(Role.ADMIN)
    invitations = (
        [
            {"invitation": i, "can_revoke": may_manage(role, Role(i.role))}
            for i in member_services.pending_invitations(organization)
        ]
        if can_manage
        else []
    )
    return {
        "organization": organization,
        "role": role,
        "rows": rows,
        "inherited": member_services.inherited_members(organization),
        "invitations": invitations,
        "can_manage": can_manage,
        "invite_form": invite_form or (InvitationForm(grantable=grantable) if can_manage else None),
        "roles_explained": [(r, ROLE_HELP[r]) for r in sorted(Role, key=lambda r: -r.rank)],
        "mail_enabled": settings.HICP_MAIL_ENABLED,
        "valid_days": member_services.INVITATION_LIFETIME.days,
    }


@scoped({"GET": Role.VIEWER})
def members(request: HttpRequest, organization: Organization) -> HttpResponse:
    """Everyone sees who is a member; admins and owners also invite and manage them here."""
    return render(request, "members/members.html", _members_context(request, organization))


# --- invitations -------------------------------------------------------------------------------


def _send_invitation(request: HttpRequest, invitation: Invitation, link: str) -> str:
    """E-mail the link if mail is set up: "sent", "failed" (the link is still shown) or "off"."""
    if not settings.HICP_MAIL_ENABLED:
        return "off"
    inviter = request.user.get_username()
    organization = " ".join(invitation.organization.name.split())  # no line breaks in a header
    role = Role(invitation.role)
    body = (
        f"{inviter} invited you to join {organization} on hicp as {role.label}.\n\n"
        f"What the role {role.label.lower()} allows: {ROLE_HELP[role]}\n\n"
        f"Open this link to accept (it works once, for {member_services.INVITATION_LIFETIME.days} "
        f"days):\n{link}\n\n"
        "hicp is a cybersecurity self-assessment for healthcare organizations. If you did not "
        "expect this invitation, you can ignore this e-mail.\n"
    )
    try:
        subject = f"{inviter} invited you to {organization} on hicp"
        send_mail(subject, body, None, [invitation.email])
    except OSError:  # SMTP errors are OSErrors; the page shows the link to send by hand
        logger.exception("could not send the invitation e-mail for invitation %s", invitation.pk)
        return "failed"
    return "sent"


@scoped({"GET": Role.ADMIN, "POST": Role.ADMIN})
def invitation_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    """Invite someone by e-mail; the page shows the link once (and e-mails it if it can)."""
    if request.method == "GET":
        return redirect(f"{reverse('members', args=[organization.pk])}#invite")
    form = InvitationForm(request.POST, grantable=grantable_roles(_role(request, organization)))
    if not form.is_valid():
        context = _members_context(request, organization, invite_form=form)
        return render(request, "members/members.html", context, status=422)
    try:
        invitation, token = member_services.create_invitation(
            request.user, organization, form.cleaned_data["email"], form.role()
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    link = request.build_absolute_uri(reverse("invitation-accept", args=[token]))
    mail = _send_invitation(request, invitation, link)
    response = render(
        request,
        "members/invitation_created.html",
        {
            "organization": organization,
            "invitation": invitation,
            "link": link,
            "mail": mail,
            "valid_days": member_services.INVITATION_LIFETIME.days,
        },
    )
    add_never_cache_headers(response)  # the page holds the secret link
    return response


@scoped({"GET": Role.ADMIN, "POST": Role.ADMIN})
def invitation_revoke(
    request: HttpRequest, organization: Organization, invitation_id: int
) -> HttpResponse:
    """Withdraw a pending invitation (GET asks to confirm)."""
    invitation = child_of(organization, Invitation, invitation_id)
    if not may_manage(_role(request, organization), Role(invitation.role)):
        raise PermissionDenied(member_services.ONLY_OWNERS)
    error, status = None, 200
    if request.method == "POST":
        try:
            member_services.revoke_invitation(request.user, organization, invitation)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        except MemberChangeRefused as exc:
            error, status = str(exc), 422
        else:
            messages.success(
                request, f"The invitation of {invitation.email} was withdrawn; its link is dead."
            )
            return redirect("members", org_id=organization.pk)
    return render(
        request,
        "members/invitation_revoke.html",
        {"organization": organization, "invitation": invitation, "error": error},
        status=status,
    )


def _invalid_invitation(request: HttpRequest) -> HttpResponse:
    # One answer for unknown, expired, withdrawn and used links: none tells which it was.
    return render(request, "members/invitation_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: signed in, with one button; signed out, by signing up here."""
    invitation = member_services.pending_invitation(token)
    if invitation is None:
        return _invalid_invitation(request)
    organization = invitation.organization
    context: dict[str, Any] = {
        "invitation": invitation,
        "organization": organization,
        "role": Role(invitation.role),
        "role_help": ROLE_HELP[Role(invitation.role)],
        "inviter": invitation.invited_by.get_username() if invitation.invited_by else "Someone",
        "sign_in_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
    }
    if not request.user.is_authenticated:
        form = InvitationSignUpForm(
            request.POST if request.method == "POST" else None,
            initial={"email": invitation.email},
        )
        if request.method == "POST" and form.is_valid():
            try:
                user, accepted = member_services.sign_up_and_accept(form, token)
            except member_services.InvitationNotValid:
                return _invalid_invitation(request)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _accepted(request, accepted)
        status = 422 if request.method == "POST" else 200
        return render(
            request, "members/invitation_accept.html", {**context, "form": form}, status=status
        )
    if request.method == "POST":
        try:
            accepted = member_services.accept_invitation(request.user, token)
        except member_services.InvitationNotValid:
            return _invalid_invitation(request)
        return _accepted(request, accepted)
    own = Membership.objects.filter(user_id=request.user.pk, organization=organization).first()
    context["current_role"] = Role(own.role) if own is not None else None
    return render(request, "members/invitation_accept.html", context)


def _accepted(request: HttpRequest, accepted: member_services.Accepted) -> HttpResponse:
    membership = accepted.membership
    name = membership.organization.name
    if accepted.kept_higher_role and accepted.role_before is not None:
        messages.success(
            request,
            f"You were already a member of {name} as {accepted.role_before.label}; you keep "
            f"that role, which allows everything the role {accepted.invited_as.label.lower()} "
            "does.",
        )
    else:
        messages.success(request, f"Welcome to {name}. Your role: {Role(membership.role).label}.")
    return redirect("organization-dashboard", org_id=membership.organization_id)


# --- one member: change the role, remove -------------------------------------------------------


def _managed_member(request: HttpRequest, organization: Organization, member_id: int) -> Membership:
    """The organization's own membership ``member_id``, if the requester may manage it."""
    membership = child_of(organization, Membership, member_id)
    if not may_manage(_role(request, organization), Role(membership.role)):
        raise PermissionDenied(member_services.ONLY_OWNERS)
    return membership


@scoped({"GET": Role.ADMIN, "POST": Role.ADMIN})
def member_edit(request: HttpRequest, organization: Organization, member_id: int) -> HttpResponse:
    membership = _managed_member(request, organization, member_id)
    grantable = grantable_roles(_role(request, organization))
    form = RoleForm(
        request.POST if request.method == "POST" else None,
        grantable=grantable,
        initial={"role": membership.role},
    )
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                member_services.change_role(request.user, organization, membership, form.role())
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from None
            except MemberChangeRefused as exc:
                error, status = str(exc), 422
            else:
                messages.success(
                    request,
                    f"{membership.user.get_username()} is now {form.role().label.lower()} "
                    f"of {organization.name}.",
                )
                return _back_to_members(request, organization)
        else:
            status = 422
    return render(
        request,
        "members/member_edit.html",
        {
            "organization": organization,
            "membership": membership,
            "form": form,
            "error": error,
            "last_owner": member_services.is_last_owner(membership),
            "roles_explained": [(r, ROLE_HELP[r]) for r in grantable],
        },
        status=status,
    )


@scoped({"GET": Role.ADMIN, "POST": Role.ADMIN})
def member_remove(request: HttpRequest, organization: Organization, member_id: int) -> HttpResponse:
    """Remove a member (GET asks to confirm). Their past changes stay in the activity log."""
    membership = _managed_member(request, organization, member_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            username = member_services.remove_member(request.user, organization, membership)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        except MemberChangeRefused as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, f"{username} is no longer a member of {organization.name}.")
            return _back_to_members(request, organization)
    return render(
        request,
        "members/member_remove.html",
        {
            "organization": organization,
            "membership": membership,
            "error": error,
            "last_owner": member_services.is_last_owner(membership),
            "is_self": membership.user_id == request.user.pk,
        },
        status=status,
    )


def _back_to_members(request: HttpRequest, organization: Organization) -> HttpResponse:
    # Someone who just removed or demoted themselves may no longer reach the members page.
    access = access_to(request.user, organization)
    if access is None:
        return redirect("organization-list")
    return redirect("members", org_id=organization.pk)


# --- the activity log --------------------------------------------------------------------------


def _activity_filters(
    request: HttpRequest, organization: Organization
) -> tuple[ActivityFilterForm, tuple[str | None, int | None] | None]:
    """The filter form and, if its values are valid, (kind, person); None when they are not.

    Values that are not in the lists are refused (422) rather than quietly ignored, so a
    filtered link that someone shares never shows more than it says.
    """
    form = ActivityFilterForm(
        request.GET,
        kinds=activity.kinds_in(organization),
        people=activity.people_in(organization),
    )
    return form, form.filters() if form.is_valid() else None


# Every member may read the log, viewers included: the viewer role doubles as the auditor's
# role, and an auditor needs the whole history without being able to change anything.
@scoped({"GET": Role.VIEWER})
def activity_log(request: HttpRequest, organization: Organization) -> HttpResponse:
    form, filters = _activity_filters(request, organization)
    context: dict[str, Any] = {"organization": organization, "form": form}
    if filters is None:
        return render(request, "activity/log.html", context, status=422)
    kind, person = filters
    entries = activity.entries_of(organization, kind, person)
    # A page number out of range or not a number shows the nearest page, as Paginator does.
    page = Paginator(entries, activity.PAGE_SIZE).get_page(request.GET.get("page"))
    names = activity.assessment_names(organization)
    query = urlencode({k: v for k, v in (("kind", kind), ("person", person)) if v is not None})
    context |= {
        "page": page,
        "lines": [activity.describe(entry, names) for entry in page],
        "filtered": bool(query),
        "query": query,
        "csv_url": f"{reverse('activity-log-csv', args=[organization.pk])}"
        + (f"?{query}" if query else ""),
    }
    return render(request, "activity/log.html", context)


@scoped({"GET": Role.VIEWER})
def activity_log_csv(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The filtered log as CSV, streamed, so a long history does not sit in memory."""
    form, filters = _activity_filters(request, organization)
    if filters is None:
        context = {"organization": organization, "form": form}
        return render(request, "activity/log.html", context, status=422)
    entries = activity.entries_of(organization, *filters).iterator(chunk_size=500)
    names = activity.assessment_names(organization)
    # The byte-order mark makes Excel read the file as UTF-8 (arrows, accented names).
    response = StreamingHttpResponse(
        chain(["\ufeff"], activity.csv_lines(entries, names)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"activity-log-{organization.pk}-{dt.date.today().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
