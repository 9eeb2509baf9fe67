"""Evidence imports in the web app: upload, background job, evidence page, limits and roles."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hicp.catalog import Tier
from hicp.evidence.store import EvidenceStore
from hicp.web.core import evidence_jobs, services
from hicp.web.core.models import Assessment, AuditEntry, EvidenceJob
from hicp.web.core.roles import Role
from tests.web.conftest import ROOT, MakeUser, SignIn, add_member

FIXTURES = ROOT / "tests" / "fixtures"
ASSETS = FIXTURES / "inventory" / "assets.csv"
SCAN = FIXTURES / "nessus" / "clinic_scan.nessus"
TRUNCATED = FIXTURES / "nessus" / "truncated.nessus"


@pytest.fixture(autouse=True)
def evidence_settings(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.EVIDENCE_JOBS_INLINE = True
    return tmp_path


def _upload(client: Client, assessment: Assessment, path: Path, kind: str = "") -> Any:
    file = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(
        reverse("evidence-upload", args=[assessment.pk]), {"file": file, "kind": kind}
    )


@pytest.mark.parametrize("fixture", [ASSETS, SCAN], ids=["inventory", "nessus"])
def test_an_uploaded_file_is_imported_and_its_records_counted(
    fixture: Path, owner: User, assessment: Assessment, sign_in: SignIn, tmp_path: Path
) -> None:
    client = sign_in(owner)
    response = _upload(client, assessment, fixture)

    job = EvidenceJob.objects.get(assessment=assessment)
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence-job", args=[assessment.pk, job.pk])
    assert job.status == EvidenceJob.Status.DONE, job.message
    assert job.records and job.records > 0
    assert job.original_name == fixture.name
    assert job.bytes_done == job.bytes_total == fixture.stat().st_size
    assert evidence_jobs.store_path(assessment).exists()
    assert list((tmp_path / "evidence" / "uploads").iterdir()) == []  # upload deleted


def test_the_evidence_page_shows_rule_results_after_an_import(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    _upload(client, assessment, ASSETS)
    _upload(client, assessment, SCAN)

    page = client.get(reverse("evidence", args=[assessment.pk])).content.decode()

    assert "What the evidence shows" in page
    assert "clinic_scan.nessus" in page and "assets.csv" in page
    report = evidence_jobs.report_of(assessment)
    assert report is not None and report.rules
    rule = report.rules[0]
    assert rule.title in page
    assert f"{rule.total - rule.bad} of {rule.total} ({round(rule.share * 100)}%)" in page


def test_the_evidence_page_explains_how_to_import_when_there_is_none(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    page = sign_in(owner).get(reverse("evidence", args=[assessment.pk])).content.decode()
    assert "No evidence has been imported" in page
    assert reverse("evidence-upload", args=[assessment.pk]) in page


def test_the_assessment_page_links_to_the_evidence(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    page = sign_in(owner).get(reverse("assessment-detail", args=[assessment.pk]))
    assert reverse("evidence", args=[assessment.pk]).encode() in page.content


def test_a_broken_file_fails_the_job_with_the_core_message_and_stores_nothing(
    owner: User, assessment: Assessment, sign_in: SignIn, tmp_path: Path
) -> None:
    client = sign_in(owner)
    _upload(client, assessment, TRUNCATED, kind="nessus")

    job = EvidenceJob.objects.get(assessment=assessment)
    assert job.status == EvidenceJob.Status.FAILED
    assert job.message
    assert "truncated.nessus" in job.message  # the user's name, not the random upload name
    assert evidence_jobs.report_of(assessment) is None
    assert list((tmp_path / "evidence" / "uploads").iterdir()) == []
    page = client.get(reverse("evidence-job", args=[assessment.pk, job.pk])).content.decode()
    assert "Failed" in page and "hx-trigger" not in page


def test_an_upload_over_the_limit_is_refused_and_nothing_is_queued(
    settings: Any, owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    settings.EVIDENCE_UPLOAD_MAX_BYTES = 100
    response = _upload(sign_in(owner), assessment, ASSETS)
    assert response.status_code == 413
    assert b"larger than the limit" in response.content
    assert not EvidenceJob.objects.exists()


def test_the_upload_is_saved_under_a_random_name_not_the_users(
    owner: User, assessment: Assessment
) -> None:
    file = SimpleUploadedFile("../../etc/passwd", b"name,type\nx,server\n")
    job = evidence_jobs.start_import(owner, assessment, file, inline=False)
    uploads = list((evidence_jobs.evidence_dir() / "uploads").iterdir())
    assert job.original_name == "passwd"
    assert len(uploads) == 1 and "passwd" not in uploads[0].name


def test_a_queued_job_is_run_to_done_by_the_function_the_thread_runs(
    owner: User, assessment: Assessment
) -> None:
    file = SimpleUploadedFile("assets.csv", ASSETS.read_bytes())
    job = evidence_jobs.start_import(owner, assessment, file, inline=False)
    path = next((evidence_jobs.evidence_dir() / "uploads").iterdir())
    evidence_jobs.run_job(job.pk, path)  # what the thread runs
    job.refresh_from_db()
    assert job.status == EvidenceJob.Status.DONE
    assert job.finished_at is not None


def test_a_running_job_page_polls_and_a_finished_one_stops(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    job = EvidenceJob.objects.create(
        assessment=assessment, original_name="a.csv", status="running", bytes_total=10
    )
    client = sign_in(owner)
    url = reverse("evidence-job", args=[assessment.pk, job.pk])
    running = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in running and "<progress" in running
    assert "<html" not in running  # the partial only

    EvidenceJob.objects.filter(pk=job.pk).update(status="done", records=3)
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "3 records" in done


def test_each_import_is_audited(owner: User, assessment: Assessment, sign_in: SignIn) -> None:
    _upload(sign_in(owner), assessment, ASSETS)
    entry = AuditEntry.objects.get(action="evidence_import")
    job = EvidenceJob.objects.get()
    assert entry.user == owner
    assert entry.object_id == str(assessment.pk)
    assert entry.after == {
        "kind": "inventory",
        "file_name": "assets.csv",
        "records": job.records,
        "status": "done",
    }


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_a_viewer_or_contributor_cannot_upload_evidence(
    role: Role, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    member = make_user(f"member-{role}")
    add_member(member, assessment.organization, role)
    client = sign_in(member)
    assert _upload(client, assessment, ASSETS).status_code == 403
    assert client.get(reverse("evidence", args=[assessment.pk])).status_code == 200
    assert not EvidenceJob.objects.exists()


def test_a_job_of_another_organization_is_not_found_through_an_own_assessment(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    other = make_user("bob-other-org")
    org_b = services.create_organization(other, "Other Org B")
    foreign = services.create_assessment(other, org_b, name="B", tier=Tier.SMALL)
    job = EvidenceJob.objects.create(assessment=foreign, original_name="secret-scan.nessus")

    response = sign_in(owner).get(reverse("evidence-job", args=[assessment.pk, job.pk]))

    assert response.status_code == 404
    assert b"secret-scan" not in response.content


def test_imports_a_stopped_server_left_running_are_marked_failed(
    assessment: Assessment, owner: User
) -> None:
    uploads = evidence_jobs.evidence_dir() / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "leftover").write_text("x")
    running = EvidenceJob.objects.create(
        assessment=assessment,
        user=owner,
        kind="nessus",
        original_name="scan.nessus",
        status=EvidenceJob.Status.RUNNING,
    )
    assert evidence_jobs.fail_interrupted_jobs() == 1
    running.refresh_from_db()
    assert running.status == EvidenceJob.Status.FAILED
    assert "Import the file again" in running.message
    assert not (uploads / "leftover").exists()


def test_two_imports_into_one_assessment_at_once_both_succeed_one_after_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two people importing at the same moment: the second waits instead of failing with
    SQLite's "database is locked"."""
    inside: list[str] = []
    overlaps: list[str] = []
    real_store = EvidenceStore.store

    def slow_store(self: EvidenceStore, *args: Any, **kwargs: Any) -> Any:
        if inside:
            overlaps.append("two imports wrote at once")
        inside.append("x")
        time.sleep(0.3)
        try:
            return real_store(self, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(EvidenceStore, "store", slow_store)
    target = tmp_path / "assessment-1.evidence.db"
    results: list[Any] = []

    def run(path: Path, kind: str) -> None:
        results.append(evidence_jobs.import_into_store(1, target, path, kind, lambda _: None))

    threads = [
        threading.Thread(target=run, args=(ASSETS, "inventory")),
        threading.Thread(target=run, args=(SCAN, "nessus")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert overlaps == []
    assert sorted(r.records > 0 for r in results) == [True, True]


def test_the_same_file_is_skipped_the_second_time_unless_asked_to_import_it_again(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    _upload(client, assessment, ASSETS)
    _upload(client, assessment, ASSETS)
    file = SimpleUploadedFile(ASSETS.name, ASSETS.read_bytes())
    client.post(
        reverse("evidence-upload", args=[assessment.pk]), {"file": file, "kind": "", "again": "on"}
    )

    first, skipped, again = EvidenceJob.objects.order_by("id")
    assert first.records and first.records > 0
    assert skipped.records == 0
    assert "Import it again" in skipped.message
    assert again.again and again.records == first.records
    assert again.message == f"Imported {first.records} records."


def test_one_scan_shows_the_fix_time_rules_as_not_measured_with_why(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    _upload(client, assessment, SCAN)
    page = client.get(reverse("evidence", args=[assessment.pk])).content.decode()
    row = page[page.index("Critical findings are fixed within 30 days") :]
    row = row[: row.index("</tr>")]
    assert "Not measured" in row and "scanned on one date only" in row
