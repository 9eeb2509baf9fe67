"""Database models: organizations, memberships, assessments and the append-only audit log.

Models hold data and constraints only; writes go through services.py, reads through
selectors.py and scoping.py.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from hicp.web.core.roles import Role


class Organization(models.Model):
    """An organization, or a facility of one (``parent`` set) whose results roll up to it."""

    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="facilities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "organization"), name="one_role_per_org"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_known"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.organization}"


class Assessment(models.Model):
    """One assessment: the same YAML document the CLI reads and writes, kept verbatim.

    ``version`` goes up by one on every save; a save that expected an older version is refused
    (optimistic concurrency), so two people answering at once never overwrite each other.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="assessments"
    )
    name = models.CharField(max_length=200)
    yaml_text = models.TextField()
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-updated_at", "-id")
        constraints = (
            models.CheckConstraint(condition=models.Q(version__gte=1), name="version_1_up"),
        )

    def __str__(self) -> str:
        return self.name


class AppendOnlyError(Exception):
    """Someone tried to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what, when, to which object, with the values before and after. Append-only.

    Foreign keys protect: an organization or user with history cannot be deleted (deactivate the
    user instead), so a cascade can never rewrite or drop entries behind this model's back.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    action = models.CharField(max_length=50)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        what = f"{self.action} {self.object_type} {self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {what}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class ApiToken(models.Model):
    """A user's key to the REST API (api_auth.py makes and checks them).

    Only the SHA-256 digest of the token is kept; the token itself is shown once, when it is
    made. ``prefix`` is a random, non-secret part of the token that finds the row. A revoked
    token is kept (``revoked_at`` set) so its history stays readable.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Invitation(models.Model):
    """An invitation to join an organization with a role, accepted through a secret link.

    Only the SHA-256 digest of the link's token is kept, as for API tokens: the link is shown
    (or e-mailed) once. An invitation is used at most once and expires at ``expires_at``; a
    revoked one is kept (``revoked_at`` set) so the history stays readable.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invitation_role_known"
            ),
        )

    def __str__(self) -> str:
        return f"{self.email} as {self.role} of {self.organization}"

    @property
    def pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


# Models in their own modules; imported here so Django and the rest of the app find them all.
from hicp.web.core.attachment_models import Attachment as Attachment  # noqa: E402
from hicp.web.core.evidence_models import EvidenceJob as EvidenceJob  # noqa: E402  (needs Assessment)
from hicp.web.core.plan_models import ActionItem as ActionItem  # noqa: E402
from hicp.web.core.plan_models import Assignment as Assignment  # noqa: E402
from hicp.web.core.plan_models import Comment as Comment  # noqa: E402
