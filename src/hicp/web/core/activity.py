"""The activity log: an organization's audit entries, filtered and told in plain words.

Entries are read for one organization that scoping already handed to the caller. Known
actions get a sentence of their own ("answered 1.S.A in “2026 self-assessment”"); any other
action, such as one a newer feature writes, falls back to its action, object type and id, so
no entry is ever left out or shown blank.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from hicp.reports.wording import ANSWER_LABELS, NOT_ANSWERED
from hicp.reports.xlsx_cells import inert_text
from hicp.web.core.models import Assessment, AuditEntry, Organization
from hicp.web.core.roles import Role

PAGE_SIZE = 50
VALUE_WIDTH = 80  # longer values (notes, paths) are cut in the summary; the CSV has them whole

KIND_LABELS = {
    "organization": "The organization",
    "assessment": "Assessments and answers",
    "membership": "Members and roles",
    "invitation": "Invitations",
}
FIELD_LABELS = {
    "status": "answer",
    "justification": "why it doesn't apply",
    "notes": "notes",
    "evidence": "evidence",
    "owner": "owner",
    "target_date": "target date",
    "in_place_since": "in place since",
    "role": "role",
}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection); tab and
# carriage return are on OWASP's list too, since some programs skip them before the check.


@dataclass(frozen=True)
class Line:
    """One audit entry as the activity log shows it."""

    entry: AuditEntry
    who: str
    what: str
    changes: tuple[str, ...]  # "answer: No → Yes", one per changed field


Said = tuple[str, tuple[str, ...]]  # what was done, and the changes

# --- reads -------------------------------------------------------------------------------------


def kinds_in(organization: Organization) -> list[tuple[str, str]]:
    """The kinds of object this organization's log mentions, as (value, label)."""
    types = (
        AuditEntry.objects.filter(organization=organization)
        .values_list("object_type", flat=True)
        .distinct()
    )
    return sorted(((t, kind_label(t)) for t in set(types)), key=lambda choice: choice[1])


def people_in(organization: Organization) -> list[tuple[int, str]]:
    """Everyone who made a change in this organization, as (user id, username)."""
    users = User.objects.filter(
        pk__in=AuditEntry.objects.filter(organization=organization).values("user_id")
    ).order_by("username")
    return [(user.pk, user.get_username()) for user in users]


def entries_of(
    organization: Organization, kind: str | None = None, person: int | None = None
) -> QuerySet[AuditEntry]:
    """The organization's entries, newest first, optionally of one kind or one person."""
    entries = AuditEntry.objects.filter(organization=organization).select_related("user")
    if kind is not None:
        entries = entries.filter(object_type=kind)
    if person is not None:
        entries = entries.filter(user_id=person)
    return entries.order_by("-at", "-id")


def assessment_names(organization: Organization) -> dict[str, str]:
    """Names of the organization's assessments by id, as audit entries refer to them."""
    rows = Assessment.objects.filter(organization=organization).values_list("pk", "name")
    return {str(pk): name for pk, name in rows}


# --- wording -----------------------------------------------------------------------------------


def kind_label(object_type: str) -> str:
    return KIND_LABELS.get(object_type, object_type.replace("_", " ").capitalize())


def _role(value: Any) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return str(value)


def _value(field: str, value: Any) -> str:
    if value is None or value in ("", [], ()):
        return NOT_ANSWERED.lower() if field == "status" else "(empty)"
    if field == "status":
        return ANSWER_LABELS.get(str(value), str(value))
    if field == "role":
        return _role(value)
    if isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    text = " ".join(text.split())  # notes keep their line breaks in the YAML, not here
    return text if len(text) <= VALUE_WIDTH else f"{text[: VALUE_WIDTH - 1]}…"


def _field_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], *, skip: Iterable[str] = ()
) -> list[str]:
    changes = []
    for field in sorted(set(before) | set(after)):
        if field in skip or before.get(field) == after.get(field):
            continue
        label = FIELD_LABELS.get(field, field.replace("_", " "))
        changes.append(
            f"{label}: {_value(field, before.get(field))} → {_value(field, after.get(field))}"
        )
    return changes


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _describe_answer(before: dict[str, Any], after: dict[str, Any], where: str) -> Said | None:
    old, new = _dict(before.get("answers")), _dict(after.get("answers"))
    subs = sorted(set(old) | set(new))
    if not subs:
        return None
    changes = []
    for sub in subs:
        fields = _field_changes(_dict(old.get(sub)), _dict(new.get(sub)))
        changes += [f"{sub} {c}" if len(subs) > 1 else c for c in fields]
    return _line(f"answered {', '.join(subs)} in {where}", changes or ["nothing changed"])


def _line(what: str, changes: Iterable[str] = ()) -> Said:
    return what, tuple(changes)


def _sentence(entry: AuditEntry, names: Mapping[str, str]) -> Said | None:
    """The plain-words line of a known (object type, action), or None to fall back."""
    before, after = _dict(entry.before), _dict(entry.after)
    kind, action = entry.object_type, entry.action
    if kind == "assessment":
        name = names.get(entry.object_id) or after.get("name") or f"assessment {entry.object_id}"
        where = f"“{name}”"
        if action == "answer":
            return _describe_answer(before, after, where)
        if action == "create":
            return _line(f"started the assessment {where}", [f"size: {after.get('tier', '?')}"])
        if action == "import":
            return _line(f"imported the assessment file {where}")
        if action == "adopt_document":
            subs = ", ".join(after.get("sub_practices") or [])
            return _line(
                f"recorded the document “{after.get('document', '?')}” as adopted in {where}",
                [f"kept at: {_value('', after.get('kept_at'))}", f"evidence for: {subs}"],
            )
        if action == "evidence_import":
            return _line(
                f"imported evidence from {after.get('file_name', 'a file')} into {where}",
                [
                    f"records: {after.get('records', 0)}",
                    f"kind: {after.get('kind', '?')}",
                    f"outcome: {after.get('status', '?')}",
                ],
            )
    if kind == "organization" and action == "create":
        return _line(f"created the organization “{after.get('name', '')}”")
    if kind == "membership":
        who = after.get("user") or before.get("user") or f"member {entry.object_id}"
        if action == "change_role":
            return _line(f"changed the role of {who}", _field_changes(before, after, skip={"user"}))
        if action == "remove_member":
            return _line(f"removed {who}", [f"role was {_role(before.get('role'))}"])
        if action == "accept_invitation":
            role = _role(after.get("role"))
            if before:
                kept = _role(before.get("role"))
                return _line(
                    f"accepted an invitation as {_role(after.get('invited_as'))}",
                    [f"role: {kept} → {role}" if kept != role else f"kept the role {role}"],
                )
            return _line("joined by invitation", [f"role: {role}"])
    if kind == "invitation":
        email, role = after.get("email") or before.get("email"), _role(after.get("role"))
        if action == "invite":
            return _line(f"invited {email} as {role}")
        if action == "revoke_invitation":
            return _line(f"withdrew the invitation of {email} as {role}")
    return None


def describe(entry: AuditEntry, names: Mapping[str, str]) -> Line:
    """``entry`` in plain words; ``names`` are the organization's assessment names by id."""
    said = _sentence(entry, names)
    if said is None:
        action = entry.action.replace("_", " ")
        said = _line(
            f"{action} {entry.object_type.replace('_', ' ')} {entry.object_id}",
            _field_changes(_dict(entry.before), _dict(entry.after)),
        )
    what, changes = said
    return Line(entry=entry, who=entry.user.get_username(), what=what, changes=changes)


# --- CSV ---------------------------------------------------------------------------------------

CSV_HEADER = (
    "when (UTC)",
    "who",
    "what",
    "changes",
    "action",
    "object type",
    "object id",
    "before",
    "after",
)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def csv_lines(entries: Iterable[AuditEntry], names: Mapping[str, str]) -> Iterator[str]:
    """The entries as CSV text, one line at a time (the header first), for streaming."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries:
        line = describe(entry, names)
        row = (
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            line.who,
            line.what,
            "; ".join(line.changes),
            entry.action,
            entry.object_type,
            entry.object_id,
            _json(entry.before),
            _json(entry.after),
        )
        yield writer.writerow([inert_text(cell) for cell in row])  # log text comes from users
