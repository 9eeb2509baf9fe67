"""Writes: every change to organizations and assessments, each in one transaction, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction

from hicp.assessment.models import Assessment as AssessmentDocument
from hicp.assessment.store import Loaded, apply_answers, new_assessment_text, parse
from hicp.catalog import Tier, default_catalog
from hicp.errors import HicpError
from hicp.web.core.models import Assessment, AuditEntry, Membership, Organization
from hicp.web.core.roles import Role


class ConflictError(HicpError):
    """Someone else saved the assessment after this change was prepared; nothing was saved."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "someone else changed this assessment after you opened it; your answer was not saved"
        )
        self.current_version = current_version


def document_path(assessment: Assessment) -> Path:
    """The name the core uses for this record in messages (it is never a file on disk)."""
    return Path(f"assessment-{assessment.pk}.yaml")


def audit(
    user: AbstractBaseUser,
    organization: Organization,
    obj: models.Model,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the organization's audit log (the only way entries are written)."""
    return AuditEntry.objects.create(
        organization=organization,
        user=user,
        object_type=type(obj).__name__.lower(),
        object_id=str(obj.pk),
        action=action,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
    )


@transaction.atomic
def create_organization(
    user: AbstractBaseUser, name: str, *, parent: Organization | None = None
) -> Organization:
    """A new organization (or facility of ``parent``) whose creator becomes its owner."""
    organization = Organization.objects.create(name=name.strip(), parent=parent)
    Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    audit(user, organization, organization, "create", after={"name": organization.name})
    return organization


@transaction.atomic
def create_assessment(
    user: AbstractBaseUser,
    organization: Organization,
    *,
    name: str,
    tier: Tier,
    include_tiers: Sequence[Tier] = (),
    date: dt.date | None = None,
) -> Assessment:
    """A fresh assessment: every in-scope question listed, none answered (as `hicp init`)."""
    catalog = default_catalog()
    text = new_assessment_text(
        catalog,
        name=organization.name,
        tier=tier,
        include_tiers=include_tiers,
        date=date or dt.date.today(),
    )
    assessment = Assessment.objects.create(
        organization=organization, name=name.strip(), yaml_text=text, created_by=user
    )
    parse(text, document_path(assessment), catalog)  # never store a document we cannot read
    audit(
        user,
        organization,
        assessment,
        "create",
        after={"name": assessment.name, "tier": tier.value},
    )
    return assessment


def _answer_json(document: AssessmentDocument, sub_id: str) -> dict[str, Any]:
    return document.answer(sub_id).model_dump(mode="json", exclude_defaults=True)


def record_answer(
    user: AbstractBaseUser,
    assessment: Assessment,
    expected_version: int,
    sub_id: str,
    changes: Mapping[str, Any],
) -> tuple[Assessment, Loaded]:
    """Set fields of one answer (None removes a field), if nobody saved since ``expected_version``.

    The row is locked for the check-and-write (on SQLite the IMMEDIATE transaction mode does
    the locking). Raises ConflictError when the version moved and AssessmentError when the
    core refuses the change; in both cases nothing is written.
    """
    catalog = default_catalog()
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.version != expected_version:
            raise ConflictError(locked.version)
        path = document_path(locked)
        before = _answer_json(parse(locked.yaml_text, path, catalog).assessment, sub_id)
        new_text, loaded = apply_answers(locked.yaml_text, {sub_id: changes}, catalog, path)
        locked.yaml_text = new_text
        locked.version += 1
        locked.save(update_fields=("yaml_text", "version", "updated_at"))
        audit(
            user,
            locked.organization,
            locked,
            "answer",
            before={"version": expected_version, "answers": {sub_id: before}},
            after={
                "version": locked.version,
                "answers": {sub_id: _answer_json(loaded.assessment, sub_id)},
            },
        )
    return locked, loaded


@transaction.atomic
def import_yaml(
    user: AbstractBaseUser, organization: Organization, *, name: str, text: str, filename: str
) -> Assessment:
    """A new assessment from an assessment file, kept byte for byte (comments too).

    Raises the core's AssessmentError, listing every problem with its line, when the file is
    not a valid assessment; nothing is stored then.
    """
    parse(text, Path(filename), default_catalog())
    assessment = Assessment.objects.create(
        organization=organization, name=name.strip(), yaml_text=text, created_by=user
    )
    audit(user, organization, assessment, "import", after={"name": assessment.name})
    return assessment
