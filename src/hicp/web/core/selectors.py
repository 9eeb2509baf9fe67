"""Reads: what a page shows, always for one organization or one of its assessments.

Callers obtain the organization or assessment through scoping.py first; nothing here checks
membership again, and nothing here reads across organizations except memberships_of(user).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from hicp.assessment.store import Loaded, parse
from hicp.catalog import SubPractice, default_catalog
from hicp.web.core.models import Assessment, Membership, Organization
from hicp.web.core.roles import Role
from hicp.web.core.scoping import access_to
from hicp.web.core.services import document_path


def memberships_of(user: AbstractBaseUser) -> QuerySet[Membership]:
    """The user's own memberships, with their organizations: the start of every other read."""
    return (
        Membership.objects.filter(user_id=user.pk)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )


def role_in(user: AbstractBaseUser, organization: Organization) -> Role:
    """The user's effective role (own or through a parent organization); callers scoped first."""
    access = access_to(user, organization)
    if access is None:  # scoping let the caller in, so this is a programming error
        raise LookupError(f"{user} has no role in organization {organization.pk}")
    return access.role


def assessments_of(organization: Organization) -> QuerySet[Assessment]:
    return Assessment.objects.filter(organization=organization).order_by("-updated_at", "-id")


def latest_assessment(organization: Organization) -> Assessment | None:
    return assessments_of(organization).first()


def document_of(assessment: Assessment) -> Loaded:
    """The assessment's YAML, validated by the core (stored documents always are).

    A page asks for it from the view and from several template tags; the parse is kept on
    the row object for as long as its text is the text that was parsed.
    """
    cached: tuple[str, Loaded] | None = getattr(assessment, "_parsed", None)
    if cached is not None and cached[0] is assessment.yaml_text:
        return cached[1]
    loaded = parse(assessment.yaml_text, document_path(assessment), default_catalog())
    assessment._parsed = (assessment.yaml_text, loaded)  # type: ignore[attr-defined]
    return loaded


def export_filename(assessment: Assessment, suffix: str = ".yaml") -> str:
    """A download name made only of safe characters, from the assessment's own name."""
    return f"{file_stem(assessment.name, 'assessment')}-{assessment.pk}{suffix}"


def file_stem(name: str, fallback: str) -> str:
    """A download name's stem made only of safe characters, from a name people chose."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower())
    return "-".join(part for part in stem.split("-") if part)[:60] or fallback


@dataclass(frozen=True)
class Position:
    """Where one question sits in the questionnaire."""

    sub_practice: SubPractice
    number: int  # 1-based
    total: int
    answered: int
    previous: str | None
    next: str | None


def questions_of(loaded: Loaded) -> tuple[SubPractice, ...]:
    """The questions of an assessment in catalog order: its tier and any tiers it opted into."""
    org = loaded.assessment.organization
    return default_catalog().in_scope(org.tier, org.include_tiers)


def position_of(loaded: Loaded, sub_id: str) -> Position | None:
    """The question ``sub_id`` in this assessment, or None if it is not one of its questions."""
    questions = questions_of(loaded)
    ids = [sp.id for sp in questions]
    if sub_id not in ids:
        return None
    index = ids.index(sub_id)
    document = loaded.assessment
    return Position(
        sub_practice=questions[index],
        number=index + 1,
        total=len(ids),
        answered=sum(1 for i in ids if document.answer(i).status is not None),
        previous=ids[index - 1] if index > 0 else None,
        next=ids[index + 1] if index + 1 < len(ids) else None,
    )


def resume_question(loaded: Loaded) -> str:
    """Where to carry on: the first unanswered question, or the first one if all are answered."""
    questions = questions_of(loaded)
    for sp in questions:
        if loaded.assessment.answer(sp.id).status is None:
            return sp.id
    return questions[0].id
