"""The EvidenceJob model: one upload of evidence for an assessment, imported in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hicp.web.core.models import Assessment


class EvidenceJob(models.Model):
    """One evidence file being (or having been) imported into an assessment's evidence store.

    ``original_name`` is what the user called the file, for display only: the upload is kept
    under a random name while the job runs and deleted afterwards. ``bytes_total`` is None until
    the size is known; ``records`` is None until the import finished.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence_jobs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, blank=True)
    # Read the file again even if the same content was imported before (a corrected --kind).
    again = models.BooleanField(default=False)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    bytes_done = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(null=True, blank=True)
    records = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="evidence_job_status_known",
            ),
        )

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
