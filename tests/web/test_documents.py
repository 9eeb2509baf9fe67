"""Tailored documents in the web app: the list, each download, and recording an adoption."""

from __future__ import annotations

import io

import docx
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hicp.assessment.store import parse
from hicp.catalog import default_catalog
from hicp.documents.registry import documents
from hicp.web.core.downloads import FORMATS
from hicp.web.core.models import Assessment, AuditEntry
from hicp.web.core.roles import Role
from hicp.web.core.services import document_path
from tests.web.conftest import MakeUser, SignIn, add_member

NAME = "incident-response-plan"
KEPT_AT = "https://intranet.example/policies/incident-response.docx"
MAGIC = {"pdf": b"%PDF", "docx": b"PK", "xlsx": b"PK"}


def _adopt(client: Client, assessment: Assessment, kept_at: str = KEPT_AT) -> object:
    assessment.refresh_from_db()
    return client.post(
        reverse("document-adopt", args=[assessment.pk, NAME]),
        {"version": assessment.version, "kept_at": kept_at},
    )


def _evidence(assessment: Assessment) -> dict[str, tuple[str, ...]]:
    assessment.refresh_from_db()
    loaded = parse(assessment.yaml_text, document_path(assessment), default_catalog())
    return {sub: loaded.assessment.answer(sub).evidence for sub in documents()[NAME].supports}


def test_the_list_shows_every_document_of_the_registry_with_its_downloads(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).get(reverse("document-list", args=[assessment.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for info in documents().values():
        assert info.title in page
        for fmt in info.formats:
            assert reverse("document-download", args=[assessment.pk, info.name, fmt]) in page


def test_the_assessment_page_links_to_the_documents(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).get(reverse("assessment-detail", args=[assessment.pk]))
    assert reverse("document-list", args=[assessment.pk]) in response.content.decode()


DOWNLOADS = [(NAME, fmt) for fmt in documents()[NAME].formats] + [("asset-inventory", "xlsx")]


@pytest.mark.parametrize(("name", "fmt"), DOWNLOADS)
def test_a_document_downloads_as_an_attachment_with_its_content_type(
    name: str, fmt: str, make_user: MakeUser, assessment: Assessment, sign_in: SignIn
) -> None:
    viewer = make_user("vera-viewer")
    add_member(viewer, assessment.organization, Role.VIEWER)

    response = sign_in(viewer).get(reverse("document-download", args=[assessment.pk, name, fmt]))

    suffix, content_type = FORMATS[fmt]
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="2026-self-assessment-{assessment.pk}-{name}{suffix}"'
    )
    assert "sandbox" in response["Content-Security-Policy"]
    if fmt in MAGIC:
        assert response.content.startswith(MAGIC[fmt])


def test_the_word_copy_opens_and_names_the_organization(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).get(reverse("document-download", args=[assessment.pk, NAME, "docx"]))

    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Northside Clinic" in text


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("no-such-document", "docx"), (NAME, "exe"), (NAME, "xlsx"), ("asset-inventory", "pdf")],
)
def test_an_unknown_document_or_format_is_not_found(
    name: str, fmt: str, owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    assert (
        client.get(reverse("document-download", args=[assessment.pk, name, fmt])).status_code == 404
    )


def test_adopting_an_unknown_document_is_not_found(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    url = reverse("document-adopt", args=[assessment.pk, "no-such-document"])
    response = sign_in(owner).post(url, {"version": assessment.version, "kept_at": KEPT_AT})
    assert response.status_code == 404


def test_adopting_records_the_copy_as_evidence_and_audits_it(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = _adopt(sign_in(owner), assessment)

    assert response.status_code == 200
    evidence = _evidence(assessment)
    recorded = [sub for sub, entries in evidence.items() if any(KEPT_AT in e for e in entries)]
    assert recorded, "at least one supported sub-practice is in scope of a small assessment"
    assert f"Recorded as evidence for {len(recorded)} sub-practice" in response.content.decode()
    entry = AuditEntry.objects.get(action="adopt_document")
    assert entry.user == owner
    assert entry.object_id == str(assessment.pk)
    assert entry.after is not None
    assert sorted(entry.after["sub_practices"]) == sorted(recorded)


def test_adopting_the_same_copy_twice_changes_nothing_the_second_time(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    _adopt(client, assessment)
    assessment.refresh_from_db()
    before = assessment.yaml_text, assessment.version

    response = _adopt(client, assessment)

    assert response.status_code == 200
    assert "Nothing changed" in response.content.decode()
    assessment.refresh_from_db()
    assert (assessment.yaml_text, assessment.version) == before
    assert AuditEntry.objects.filter(action="adopt_document").count() == 1


def test_adopting_with_a_stale_version_records_nothing(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    url = reverse("document-adopt", args=[assessment.pk, NAME])
    before = assessment.yaml_text
    stale = assessment.version - 1

    response = sign_in(owner).post(url, {"version": stale, "kept_at": KEPT_AT})

    assert response.status_code == 409
    assessment.refresh_from_db()
    assert assessment.yaml_text == before


@pytest.mark.parametrize("kept_at", ["", "x" * 501, "policies.docx\n  - forged evidence", "a\x00b"])
def test_a_missing_overlong_or_multi_line_place_is_refused(
    kept_at: str, owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    before = assessment.yaml_text

    response = _adopt(sign_in(owner), assessment, kept_at)

    assert response.status_code == 422
    assessment.refresh_from_db()
    assert assessment.yaml_text == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_a_member_below_assessor_cannot_adopt(
    role: Role, make_user: MakeUser, assessment: Assessment, sign_in: SignIn
) -> None:
    member = make_user("low-role")
    add_member(member, assessment.organization, role)
    before = assessment.yaml_text

    response = _adopt(sign_in(member), assessment)

    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.yaml_text == before


def test_a_viewer_does_not_see_the_adopt_link(
    make_user: MakeUser, assessment: Assessment, sign_in: SignIn
) -> None:
    viewer = make_user("vera-viewer")
    add_member(viewer, assessment.organization, Role.VIEWER)
    response = sign_in(viewer).get(reverse("document-list", args=[assessment.pk]))
    assert reverse("document-adopt", args=[assessment.pk, NAME]) not in response.content.decode()


def test_adopting_needs_the_csrf_token(owner: User, assessment: Assessment) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    before = assessment.yaml_text

    response = client.post(
        reverse("document-adopt", args=[assessment.pk, NAME]),
        {"version": assessment.version, "kept_at": KEPT_AT},
    )

    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.yaml_text == before
