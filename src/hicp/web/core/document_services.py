"""Writes for tailored documents: recording an adopted document as evidence, audited."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hicp.assessment.store import apply_answers, parse
from hicp.catalog import default_catalog
from hicp.documents.adopt import adoption_changes
from hicp.web.core.models import Assessment
from hicp.web.core.services import ConflictError, audit, document_path


def adopt_document(
    user: AbstractBaseUser,
    assessment: Assessment,
    expected_version: int,
    name: str,
    kept_at: str,
    *,
    day: dt.date | None = None,
) -> tuple[Assessment, tuple[str, ...]]:
    """Add ``kept_at`` to the evidence of every in-scope sub-practice document ``name`` supports.

    Returns the assessment and the sub-practices whose evidence changed. Adopting the same
    copy again changes nothing (the core recognises its own entry), and then nothing is
    written: no new version, no audit entry. Raises ConflictError when someone saved since
    ``expected_version`` and the core's NotFoundError for an unknown document.
    """
    catalog = default_catalog()
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.version != expected_version:
            raise ConflictError(locked.version)
        path = document_path(locked)
        current = parse(locked.yaml_text, path, catalog).assessment
        changes = adoption_changes(current, name, kept_at, catalog, day or dt.date.today())
        if not changes:
            return locked, ()
        new_text, _ = apply_answers(locked.yaml_text, changes, catalog, path)
        locked.yaml_text = new_text
        locked.version += 1
        locked.save(update_fields=("yaml_text", "version", "updated_at"))
        audit(
            user,
            locked.organization,
            locked,
            "adopt_document",
            before={"version": expected_version},
            after={
                "version": locked.version,
                "document": name,
                "kept_at": kept_at,
                "sub_practices": sorted(changes),
            },
        )
    return locked, tuple(changes)
