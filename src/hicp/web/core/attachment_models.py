"""The Attachment model: an evidence file (policy, screenshot, export) attached to a question."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hicp.web.core.models import Assessment


class Attachment(models.Model):
    """One uploaded file, kept on disk under a random name (``stored_name``), never its own.

    ``original_name`` is for display and the download's file name only, after cleaning.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attachments")
    sub_id = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("assessment", "sub_id")),)

    def __str__(self) -> str:
        return f"{self.original_name} on {self.sub_id} of {self.assessment_id}"
