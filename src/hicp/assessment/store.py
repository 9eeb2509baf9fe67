"""Reading, checking, creating and updating assessment files (YAML, human-editable, in git).

Loading collects every problem (file, line, field) and raises one AssessmentError; nothing is
written then. Updates keep the user's comments and layout (round-trip YAML) and replace the file
atomically, after the updated document has been validated in full.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from hicp import yamlio
from hicp.assessment.models import SCHEMA_VERSION, Assessment, Status
from hicp.catalog import Catalog, Tier
from hicp.catalog.models import SUB_PRACTICE_ID
from hicp.errors import AssessmentError, Problem

# Pydantic messages a person editing YAML would not understand, reworded per error type.
_FRIENDLY = {
    "extra_forbidden": "unknown field {name!r}; check the spelling (docs/formats.md lists fields)",
    "missing": "required field {name!r} is missing",
    "date_from_datetime_parsing": "not a valid date; write it as YYYY-MM-DD",
    "date_from_datetime_inexact": "not a valid date; write it as YYYY-MM-DD",
    "date_parsing": "not a valid date; write it as YYYY-MM-DD",
    "date_type": "not a valid date; write it as YYYY-MM-DD",
    "tuple_type": "expected a list: one item per line starting with '- ', or [a, b]",
    "list_type": "expected a list: one item per line starting with '- ', or [a, b]",
    "dict_type": "expected a mapping of names to values (key: value lines)",
    "model_type": "expected a mapping of names to values (key: value lines)",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "string_type": "expected text",
    "string_too_short": "must not be empty; write something or remove the line",
    "enum": "not one of the allowed values: {expected}",
    "less_than_equal": "must be {le} or less",
    "greater_than_equal": "must be {ge} or more",
    "bool_parsing": "expected true or false",
}


@dataclass(frozen=True)
class Loaded:
    """An assessment that passed every check, with anything worth a warning."""

    path: Path
    assessment: Assessment
    warnings: tuple[str, ...] = field(default_factory=tuple)


Loc = tuple[str | int, ...]


def _friendly(err: Mapping[str, Any]) -> str:
    loc = err["loc"]
    template = _FRIENDLY.get(err["type"])
    if template:
        return template.format(name=loc[-1] if loc else "", **err.get("ctx", {}))
    if loc and loc[-1] == "[key]":
        if loc[0] == "answers":
            return "not a sub-practice ID; IDs look like 7.M.D (practice.tier.letter)"
        if loc[0] == "threats":
            return "not a threat ID; use T1 to T5"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def _yaml_loc(loc: Loc) -> Loc:
    return tuple(part for part in loc if part != "[key]")


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _catalog_problems(data: Mapping[str, Any], catalog: Catalog) -> list[tuple[Loc, str]]:
    """What the schema cannot know: IDs, scope, profile choices, dates against each other.

    Works on the raw document so these problems are reported together with schema problems,
    not one round later.
    """
    found: list[tuple[Loc, str]] = []
    org = _mapping(data.get("organization"))
    tier = next((t for t in Tier if t.value == org.get("tier")), None)
    include = org.get("include_tiers")
    extra = [t for t in Tier if isinstance(include, list) and t.value in include]
    scope_tiers = catalog.tiers_in_scope(tier, extra) if tier else None
    assessed_on = _date(_mapping(data.get("assessment")).get("date"))

    choices = {c.key: c.choices for c in catalog.sizing.criteria if c.kind == "choice"}
    for key, value in _mapping(org.get("profile")).items():
        if key in choices and value is not None and value not in choices[key]:
            found.append(
                (
                    ("organization", "profile", key),
                    f"expected one of {', '.join(choices[key])} (as `hicp size` uses)",
                )
            )

    for sub_id, answer in _mapping(data.get("answers")).items():
        if not isinstance(sub_id, str) or not SUB_PRACTICE_ID.match(sub_id):
            continue  # the schema reports malformed IDs
        sp = catalog.sub_practices.get(sub_id)
        if sp is None:
            found.append(
                (
                    ("answers", sub_id),
                    f"unknown sub-practice {sub_id}; `hicp catalog list` shows valid IDs",
                )
            )
            continue
        if scope_tiers is not None and tier is not None and sp.tier not in scope_tiers:
            found.append(
                (
                    ("answers", sub_id),
                    f"{sub_id} is a {sp.tier.value}-organization item, outside the scope of a "
                    f"{tier.value} organization; remove it, or add `include_tiers: "
                    f"[{sp.tier.value}]` under organization to assess it",
                )
            )
        since = _date(_mapping(answer).get("in_place_since"))
        if since and assessed_on and since > assessed_on:
            found.append(
                (
                    ("answers", sub_id, "in_place_since"),
                    "in_place_since is after the assessment date",
                )
            )
    return found


def parse(text: str, path: Path, catalog: Catalog) -> Loaded:
    """Validate assessment YAML text; raise one AssessmentError listing every problem."""
    data = yamlio.loads(text, path, AssessmentError)
    if not isinstance(data, dict):
        raise AssessmentError(
            f"{path}: not an assessment file",
            [
                Problem(
                    "expected a YAML mapping with organization, assessment and answers "
                    "(create one with `hicp init`)",
                    file=path,
                    line=1,
                )
            ],
        )
    version = data.get("schema_version")
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise AssessmentError(
            f"{path}: written by a newer hicp (schema_version {version}; this hicp reads "
            f"{SCHEMA_VERSION}); upgrade hicp to open it"
        )
    found: list[tuple[Loc, str]] = []
    assessment = None
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as exc:
        found += [(tuple(err["loc"]), _friendly(err)) for err in exc.errors()]
    found += _catalog_problems(data, catalog)
    if found or assessment is None:
        tree = yamlio.loads(text, path, AssessmentError, yamlio.Mode.LOCATE)
        problems = sorted(
            (
                Problem(
                    message,
                    file=path,
                    line=yamlio.line_of(tree, _yaml_loc(loc)),
                    where=".".join(str(part) for part in _yaml_loc(loc)) or None,
                )
                for loc, message in found
            ),
            key=lambda p: (p.line or 0, p.where or ""),
        )
        n = len(problems)
        raise AssessmentError(f"{path}: {n} problem{'s' if n != 1 else ''} found", problems)
    warnings = []
    if assessment.assessment.catalog_version != catalog.version:
        warnings.append(
            f"made against catalog {assessment.assessment.catalog_version}; this hicp ships "
            f"catalog {catalog.version} (new items show as unanswered)"
        )
    return Loaded(path, assessment, tuple(warnings))


def load_assessment(path: Path, catalog: Catalog) -> Loaded:
    return parse(yamlio.read_text(path, AssessmentError), path, catalog)


def new_assessment_text(
    catalog: Catalog,
    *,
    name: str,
    tier: Tier,
    include_tiers: Sequence[Tier] = (),
    date: dt.date,
    assessor: str | None = None,
    profile: Mapping[str, int | str] | None = None,
) -> str:
    """A fresh assessment file: every in-scope sub-practice listed, unanswered, with its title."""
    q = json.dumps  # a JSON string is a valid YAML double-quoted scalar
    lines = [
        "# HICP self-assessment. Edit by hand or with `hicp assess`; check with `hicp validate`.",
        "# Statuses: implemented, partial, planned, not_implemented, unknown (not sure),",
        "# not_applicable (needs a justification). docs/formats.md describes every field.",
        f"schema_version: {SCHEMA_VERSION}",
        "organization:",
        f"  name: {q(name)}",
        f"  tier: {tier.value}",
    ]
    if include_tiers:
        lines.append(f"  include_tiers: [{', '.join(t.value for t in include_tiers)}]")
    if profile:
        lines.append("  profile:")
        lines.extend(f"    {key}: {q(value)}" for key, value in profile.items())
    lines += ["assessment:", f"  date: {date.isoformat()}"]
    if assessor:
        lines.append(f"  assessor: {q(assessor)}")
    lines += [f"  catalog_version: {q(catalog.version)}", "answers:"]
    current_practice = None
    for sp in catalog.in_scope(tier, include_tiers):
        practice = catalog.practice_of(sp.id)
        if practice.id != current_practice:
            lines.append(f"  # {practice.number}. {practice.name}")
            current_practice = practice.id
        lines += [f"  {sp.id}:  # {sp.title}", "    status:"]
    return "\n".join(lines) + "\n"


def create_assessment(
    path: Path, text: str, catalog: Catalog, *, overwrite: bool = False
) -> Loaded:
    if path.exists() and not overwrite:
        raise AssessmentError(f"{path} already exists; choose another name or pass --force")
    loaded = parse(text, path, catalog)  # never write a file we could not read back
    yamlio.write_atomic(path, text)
    return loaded


def _plain(value: Any) -> Any:
    if isinstance(value, Status):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def record_answer(
    path: Path, sub_practice_id: str, changes: Mapping[str, Any], catalog: Catalog
) -> Loaded:
    """Set fields of one answer (a value of None removes the field) and save atomically."""
    return record_answers(path, {sub_practice_id: changes}, catalog)


def apply_answers(
    text: str, changes: Mapping[str, Mapping[str, Any]], catalog: Catalog, path: Path
) -> tuple[str, Loaded]:
    """The assessment text with fields of several answers set (None removes a field).

    Comments and layout are kept. The whole document is validated before and after the
    change, so a bad value is refused with the message ``hicp validate`` would give. ``path``
    only names the document in messages: the file on disk, or a web app's record.
    """
    parse(text, path, catalog)  # a broken document is reported as it is, before any change
    tree = yamlio.loads(text, path, AssessmentError, yamlio.Mode.EDIT)
    answers = tree.get("answers")
    if answers is None:
        answers = tree["answers"] = CommentedMap()
    for sub_practice_id, fields in changes.items():
        entry = answers.get(sub_practice_id)
        if not isinstance(entry, CommentedMap):
            entry = CommentedMap()
            answers[sub_practice_id] = entry
        for key, value in fields.items():
            if value is None or value == ():
                if key == "status":
                    entry[key] = None  # keep the key so the document still lists the question
                else:
                    entry.pop(key, None)
            else:
                entry[key] = _plain(value)
    new_text = yamlio.dumps_roundtrip(tree)
    try:
        loaded = parse(new_text, path, catalog)
    except AssessmentError as exc:
        raise AssessmentError(f"{exc.summary}; the answer was not saved", exc.problems) from None
    return new_text, loaded


def record_answers(
    path: Path, changes: Mapping[str, Mapping[str, Any]], catalog: Catalog
) -> Loaded:
    """Set fields of several answers in the file at ``path``, in one atomic write."""
    text = yamlio.read_text(path, AssessmentError)
    new_text, loaded = apply_answers(text, changes, catalog, path)
    yamlio.write_atomic(path, new_text)
    return loaded
