"""The one place that decides whether a user may reach an organization or an assessment.

Every view obtains organizations and assessments only through these functions, by way of the
``scoped`` decorator at the end. The rules:
- not a member of the object's organization, or no such object: Http404, the same answer for
  both, so nobody can learn that another organization's object exists;
- a member whose role is too low for the action: PermissionDenied (403), since they can
  already see the object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from hicp.web.core.models import Assessment, Membership, Organization
from hicp.web.core.roles import Role

NOT_FOUND = "No such page, or it belongs to an organization you are not a member of."


def _membership(user: AbstractBaseUser | AnonymousUser, org_id: int) -> Membership:
    if not user.is_authenticated:
        raise Http404(NOT_FOUND)
    membership = (
        Membership.objects.select_related("organization")
        .filter(user_id=user.pk, organization_id=org_id)
        .first()
    )
    if membership is None:
        raise Http404(NOT_FOUND)
    return membership


def _check(membership: Membership, minimum_role: Role) -> None:
    role = Role(membership.role)
    if not role.allows(minimum_role):
        raise PermissionDenied(
            f"Your role in {membership.organization.name} is {role.label}; this needs "
            f"{minimum_role.label} or above. Ask an owner of the organization to change it."
        )


def organization_for(
    user: AbstractBaseUser | AnonymousUser, org_id: int, *, minimum_role: Role
) -> Organization:
    """The organization, if ``user`` is a member with at least ``minimum_role``."""
    membership = _membership(user, org_id)
    _check(membership, minimum_role)
    return membership.organization


def assessment_for(
    user: AbstractBaseUser | AnonymousUser, assessment_id: int, *, minimum_role: Role
) -> Assessment:
    """The assessment, if ``user`` is a member of its organization with ``minimum_role``."""
    assessment = Assessment.objects.select_related("organization").filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404(NOT_FOUND)
    _check(_membership(user, assessment.organization_id), minimum_role)
    return assessment


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
