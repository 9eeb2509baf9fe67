"""Writes for facilities: adding one to a parent organization, audited in both."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hicp.web.core import services
from hicp.web.core.models import Organization


@transaction.atomic
def add_facility(user: AbstractBaseUser, parent: Organization, name: str) -> Organization:
    """A new facility of ``parent``. Its creator becomes its owner (as for any organization),
    and the parent's audit log records it too, since that is where its people look."""
    facility = services.create_organization(user, name, parent=parent)
    services.audit(
        user,
        parent,
        facility,
        "add facility",
        after={"name": facility.name, "parent": parent.pk},
    )
    return facility
