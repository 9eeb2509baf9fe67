"""Whether two assessments may be compared: same organization, and the earlier one first.

Rules (docs/scoring.md, "Comparing assessments"):
- Two assessments are of the same organization when both carry an ``organization.id`` and the
  ids are equal; when either has none, when their names are equal (ignoring case and spacing).
- Different ids are never the same organization. Different names are refused unless the caller
  forces it, which is how a renamed organization (without ids) is compared with its past.
- The earlier assessment may not be dated after the later one. Equal dates are allowed: two
  versions of one day's assessment can be compared.
"""

from __future__ import annotations

from hicp.assessment.models import Assessment
from hicp.errors import AssessmentError


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def same_organization_problem(
    before: Assessment,
    after: Assessment,
    *,
    force: bool,
    before_label: str = "the earlier assessment",
    after_label: str = "the later one",
) -> str | None:
    """Why ``before`` and ``after`` are not of one organization, or None when they are."""
    old, new = before.organization, after.organization
    if old.id is not None and new.id is not None:
        if old.id != new.id:
            return (
                f"{before_label} is of {old.name!r} (organization.id {old.id}) but "
                f"{after_label} is of {new.name!r} (organization.id {new.id})"
            )
        return None
    if force or _name_key(old.name) == _name_key(new.name):
        return None
    return (
        f"{before_label} is of {old.name!r} but {after_label} is of {new.name!r}; if the "
        "organization was renamed, give both files the same organization.id or use --force"
    )


def check_comparable(
    before: Assessment,
    after: Assessment,
    *,
    force: bool = False,
    before_label: str = "the previous assessment",
    after_label: str = "the current one",
) -> None:
    """Raise AssessmentError when ``before`` cannot be shown as the past of ``after``."""
    problem = same_organization_problem(
        before, after, force=force, before_label=before_label, after_label=after_label
    )
    if problem is not None:
        raise AssessmentError(f"cannot compare: {problem}")
    old_date, new_date = before.assessment.date, after.assessment.date
    if old_date > new_date:
        raise AssessmentError(
            f"cannot compare: {before_label} is dated {old_date}, after {after_label} "
            f"({new_date}); give the earlier assessment first"
        )
