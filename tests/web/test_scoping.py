"""Tenant isolation: a member of one organization reaches nothing of another, in any view.

The URL patterns are enumerated from the resolver, so a view added later is tested too; a
pattern with a parameter this test does not know fails until the table below learns it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hicp.catalog import Tier
from hicp.web.core import attachment_files, services
from hicp.web.core.models import (
    Assessment,
    Attachment,
    EvidenceJob,
    Invitation,
    Membership,
    Organization,
)
from hicp.web.core.roles import Role
from hicp.web.core.scoping import access_to
from tests.web.conftest import MakeUser, SignIn, add_member

ID_PARAMETERS = {"org_id", "assessment_id"}
# Sample values for the other parameters; a new one must be added here (the test says so).
OTHER_PARAMETERS = {"sub_id": "1.S.A", "fmt": "html", "name": "incident-response-plan"}
# At least this many patterns take an organization or assessment id today.
MINIMUM_PATTERNS = 8


def _patterns(patterns: list[Any], prefix: str = "") -> list[URLPattern]:
    found: list[URLPattern] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if (
                entry.namespace == "api"
            ):  # token-only; tests/web/test_api.py enumerates its operations
                continue
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found += _patterns(entry.url_patterns, namespace)
        else:
            found.append(entry)
    return found


ALL_PATTERNS = _patterns(get_resolver().url_patterns)
SCOPED = [p for p in ALL_PATTERNS if ID_PARAMETERS & set(p.pattern.converters)]


def test_the_enumeration_finds_every_view_that_takes_an_object_id() -> None:
    assert len(SCOPED) >= MINIMUM_PATTERNS
    assert all(p.name for p in ALL_PATTERNS), "name every URL pattern so tests can reverse it"


def _sample_job(assessment: Assessment) -> int:
    if not Assessment.objects.filter(pk=assessment.pk).exists():
        return 10**9
    return EvidenceJob.objects.create(assessment=assessment, original_name="sample.csv").pk


def _sample_attachment(assessment: Assessment) -> int:
    if not Assessment.objects.filter(pk=assessment.pk).exists():
        return 10**9
    # With its file on disk (in the tests' data folder): a download of a missing file is a 404.
    content = b"%PDF-1.4 sample"
    stored_name, path = attachment_files.new_place(assessment.organization_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return Attachment.objects.create(
        assessment=assessment,
        sub_id="1.S.A",
        original_name="policy.pdf",
        stored_name=stored_name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    ).pk


def _sample_member(organization: Organization) -> int:
    membership = Membership.objects.filter(organization_id=organization.pk).first()
    return membership.pk if membership else 10**9


def _sample_invitation(organization: Organization) -> int:
    if not Organization.objects.filter(pk=organization.pk).exists():
        return 10**9
    return Invitation.objects.create(
        organization=organization,
        email="invitee@example.org",
        role=Role.VIEWER,
        digest=f"sample-{organization.pk}",
        expires_at=timezone.now() + dt.timedelta(days=7),
    ).pk


def _kwargs(pattern: URLPattern, organization: Organization, assessment: Assessment) -> dict:
    kwargs: dict[str, Any] = {}
    for name in pattern.pattern.converters:
        if name == "org_id":
            kwargs[name] = organization.pk
        elif name == "assessment_id":
            kwargs[name] = assessment.pk
        elif name == "job_id":  # a job of the assessment in the URL (scoped through it)
            kwargs[name] = _sample_job(assessment)
        elif name == "attachment_id":
            kwargs[name] = _sample_attachment(assessment)
        elif name == "member_id":
            kwargs[name] = _sample_member(organization)
        elif name == "invitation_id":
            kwargs[name] = _sample_invitation(organization)
        elif name in OTHER_PARAMETERS:
            kwargs[name] = OTHER_PARAMETERS[name]
        else:
            pytest.fail(f"{pattern.name}: add a sample value for {name!r} to OTHER_PARAMETERS")
    return kwargs


@pytest.fixture
def org_b(make_user: MakeUser) -> tuple[Organization, Assessment]:
    someone = make_user("bob-other-org")
    organization = services.create_organization(someone, "Other Org B")
    assessment = services.create_assessment(someone, organization, name="B", tier=Tier.SMALL)
    return organization, assessment


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("pattern", SCOPED, ids=[p.name for p in SCOPED])
def test_a_member_of_org_a_gets_404_for_every_object_of_org_b(
    pattern: URLPattern,
    method: str,
    owner: User,
    assessment: Assessment,
    org_b: tuple[Organization, Assessment],
    sign_in: SignIn,
) -> None:
    client = sign_in(owner)  # owner of org A: the highest role there
    foreign = reverse(pattern.name, kwargs=_kwargs(pattern, *org_b))
    before = org_b[1].yaml_text, org_b[1].version

    response = getattr(client, method)(foreign, {"version": 1, "status": "implemented"})

    assert response.status_code == 404, foreign
    assert b"Other Org B" not in response.content
    org_b[1].refresh_from_db()
    assert (org_b[1].yaml_text, org_b[1].version) == before


@pytest.mark.parametrize("pattern", SCOPED, ids=[p.name for p in SCOPED])
def test_the_same_views_answer_a_member_of_the_organization(
    pattern: URLPattern, owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    """Guards the test above: a view that answered 404 to everyone would pass it."""
    own = reverse(pattern.name, kwargs=_kwargs(pattern, assessment.organization, assessment))
    assert sign_in(owner).get(own).status_code in {200, 302}


@pytest.mark.parametrize("pattern", SCOPED, ids=[p.name for p in SCOPED])
def test_an_object_id_that_does_not_exist_is_not_found_either(
    pattern: URLPattern, owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    missing = Organization(pk=10**9), Assessment(pk=10**9)
    url = reverse(pattern.name, kwargs=_kwargs(pattern, *missing))
    assert sign_in(owner).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("assessment-create", {"name": "X", "tier": "small"}),
        ("assessment-import", {"name": "X"}),
    ],
)
def test_a_viewer_or_contributor_cannot_start_or_import_assessments(
    name: str, data: dict, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    for role in (Role.VIEWER, Role.CONTRIBUTOR):
        member = make_user(f"member-{role}")
        add_member(member, organization, role)
        response = sign_in(member).post(reverse(name, args=[organization.pk]), data)
        assert response.status_code == 403
    assert not Assessment.objects.filter(name="X").exists()


def test_a_member_of_a_parent_organization_has_the_same_role_in_its_facilities(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    facility = Organization.objects.create(name="Eastside Clinic", parent=organization)
    clinic_assessment = services.create_assessment(owner, facility, name="E", tier=Tier.SMALL)
    viewer = make_user("vera-viewer")
    add_member(viewer, organization, Role.VIEWER)
    client = sign_in(viewer)

    assert client.get(reverse("organization-dashboard", args=[facility.pk])).status_code == 200
    assert client.get(reverse("assessment-detail", args=[clinic_assessment.pk])).status_code == 200
    answer = reverse("question", args=[clinic_assessment.pk, "1.S.A"])
    assert client.post(answer, {"version": 1, "status": "implemented"}).status_code == 403


def test_a_facility_member_reaches_nothing_of_the_parent_or_sibling_facilities(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    east = Organization.objects.create(name="Eastside Clinic", parent=organization)
    west = Organization.objects.create(name="Westside Clinic", parent=organization)
    clinic_owner = make_user("cora-clinic")
    add_member(clinic_owner, east, Role.OWNER)
    client = sign_in(clinic_owner)

    assert client.get(reverse("organization-dashboard", args=[east.pk])).status_code == 200
    for other in (organization, west):
        assert client.get(reverse("organization-dashboard", args=[other.pk])).status_code == 404


def test_the_higher_of_an_own_and_an_inherited_role_counts(
    organization: Organization, make_user: MakeUser
) -> None:
    facility = Organization.objects.create(name="Eastside Clinic", parent=organization)
    person = make_user("ida-inherits")
    add_member(person, organization, Role.ASSESSOR)
    add_member(person, facility, Role.VIEWER)

    access = access_to(person, facility)
    assert access is not None
    assert access.role == Role.ASSESSOR
    assert access.inherited_from == organization
