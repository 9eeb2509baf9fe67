"""Downloads: every report format, and the assessment file out and back in unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hicp import reports
from hicp.web.core import services
from hicp.web.core.downloads import FORMATS
from hicp.web.core.models import Assessment, Organization
from tests.web.conftest import EXAMPLE, SignIn

# How each format's first bytes look, so a mislabelled download cannot pass.
MAGIC = {
    "html": b"<!doctype html>",
    "pdf": b"%PDF",
    "xlsx": b"PK",
    "docx": b"PK",
}


@pytest.fixture
def example(owner: User, organization: Organization) -> Assessment:
    return services.import_yaml(
        owner,
        organization,
        name="Example clinic",
        text=EXAMPLE.read_text(encoding="utf-8"),
        filename=EXAMPLE.name,
    )


def test_every_report_format_of_the_core_can_be_downloaded() -> None:
    assert set(FORMATS) == set(reports.RENDERERS)
    for fmt, (suffix, _) in FORMATS.items():
        assert reports.format_for(Path(f"report{suffix}")) == fmt


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_report_downloads_as_an_attachment_with_its_content_type(
    fmt: str, owner: User, example: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).get(reverse("report-download", args=[example.pk, fmt]))
    suffix, content_type = FORMATS[fmt]
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="example-clinic-{example.pk}{suffix}"'
    )
    assert "sandbox" in response["Content-Security-Policy"]
    body = response.content
    if fmt in MAGIC:
        assert body[:20].lower().startswith(MAGIC[fmt].lower())
    elif fmt in {"json", "oscal"}:
        assert isinstance(json.loads(body), dict)
    else:
        assert "Larkspur Hollow Family Practice" in body.decode()


def test_an_unknown_report_format_is_not_found(
    owner: User, example: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).get(reverse("report-download", args=[example.pk, "exe"]))
    assert response.status_code == 404


def test_exporting_and_importing_the_assessment_file_loses_nothing(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    original = EXAMPLE.read_bytes()
    upload = SimpleUploadedFile("small-clinic.yaml", original, content_type="application/yaml")
    imported = client.post(
        reverse("assessment-import", args=[organization.pk]),
        {"name": "Example clinic", "file": upload},
    )
    assert imported.status_code == 302
    first = Assessment.objects.get(name="Example clinic")

    exported = client.get(reverse("assessment-export", args=[first.pk]))
    assert exported["Content-Type"] == "application/yaml; charset=utf-8"
    assert exported["Content-Disposition"].startswith("attachment;")
    assert exported.content == original

    again = SimpleUploadedFile("again.yaml", exported.content)
    client.post(
        reverse("assessment-import", args=[organization.pk]), {"name": "Again", "file": again}
    )
    assert Assessment.objects.get(name="Again").yaml_text == first.yaml_text


def test_importing_a_broken_file_lists_every_problem_with_its_line(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    broken = EXAMPLE.read_text(encoding="utf-8").replace("tier: small", "tier: tiny", 1)
    broken = broken.replace("status: partial", "status: halfway", 1)
    upload = SimpleUploadedFile("broken.yaml", broken.encode())
    response = sign_in(owner).post(
        reverse("assessment-import", args=[organization.pk]), {"name": "Broken", "file": upload}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "The file was not imported" in text
    assert text.count("<li>Line ") >= 2
    assert not Assessment.objects.filter(name="Broken").exists()
