"""Evidence imports of web assessments: the upload, the background job and the evidence report.

The evidence store of a web assessment is the core's SQLite store at
DATA_DIR/evidence/assessment-<id>.evidence.db. An upload is saved under a random name in
DATA_DIR/evidence/uploads (never the user's file name, never served back), imported by a
daemon thread that records its progress on the EvidenceJob row a few times a second, and
deleted when the job finishes. Setting EVIDENCE_JOBS_INLINE (or ``inline=True``) runs the job
in the request instead, so tests are deterministic.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from hicp.catalog import default_catalog
from hicp.errors import HicpError
from hicp.evidence.base import REGISTRY, detect, importer
from hicp.evidence.evaluate import EvidenceReport, evaluate_file
from hicp.evidence.store import EvidenceStore, ImportResult
from hicp.web.core import scoping, selectors
from hicp.web.core.models import Assessment, EvidenceJob
from hicp.web.core.roles import Role
from hicp.web.core.services import audit

DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # override with settings.EVIDENCE_UPLOAD_MAX_BYTES
PROGRESS_INTERVAL = 0.3  # seconds between progress writes: a few per second at most
KINDS = tuple(REGISTRY)


def max_upload_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def evidence_dir() -> Path:
    return Path(settings.DATA_DIR) / "evidence"


def store_path(assessment: Assessment) -> Path:
    return evidence_dir() / f"assessment-{assessment.pk}.evidence.db"


def jobs_of(assessment: Assessment) -> QuerySet[EvidenceJob]:
    return EvidenceJob.objects.filter(assessment=assessment).order_by("-created_at", "-id")


def job_for(
    user: AbstractBaseUser | AnonymousUser, assessment: Assessment, job_id: int
) -> EvidenceJob:
    """The job, if it belongs to ``assessment`` and ``user`` may see that assessment.

    The caller already scoped ``assessment``; the job's own assessment is scoped again so a
    job id can never reach across organizations, whatever the URL pairs it with.
    """
    job = EvidenceJob.objects.filter(pk=job_id, assessment=assessment).first()
    if job is None:
        raise Http404(scoping.NOT_FOUND)
    scoping.assessment_for(user, job.assessment_id, minimum_role=Role.VIEWER)
    return job


def report_of(assessment: Assessment) -> EvidenceReport | None:
    """What the imported evidence shows against the answers, or None before any import."""
    loaded = selectors.document_of(assessment)
    return evaluate_file(default_catalog(), loaded.assessment, store_path(assessment))


def rule_lines(report: EvidenceReport) -> list[dict[str, object]]:
    """Each rule's result as the page shows it: "N of M (x%)" meet the bar; a rule whose data
    cannot judge is "not measured" with its reason, and supports nothing."""
    measured: list[dict[str, object]] = [
        {
            "title": rule.title,
            "sub_practices": rule.sub_practices,
            "measure": f"{rule.total - rule.bad} of {rule.total} ({round(rule.share * 100)}%)",
            "supports": rule.supports.label,
            "explanation": rule.explanation,
        }
        for rule in report.rules
    ]
    return measured + [
        {
            "title": n.title,
            "sub_practices": n.sub_practices,
            "measure": "Not measured",
            "supports": "–",
            "explanation": n.reason,
        }
        for n in report.not_measured
    ]


def start_import(
    user: AbstractBaseUser,
    assessment: Assessment,
    upload: UploadedFile,
    *,
    kind: str = "",
    again: bool = False,
    inline: bool | None = None,
) -> EvidenceJob:
    """Save the upload under a random name, queue a job for it and start it.

    ``again`` reads the file anew even if its content was imported before (as --replace).
    """
    uploads = evidence_dir() / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    path = uploads / secrets.token_hex(16)
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    job = EvidenceJob.objects.create(
        assessment=assessment,
        user=user,
        kind=kind,
        again=again,
        original_name=Path(upload.name or "upload").name[:255],
        bytes_total=path.stat().st_size,
    )
    if inline is None:
        inline = bool(getattr(settings, "EVIDENCE_JOBS_INLINE", False))
    if inline:
        run_job(job.pk, path)
    else:
        thread = threading.Thread(
            target=_run_in_thread, args=(job.pk, path), name=f"evidence-job-{job.pk}", daemon=True
        )
        transaction.on_commit(thread.start)  # the thread must see the job row
    return job


def fail_interrupted_jobs() -> int:
    """Mark imports a stopped server left queued or running as failed, and remove their uploads.

    `hicp serve` calls this as it starts: its background threads died with the old process, so
    those jobs would otherwise show "running" for ever. (A deployment with several server
    processes needs a real job queue instead, which this in-process runner does not pretend
    to be.)
    """
    count = EvidenceJob.objects.filter(
        status__in=(EvidenceJob.Status.QUEUED, EvidenceJob.Status.RUNNING)
    ).update(
        status=EvidenceJob.Status.FAILED,
        message="Interrupted when the server stopped. Import the file again.",
        finished_at=timezone.now(),
    )
    uploads = evidence_dir() / "uploads"
    if uploads.is_dir():
        for leftover in uploads.iterdir():
            leftover.unlink(missing_ok=True)
    return count


def _run_in_thread(job_id: int, path: Path) -> None:
    try:
        run_job(job_id, path)
    finally:
        connection.close()  # this thread's own connection


def _progress(job_id: int) -> Callable[[int], None]:
    last = 0.0

    def report(done: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL:
            last = now
            EvidenceJob.objects.filter(pk=job_id).update(bytes_done=done)

    return report


def run_job(job_id: int, path: Path) -> None:
    """Import one uploaded file into the assessment's evidence store; finish done or failed.

    The core stores a file in one transaction, so a failed import leaves nothing behind. The
    upload is deleted whatever happens.
    """
    job = EvidenceJob.objects.select_related("assessment__organization", "user").get(pk=job_id)
    job.status = EvidenceJob.Status.RUNNING
    job.save(update_fields=("status",))
    try:
        found = importer(job.kind) if job.kind else detect(path)
        job.kind = found.name
        result = import_into_store(
            job.assessment_id,
            store_path(job.assessment),
            path,
            found.name,
            _progress(job_id),
            again=job.again,
        )
    except HicpError as exc:
        job.status = EvidenceJob.Status.FAILED
        job.message = _message(exc, path, job.original_name)
    except Exception:  # the job's edge: record the failure rather than lose it with the thread
        job.status = EvidenceJob.Status.FAILED
        job.message = "The import failed unexpectedly; nothing was stored."
    else:
        job.status = EvidenceJob.Status.DONE
        job.records = result.records
        job.message = (
            "This file was imported before (same content); nothing changed. To read it again "
            "(for instance as another kind), tick “Import it again” when you upload it."
            if result.already_imported
            else f"Imported {result.records} records."
        )
    finally:
        path.unlink(missing_ok=True)
    job.bytes_done = job.bytes_total or 0
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save()
        if job.user is not None:
            audit(
                job.user,
                job.assessment.organization,
                job.assessment,
                "evidence_import",
                after={
                    "kind": job.kind,
                    "file_name": job.original_name,
                    "records": job.records or 0,
                    "status": job.status,
                },
            )


# One import at a time into each assessment's store: SQLite takes one writer, and a second
# import started meanwhile would otherwise fail with "database is locked" after its timeout.
_store_locks: dict[int, threading.Lock] = {}
_store_locks_guard = threading.Lock()


def _store_lock(assessment_id: int) -> threading.Lock:
    with _store_locks_guard:
        return _store_locks.setdefault(assessment_id, threading.Lock())


def import_into_store(
    assessment_id: int,
    target: Path,
    path: Path,
    kind: str,
    progress: Callable[[int], None],
    *,
    again: bool = False,
) -> ImportResult:
    """Import ``path`` as ``kind`` into the store at ``target``, after any import already
    running for the same assessment in this server has finished."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with _store_lock(assessment_id), EvidenceStore(target) as store:
        return store.store(path, kind, importer(kind).read(path, progress=progress), again=again)


def _message(exc: HicpError, path: Path, name: str) -> str:
    """The core's summary and problems, with the random upload name replaced by the user's."""
    text = "\n".join([exc.summary, *(str(p) for p in exc.problems)])
    return text.replace(str(path), name).replace(path.name, name)
