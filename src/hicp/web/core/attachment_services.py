"""Evidence files attached to questions: adding and removing them (atomic, audited), and the
few reads their pages need.

A file and its row live and die together: the file gets its final name inside the
transaction that creates the row, and is removed if that transaction fails; a deleted row's
file is removed only once the deletion is committed, so a rolled-back deletion loses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from hicp.errors import HicpError
from hicp.web.core import attachment_files
from hicp.web.core.attachment_files import RefusedUpload
from hicp.web.core.models import Assessment, Attachment
from hicp.web.core.roles import Role
from hicp.web.core.services import audit


class AlreadyAttached(HicpError):
    """The same file (same SHA-256) is already attached to this question; nothing was kept."""

    def __init__(self, existing: Attachment) -> None:
        super().__init__(f"“{existing.original_name}” is already attached to this question.")
        self.existing = existing


def max_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_BYTES)


def attachments_on(assessment: Assessment, sub_id: str) -> QuerySet[Attachment]:
    """The files attached to one question of an assessment (already scoped), newest first."""
    return (
        Attachment.objects.filter(assessment=assessment, sub_id=sub_id)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )


def may_remove(user: AbstractBaseUser | AnonymousUser, role: Role, attachment: Attachment) -> bool:
    """The person who attached a file may remove it while they can still contribute; assessors
    and above may remove any file (they look after the assessment as a whole)."""
    if role.allows(Role.ASSESSOR):
        return True
    return role.allows(Role.CONTRIBUTOR) and attachment.uploaded_by_id == user.pk


def attach(
    user: AbstractBaseUser, assessment: Assessment, sub_id: str, upload: UploadedFile
) -> Attachment:
    """Keep ``upload`` as evidence for question ``sub_id`` (the caller checked it belongs to
    the assessment).

    Raises RefusedUpload (413 too large, 415 not an accepted kind, 422 empty) or
    AlreadyAttached; in every such case no row and no file are left behind.
    """
    limit = max_bytes()
    organization = assessment.organization
    name = attachment_files.clean_name(upload.name)
    with attachment_files.receive(upload, organization.pk, limit) as received:
        if received.size == 0:
            raise RefusedUpload(f"“{name}” is empty. Choose the file again.", 422)
        kind = attachment_files.identify(received.path, name)
        name = attachment_files.name_for(name, kind)
        stored_name, final = attachment_files.new_place(organization.pk)
        try:
            with transaction.atomic():
                # One upload at a time per assessment, so two copies of a file sent at once
                # cannot both pass the duplicate check (SQLite serialises by its write lock).
                Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
                existing = attachments_on(assessment, sub_id).filter(sha256=received.sha256)
                if (duplicate := existing.first()) is not None:
                    raise AlreadyAttached(duplicate)
                attachment = Attachment.objects.create(
                    assessment=assessment,
                    sub_id=sub_id,
                    uploaded_by=user,
                    original_name=name,
                    stored_name=stored_name,
                    content_type=kind.content_type,
                    size=received.size,
                    sha256=received.sha256,
                )
                audit(
                    user,
                    organization,
                    attachment,
                    "upload",
                    after={
                        "name": name,
                        "size": received.size,
                        "sha256": received.sha256,
                        "content_type": kind.content_type,
                        "sub_id": sub_id,
                    },
                )
                attachment_files.keep(received, final)
        except BaseException:
            final.unlink(missing_ok=True)  # the commit failed after the rename, or earlier
            raise
    return attachment


def remove(user: AbstractBaseUser, assessment: Assessment, attachment: Attachment) -> None:
    """Delete the row now (audited) and its file once the deletion is committed."""
    organization_id, stored_name = assessment.organization_id, attachment.stored_name
    with transaction.atomic():
        audit(
            user,
            assessment.organization,
            attachment,
            "delete",
            before={
                "name": attachment.original_name,
                "sha256": attachment.sha256,
                "size": attachment.size,
                "sub_id": attachment.sub_id,
            },
        )
        attachment.delete()
        transaction.on_commit(lambda: attachment_files.remove(organization_id, stored_name))
