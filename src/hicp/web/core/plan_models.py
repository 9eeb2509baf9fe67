"""Work on one assessment's questions and plan: assignments, action-item tracking, comments.

All three hang off an assessment and a sub-practice ID, so scoping the assessment scopes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hicp.web.core.models import Assessment


class Assignment(models.Model):
    """Who answers one question of an assessment. A contributor answers only their own."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    sub_id = models.CharField(max_length=10)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("assessment", "sub_id")
        constraints = (
            models.UniqueConstraint(fields=("assessment", "sub_id"), name="one_assignee_per_item"),
        )

    def __str__(self) -> str:
        return f"{self.sub_id} of {self.assessment_id} to {self.user}"


class ActionItem(models.Model):
    """Tracking of one item of an assessment's action plan: who does it, by when, how far along.

    The plan itself (which items, in which order, why) is computed by the core from the answers;
    this row only adds what people track. ``version`` rises on every save so two people editing
    the same item at once are told, as for answers.
    """

    class Status(models.TextChoices):
        TO_DO = "to_do", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        BLOCKED = "blocked", "Blocked"
        DONE = "done", "Done"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="action_items"
    )
    sub_id = models.CharField(max_length=10)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TO_DO)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("assessment", "sub_id")
        constraints = (
            models.UniqueConstraint(fields=("assessment", "sub_id"), name="one_item_per_sub"),
            models.CheckConstraint(
                condition=models.Q(status__in=["to_do", "in_progress", "blocked", "done"]),
                name="action_item_status_known",
            ),
        )

    def __str__(self) -> str:
        return f"{self.sub_id} of {self.assessment_id}: {self.status}"


class Comment(models.Model):
    """A remark on one question or action item of an assessment. Comments are never edited."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    sub_id = models.CharField(max_length=10)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = (models.Index(fields=("assessment", "sub_id")),)

    def __str__(self) -> str:
        return f"comment on {self.sub_id} of {self.assessment_id} by {self.author}"
