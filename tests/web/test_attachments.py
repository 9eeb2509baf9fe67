"""Evidence files on questions: accepted kinds, refusals, safe names, storage, roles, audit."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import Client
from django.urls import reverse

from hicp.catalog import Tier
from hicp.web.core import attachment_files, attachment_services, services
from hicp.web.core.attachment_files import MB, RefusedUpload, UploadCap
from hicp.web.core.models import Assessment, Assignment, Attachment, AuditEntry
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member

SUB = "1.S.A"


@pytest.fixture(autouse=True)
def attachment_root(settings: Any, tmp_path: Path) -> Path:
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.ATTACHMENT_MAX_BYTES = 2 * MB
    return tmp_path / "attachments"


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- sample files of each kind -------------------------------------------------------------


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def word() -> bytes:
    document = docx.Document()
    document.add_paragraph("Access control policy, approved March 2026.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def excel() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Laptop", "Encrypted"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return out.getvalue()


def opendocument(mimetype: str) -> bytes:
    return zipped(
        {
            "mimetype": mimetype.encode(),
            "content.xml": b"<?xml version='1.0'?><office:document-content/>",
            "META-INF/manifest.xml": b"<?xml version='1.0'?><manifest:manifest/>",
        }
    )


WORD_MANIFEST = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ACCEPTED = [
    ("policy.pdf", PDF, "application/pdf"),
    ("screenshot.png", png(), "image/png"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(64) + b"\xff\xd9", "image/jpeg"),
    ("diagram.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    (
        "policy.docx",
        word(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "inventory.xlsx",
        excel(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "plan.odt",
        opendocument("application/vnd.oasis.opendocument.text"),
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "assets.ods",
        opendocument("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    ("assets.csv", "device,owner\nLaptop 1,Zoë\n".encode(), "text/csv; charset=utf-8"),
    ("notes.txt", "Backups tested on 3 May — all fine.\n".encode(), "text/plain; charset=utf-8"),
]

REFUSED = [
    ("html-as-pdf", "policy.pdf", b"<!doctype html><script>alert(1)</script>", "not a kind"),
    ("svg", "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "SVG"),
    ("svg-as-png", "logo.png", b'<?xml version="1.0"?><svg/>', "not a kind"),
    ("exe", "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "programs"),
    ("wrong-extension", "report.docx", PDF, "it is a PDF document"),
    ("zip-not-docx", "policy.docx", zipped({"readme.txt": b"hello"}), "not a kind"),
    (
        "docx-with-macros",
        "policy.docx",
        zipped(
            {
                "[Content_Types].xml": WORD_MANIFEST,
                "word/document.xml": b"<w/>",
                "word/vbaProject.bin": b"\x00",
            }
        ),
        "not a kind",
    ),
    ("plain-zip", "evidence.zip", zipped({"a.pdf": PDF}), "archives"),
    ("script", "backup.sh", b"#!/bin/sh\nrm -rf /\n", "scripts"),
    (
        "old-word",
        "policy.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "save it as .docx",
    ),
    ("not-utf8", "notes.txt", "Café notes".encode("latin-1"), "UTF-8"),
]


def upload_url(assessment: Assessment, sub_id: str = SUB) -> str:
    return reverse("attachment-upload", args=[assessment.pk, sub_id])


def upload(
    client: Client,
    assessment: Assessment,
    name: str,
    data: bytes,
    content_type: str = "application/octet-stream",
) -> Any:
    file = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(upload_url(assessment), {"file": file})


def download(client: Client, attachment: Attachment) -> Any:
    url = reverse("attachment-download", args=[attachment.assessment_id, attachment.pk])
    return client.get(url)


# --- accepted files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "sent_type"), ACCEPTED, ids=[name for name, _, _ in ACCEPTED]
)
def test_an_accepted_file_comes_back_byte_for_byte_as_a_download(
    name: str,
    data: bytes,
    sent_type: str,
    owner: User,
    assessment: Assessment,
    sign_in: SignIn,
    attachment_root: Path,
) -> None:
    client = sign_in(owner)
    # The browser's claim is ignored: the kind comes from the content.
    response = upload(client, assessment, name, data, content_type="text/html")

    assert response.status_code == 302
    assert response["Location"].endswith(f"/questions/{SUB}/#attachments")
    attachment = Attachment.objects.get(assessment=assessment)
    fetched = download(client, attachment)
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == data
    assert fetched["Content-Type"] == sent_type
    assert fetched["Content-Disposition"] == f'attachment; filename="{name}"'
    assert fetched["X-Content-Type-Options"] == "nosniff"
    assert fetched["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.size == len(data)
    assert files_in(attachment_root) == [
        attachment_root / str(assessment.organization_id) / attachment.stored_name
    ]


def test_kept_files_and_folders_are_private_to_the_server(
    owner: User, assessment: Assessment, sign_in: SignIn, attachment_root: Path
) -> None:
    upload(sign_in(owner), assessment, "policy.pdf", PDF)

    (path,) = files_in(attachment_root)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert attachment_root.stat().st_mode & 0o777 == 0o700


def test_a_name_without_an_extension_gets_the_one_of_its_content(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    upload(sign_in(owner), assessment, "scan", png())
    assert Attachment.objects.get().original_name == "scan.png"


def test_the_question_page_lists_the_files_and_offers_the_upload_form(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    upload(client, assessment, "policy.pdf", PDF)
    attachment = Attachment.objects.get()

    page = client.get(reverse("question", args=[assessment.pk, SUB])).content.decode()

    assert "Evidence files" in page
    assert reverse("attachment-download", args=[assessment.pk, attachment.pk]) in page
    assert "policy.pdf" in page and "added by olivia-owner" in page
    assert reverse("attachment-delete", args=[assessment.pk, attachment.pk]) in page
    assert 'enctype="multipart/form-data"' in page
    assert "PDF, Word, Excel, pictures (PNG, JPEG or GIF), CSV or text files, up to 2 MB" in page


def test_a_viewer_sees_the_files_but_no_form_and_no_remove_link(
    owner: User,
    assessment: Assessment,
    make_user: MakeUser,
    sign_in: SignIn,
) -> None:
    upload(sign_in(owner), assessment, "policy.pdf", PDF)
    viewer = make_user("vera-viewer")
    add_member(viewer, assessment.organization, Role.VIEWER)

    page = sign_in(viewer).get(reverse("question", args=[assessment.pk, SUB])).content.decode()

    assert "policy.pdf" in page
    assert 'enctype="multipart/form-data"' not in page
    assert "/delete/" not in page


def test_the_same_file_twice_on_one_question_is_kept_once(
    owner: User, assessment: Assessment, sign_in: SignIn, attachment_root: Path
) -> None:
    client = sign_in(owner)
    upload(client, assessment, "policy.pdf", PDF)
    response = upload(client, assessment, "policy-copy.pdf", PDF)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "“policy.pdf” is already attached to this question." in page
    assert Attachment.objects.count() == 1
    assert len(files_in(attachment_root)) == 1


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "says"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_a_file_that_is_not_an_accepted_kind_is_refused_and_nothing_is_kept(
    name: str,
    data: bytes,
    says: str,
    owner: User,
    assessment: Assessment,
    sign_in: SignIn,
    attachment_root: Path,
) -> None:
    response = upload(sign_in(owner), assessment, name, data, content_type="application/pdf")

    assert response.status_code == 415
    page = response.content.decode()
    assert says in page
    assert "File to attach" in page  # the message sits with the field it is about
    assert not Attachment.objects.exists()
    assert files_in(attachment_root) == []
    assert not AuditEntry.objects.filter(object_type="attachment").exists()


def test_the_refusal_of_an_unknown_kind_lists_what_is_accepted(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = upload(sign_in(owner), assessment, "page.html", b"<html></html>")
    assert attachment_files.ACCEPTED_IN_WORDS in response.content.decode()


def test_a_file_over_the_limit_is_refused_with_the_limit_and_nothing_is_kept(
    owner: User, assessment: Assessment, sign_in: SignIn, attachment_root: Path, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1 * MB

    response = upload(sign_in(owner), assessment, "big.pdf", PDF + bytes(MB))

    assert response.status_code == 413
    assert "larger than the limit of 1 MB" in response.content.decode()
    assert not Attachment.objects.exists()
    assert files_in(attachment_root) == []


def test_a_file_of_exactly_the_limit_is_kept(
    owner: User, assessment: Assessment, sign_in: SignIn, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1 * MB
    data = PDF + bytes(MB - len(PDF))

    assert upload(sign_in(owner), assessment, "big.pdf", data).status_code == 302
    assert Attachment.objects.get().size == MB


def test_the_size_check_counts_the_bytes_received_not_what_the_upload_claims(
    owner: User, assessment: Assessment, attachment_root: Path, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100
    file = SimpleUploadedFile("policy.pdf", PDF + bytes(200))
    file.size = 10  # a client's claim

    with pytest.raises(RefusedUpload) as refused:
        attachment_services.attach(owner, assessment, SUB, file)

    assert refused.value.status == 413
    assert files_in(attachment_root) == []


def test_the_upload_cap_stops_reading_once_the_files_pass_the_limit() -> None:
    cap = UploadCap(100)
    assert cap.receive_data_chunk(bytes(60), 0) == bytes(60)
    with pytest.raises(StopUpload):
        cap.receive_data_chunk(bytes(60), 60)
    assert cap.exceeded


def test_an_empty_form_is_refused_naming_the_field(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    response = sign_in(owner).post(upload_url(assessment), {})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_a_question_that_is_not_in_the_assessment_is_not_found(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    outside = upload_url(assessment, "1.L.A")  # a large-tier question; this one is small
    assert client.get(outside).status_code == 404
    file = SimpleUploadedFile("policy.pdf", PDF)
    assert client.post(outside, {"file": file}).status_code == 404
    assert not Attachment.objects.exists()


def test_a_failed_database_write_leaves_no_file_behind(
    owner: User,
    assessment: Assessment,
    attachment_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_rename(received: Any, final: Path) -> None:
        received.path.replace(final)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(attachment_files, "keep", broken_rename)

    with pytest.raises(RuntimeError):
        attachment_services.attach(owner, assessment, SUB, SimpleUploadedFile("a.pdf", PDF))

    assert files_in(attachment_root) == []
    assert not Attachment.objects.exists()


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("<script>.pdf", "script.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override removed
        ("report\x00\r\n.pdf", "report.pdf"),
        ('a "quoted": name?.txt', "a quoted name.txt"),
        (" .hidden.txt ", "hidden.txt"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_names_are_cleaned_for_display_and_download(raw: str | None, clean: str) -> None:
    assert attachment_files.clean_name(raw) == clean


@pytest.mark.parametrize("name", ["../../etc/passwd", "<script>.pdf"])
def test_a_hostile_name_is_stored_under_a_random_name_and_downloaded_clean(
    name: str, owner: User, assessment: Assessment, sign_in: SignIn, attachment_root: Path
) -> None:
    client = sign_in(owner)
    data = PDF if name.endswith(".pdf") else b"root:x:0:0:root:/root:/bin/sh\n"
    boundary = "hicp-test-boundary"
    # Sent as a browser would, path and all (Django's test client would strip the path).
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        upload_url(assessment), body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert len(attachment.stored_name) == 32 and int(attachment.stored_name, 16) >= 0
    assert files_in(attachment_root) == [
        attachment_root / str(assessment.organization_id) / attachment.stored_name
    ]
    expected = "script.pdf" if name.endswith(".pdf") else "passwd.txt"
    assert attachment.original_name == expected
    fetched = download(client, attachment)
    assert fetched["Content-Disposition"] == f'attachment; filename="{expected}"'
    page = client.get(reverse("question", args=[assessment.pk, SUB])).content.decode()
    assert "<script>" not in page


def test_a_name_with_other_than_ascii_characters_downloads_with_both_name_forms() -> None:
    value = attachment_files.disposition("Prüfbericht 2026.pdf")
    assert value == (
        'attachment; filename="Prufbericht 2026.pdf"; '
        "filename*=UTF-8''Pr%C3%BCfbericht%202026.pdf"
    )
    assert attachment_files.disposition("日本.pdf").startswith('attachment; filename="file.pdf"')


# --- roles and scoping ---------------------------------------------------------------------


@pytest.fixture
def contributor(make_user: MakeUser, assessment: Assessment) -> User:
    """A contributor to whom the question the files go on is assigned."""
    user = make_user("carl-contributor")
    add_member(user, assessment.organization, Role.CONTRIBUTOR)
    Assignment.objects.create(assessment=assessment, sub_id=SUB, user=user)
    return user


def test_a_contributor_attaches_files_only_to_the_questions_assigned_to_them(
    contributor: User, assessment: Assessment, sign_in: SignIn, attachment_root: Path
) -> None:
    client = sign_in(contributor)
    other_question = "1.S.B"

    refused = client.post(
        upload_url(assessment, other_question),
        {"file": SimpleUploadedFile("policy.pdf", PDF)},
    )
    page = client.get(reverse("question", args=[assessment.pk, other_question])).content.decode()

    assert refused.status_code == 403
    assert "not assigned to you" in refused.content.decode()
    assert files_in(attachment_root) == []
    assert 'enctype="multipart/form-data"' not in page
    assert upload(client, assessment, "policy.pdf", PDF).status_code == 302


def _uploaded_by(user: User, assessment: Assessment, sign_in: SignIn) -> Attachment:
    assert upload(sign_in(user), assessment, "policy.pdf", PDF).status_code == 302
    return Attachment.objects.get(assessment=assessment)


def delete_url(attachment: Attachment) -> str:
    return reverse("attachment-delete", args=[attachment.assessment_id, attachment.pk])


def test_a_viewer_can_download_but_not_upload_or_remove(
    owner: User,
    assessment: Assessment,
    make_user: MakeUser,
    sign_in: SignIn,
    attachment_root: Path,
) -> None:
    attachment = _uploaded_by(owner, assessment, sign_in)
    viewer = make_user("vera-viewer")
    add_member(viewer, assessment.organization, Role.VIEWER)
    client = sign_in(viewer)

    assert download(client, attachment).status_code == 200
    assert client.get(upload_url(assessment)).status_code == 200
    file = SimpleUploadedFile("other.pdf", PDF + b"%other")
    assert client.post(upload_url(assessment), {"file": file}).status_code == 403
    assert client.get(delete_url(attachment)).status_code == 403
    assert client.post(delete_url(attachment)).status_code == 403
    assert Attachment.objects.count() == 1
    assert len(files_in(attachment_root)) == 1


def test_the_uploader_can_remove_their_file_and_it_leaves_the_disk(
    contributor: User,
    assessment: Assessment,
    sign_in: SignIn,
    attachment_root: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    attachment = _uploaded_by(contributor, assessment, sign_in)
    client = sign_in(contributor)
    assert "Remove “policy.pdf”?" in client.get(delete_url(attachment)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(attachment))

    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert files_in(attachment_root) == []


def test_the_file_stays_on_disk_until_the_removal_is_committed(
    contributor: User,
    assessment: Assessment,
    sign_in: SignIn,
    attachment_root: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    attachment = _uploaded_by(contributor, assessment, sign_in)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign_in(contributor).post(delete_url(attachment))

    assert len(files_in(attachment_root)) == 1
    callbacks[0]()
    assert files_in(attachment_root) == []


def test_another_contributor_cannot_remove_someone_elses_file(
    contributor: User,
    assessment: Assessment,
    make_user: MakeUser,
    sign_in: SignIn,
) -> None:
    attachment = _uploaded_by(contributor, assessment, sign_in)
    other = make_user("cora-contributor")
    add_member(other, assessment.organization, Role.CONTRIBUTOR)

    response = sign_in(other).post(delete_url(attachment))

    assert response.status_code == 403
    assert "Only the person who attached this file" in response.content.decode()
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_an_assessor_can_remove_anyones_file(
    contributor: User,
    assessment: Assessment,
    make_user: MakeUser,
    sign_in: SignIn,
) -> None:
    attachment = _uploaded_by(contributor, assessment, sign_in)
    assessor = make_user("ada-assessor")
    add_member(assessor, assessment.organization, Role.ASSESSOR)

    assert sign_in(assessor).post(delete_url(attachment)).status_code == 302
    assert not Attachment.objects.exists()


def test_an_attachment_of_another_assessment_is_not_found_under_this_one(
    owner: User,
    assessment: Assessment,
    make_user: MakeUser,
    sign_in: SignIn,
) -> None:
    second = services.create_assessment(
        owner, assessment.organization, name="2027", tier=Tier.SMALL
    )
    attachment = _uploaded_by(owner, second, sign_in)
    someone = make_user("bob-other-org")
    other_org = services.create_organization(someone, "Other Org B")
    foreign_assessment = services.create_assessment(someone, other_org, name="B", tier=Tier.SMALL)
    foreign = _uploaded_by(someone, foreign_assessment, sign_in)
    client = sign_in(owner)

    for row in (attachment, foreign):
        download_url = reverse("attachment-download", args=[assessment.pk, row.pk])
        remove_url = reverse("attachment-delete", args=[assessment.pk, row.pk])
        assert client.get(download_url).status_code == 404
        assert client.get(remove_url).status_code == 404
        assert client.post(remove_url).status_code == 404
    assert Attachment.objects.count() == 2


def test_a_file_missing_from_disk_is_a_plain_not_found(
    owner: User, assessment: Assessment, sign_in: SignIn, attachment_root: Path
) -> None:
    attachment = _uploaded_by(owner, assessment, sign_in)
    for path in files_in(attachment_root):
        path.unlink()

    response = download(sign_in(owner), attachment)

    assert response.status_code == 404
    assert "This file is missing" in response.content.decode()


# --- audit ---------------------------------------------------------------------------------


def test_uploads_and_removals_are_audited(
    owner: User,
    assessment: Assessment,
    sign_in: SignIn,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    attachment = _uploaded_by(owner, assessment, sign_in)
    digest = hashlib.sha256(PDF).hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(owner).post(delete_url(attachment))

    entries = AuditEntry.objects.filter(object_type="attachment", object_id=str(attachment.pk))
    added, removed = entries.get(action="upload"), entries.get(action="delete")
    assert added.user == owner and removed.user == owner
    assert added.after == {
        "name": "policy.pdf",
        "size": len(PDF),
        "sha256": digest,
        "content_type": "application/pdf",
        "sub_id": SUB,
    }
    assert removed.before == {
        "name": "policy.pdf",
        "sha256": digest,
        "size": len(PDF),
        "sub_id": SUB,
    }


def test_uploads_need_the_forms_csrf_token_and_a_big_one_still_gets_the_size_message(
    owner: User, assessment: Assessment, settings: Any, attachment_root: Path
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1 * MB
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get(reverse("question", args=[assessment.pk, SUB]))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    def send(data: bytes, with_token: bool) -> Any:
        fields: dict[str, Any] = {"csrfmiddlewaretoken": token} if with_token else {}
        fields["file"] = SimpleUploadedFile("policy.pdf", data)  # after the token, as browsers
        return client.post(upload_url(assessment), fields)

    assert send(PDF, with_token=False).status_code == 403
    too_big = send(PDF + bytes(MB), with_token=True)
    assert too_big.status_code == 413
    assert "larger than the limit of 1 MB" in too_big.content.decode()
    assert files_in(attachment_root) == []
    assert send(PDF, with_token=True).status_code == 302
    assert Attachment.objects.count() == 1
