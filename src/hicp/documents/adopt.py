"""Adopting a document: recording it as evidence for the sub-practices it supports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hicp.assessment.models import Assessment
from hicp.assessment.store import Loaded, load_assessment, record_answers
from hicp.catalog import Catalog
from hicp.documents.registry import documents
from hicp.errors import NotFoundError


def adoption_changes(
    assessment: Assessment, name: str, document_path: str, catalog: Catalog, day: dt.date
) -> dict[str, dict[str, Any]]:
    """The evidence changes that adopting document ``name`` makes, per in-scope sub-practice.

    Empty when every supported item in scope already lists this document.
    """
    known = documents()
    if name not in known:
        raise NotFoundError(f"no document named {name!r}; `hicp docs list` shows them all")
    entry = f"{document_path} (hicp document {name}, adopted {day.isoformat()})"
    org = assessment.organization
    scope = {sp.id for sp in catalog.in_scope(org.tier, org.include_tiers)}
    changes: dict[str, dict[str, Any]] = {}
    for sub_id in known[name].supports:
        if sub_id not in scope:
            continue
        current = assessment.answer(sub_id).evidence
        if any(e.startswith(f"{document_path} (hicp document {name},") for e in current):
            continue
        changes[sub_id] = {"evidence": (*current, entry)}
    return changes


def adopt(
    assessment_path: Path,
    name: str,
    document_path: str,
    catalog: Catalog,
    today: dt.date | None = None,
) -> tuple[Loaded, tuple[str, ...]]:
    """Add ``document_path`` to the evidence of every in-scope sub-practice ``name`` supports.

    Adopting the same document again adds nothing: the entry is recognised by its text.
    Returns the reloaded assessment and the sub-practices whose evidence changed.
    """
    loaded = load_assessment(assessment_path, catalog)
    changes = adoption_changes(
        loaded.assessment, name, document_path, catalog, today or dt.date.today()
    )
    if not changes:
        return loaded, ()
    return record_answers(assessment_path, changes, catalog), tuple(changes)
