"""Fixtures of the web tests: users, organizations, assessments and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from hicp.catalog import Tier
from hicp.web.core import services
from hicp.web.core.models import Assessment, Membership, Organization
from hicp.web.core.roles import Role

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "small-clinic.yaml"
PASSWORD = "correct horse battery staple"  # noqa: S105  (test users only)

MakeUser = Callable[..., User]
SignIn = Callable[[User], Client]


@pytest.fixture
def make_user(db: None) -> MakeUser:
    def make(username: str = "alice") -> User:
        return User.objects.create_user(username=username, password=PASSWORD)

    return make


@pytest.fixture
def sign_in() -> SignIn:
    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def owner(make_user: MakeUser) -> User:
    return make_user("olivia-owner")


@pytest.fixture
def organization(owner: User) -> Organization:
    return services.create_organization(owner, "Northside Clinic")


@pytest.fixture
def assessment(owner: User, organization: Organization) -> Assessment:
    return services.create_assessment(
        owner, organization, name="2026 self-assessment", tier=Tier.SMALL
    )


def add_member(user: User, organization: Organization, role: Role) -> Membership:
    return Membership.objects.create(user=user, organization=organization, role=role)


@pytest.fixture(autouse=True)
def _owners_need_no_second_factor_here(settings: Any) -> None:
    """The shared fixtures sign owners in without a device; the tests of two-step sign-in
    (test_mfa.py) switch enrolment back on where they check it."""
    settings.HICP_MFA_ENFORCE_ENROLMENT = False
