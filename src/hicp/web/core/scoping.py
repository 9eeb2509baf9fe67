"""The one place that decides whether a user may reach an organization or an assessment.

Every view obtains organizations and assessments only through these functions, by way of the
``scoped`` decorator at the end. The rules:
- not a member of the object's organization, or no such object: Http404, the same answer for
  both, so nobody can learn that another organization's object exists;
- a member whose role is too low for the action: PermissionDenied (403), since they can
  already see the object;
- a membership of a parent organization (a health system, a service provider) carries the same
  role in each of its facilities, at any depth; where someone also has a membership of the
  facility itself, the higher of the two roles counts.
Objects that belong to an assessment or organization (jobs, attachments, members, ...) are
looked up only within the scoped parent object, through ``child_of``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from hicp.web.core.models import Assessment, Membership, Organization
from hicp.web.core.roles import Role

NOT_FOUND = "No such page, or it belongs to an organization you are not a member of."


# Deeper than any real structure (system > region > hospital > clinic); stops a loop in bad data.
MAX_DEPTH = 8


@dataclass(frozen=True)
class Access:
    """What a user may do in one organization, and through which membership."""

    organization: Organization
    role: Role
    inherited_from: Organization | None  # the parent whose membership gives the role, if any


def ancestors(organization: Organization) -> list[Organization]:
    """The organization's parent, its parent's parent, and so on (nearest first)."""
    chain: list[Organization] = []
    current = organization
    while current.parent_id is not None and len(chain) < MAX_DEPTH:
        parent = Organization.objects.filter(pk=current.parent_id).first()
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return chain


def access_to(user: AbstractBaseUser | AnonymousUser, organization: Organization) -> Access | None:
    """The user's effective role in ``organization`` (own or inherited), or None."""
    if not user.is_authenticated:
        return None
    chain = [organization, *ancestors(organization)]
    roles = dict(
        Membership.objects.filter(
            user_id=user.pk, organization_id__in=[o.pk for o in chain]
        ).values_list("organization_id", "role")
    )
    best: Access | None = None
    for org in chain:
        if org.pk in roles:
            role = Role(roles[org.pk])
            if best is None or role.rank > best.role.rank:
                inherited = None if org.pk == organization.pk else org
                best = Access(organization, role, inherited)
    return best


def _access(user: AbstractBaseUser | AnonymousUser, org_id: int) -> Access:
    organization = Organization.objects.filter(pk=org_id).first() if user.is_authenticated else None
    access = access_to(user, organization) if organization is not None else None
    if access is None:
        raise Http404(NOT_FOUND)
    return access


def _check(access: Access, minimum_role: Role) -> None:
    if not access.role.allows(minimum_role):
        raise PermissionDenied(
            f"Your role in {access.organization.name} is {access.role.label}; this needs "
            f"{minimum_role.label} or above. Ask an owner of the organization to change it."
        )


def organization_for(
    user: AbstractBaseUser | AnonymousUser, org_id: int, *, minimum_role: Role
) -> Organization:
    """The organization, if ``user`` is a member with at least ``minimum_role``."""
    access = _access(user, org_id)
    _check(access, minimum_role)
    return access.organization


def assessment_for(
    user: AbstractBaseUser | AnonymousUser, assessment_id: int, *, minimum_role: Role
) -> Assessment:
    """The assessment, if ``user`` is a member of its organization with ``minimum_role``."""
    assessment = Assessment.objects.select_related("organization").filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404(NOT_FOUND)
    access = _access(user, assessment.organization_id)
    _check(access, minimum_role)
    assessment.organization = access.organization
    return assessment


Child = TypeVar("Child", bound=models.Model)


def child_of(parent: Organization | Assessment, model: type[Child], pk: object) -> Child:
    """The ``model`` row ``pk`` that belongs to ``parent`` (already scoped), or Http404.

    ``model`` has a foreign key named ``organization`` or ``assessment`` to the parent's kind;
    a row of another organization or assessment is answered exactly as a missing one.
    """
    field = "organization" if isinstance(parent, Organization) else "assessment"
    try:
        found = model._default_manager.filter(**{field: parent, "pk": pk}).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise Http404(NOT_FOUND)
    return found


View = Callable[..., HttpResponse]


def scoped(methods: Mapping[str, Role]) -> Callable[[View], View]:
    """Decorate a view whose URL takes ``org_id`` or ``assessment_id``.

    The view receives ``organization`` or ``assessment`` instead of the id, obtained through
    the functions above with the role ``methods`` names for the request's method. Sign-in comes
    first, then scoping, then the method check: a foreign id is a 404 whatever the method, so
    even a 405 cannot tell anyone that an object exists.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            minimum = methods.get(request.method or "", Role.VIEWER)
            if "org_id" in kwargs:
                org_id = kwargs.pop("org_id")
                kwargs["organization"] = organization_for(
                    request.user, org_id, minimum_role=minimum
                )
            if "assessment_id" in kwargs:
                assessment_id = kwargs.pop("assessment_id")
                kwargs["assessment"] = assessment_for(
                    request.user, assessment_id, minimum_role=minimum
                )
            if request.method not in methods:
                return HttpResponseNotAllowed(list(methods))
            return view(request, **kwargs)

        return login_required(wrapper)

    return decorate
