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
from hicp.errors import AssessmentError, Problem

# Pydantic messages a person editing YAML would not understand, reworded per error type.
_FRIENDLY = {
    "extra_forbidden": "unknown field {name!r}; check the spelling (docs/formats.md lists fields)",
    "missing": "required field {name!r} is missing",
    "date_from_datetime_parsing": "not a date; write it as YYYY-MM-DD",
    "date_parsing": "not a date; write it as YYYY-MM-DD",
    "date_type": "not a date; write it as YYYY-MM-DD",
}


@dataclass(frozen=True)
class Loaded:
    """An assessment that passed every check, with anything worth a warning."""

    path: Path
    assessment: Assessment
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _friendly(err: Mapping[str, Any]) -> str:
    loc = err["loc"]
    template = _FRIENDLY.get(err["type"])
    if template:
        return template.format(name=loc[-1] if loc else "")
    if loc and loc[-1] == "[key]":
        if loc[0] == "answers":
            return "not a sub-practice ID; IDs look like 7.M.D (practice.tier.letter)"
        if loc[0] == "threats":
            return "not a threat ID; use T1 to T5"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def _where(loc: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in loc if part != "[key]")


def _yaml_loc(loc: Sequence[str | int]) -> list[str | int]:
    return [part for part in loc if part != "[key]"]


def _validation_problems(path: Path, text: str, exc: ValidationError) -> list[Problem]:
    tree = yamlio.loads(text, path, AssessmentError, roundtrip=True)
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        problems.append(
            Problem(
                _friendly(err),
                file=path,
                line=yamlio.line_of(tree, _yaml_loc(loc)),
                where=_where(loc) or None,
            )
        )
    return problems


def _catalog_problems(
    path: Path, text: str, assessment: Assessment, catalog: Catalog
) -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = []
    org = assessment.organization
    scope_tiers = catalog.tiers_in_scope(org.tier, org.include_tiers)
    for sub_id, answer in assessment.answers.items():
        sp = catalog.sub_practices.get(sub_id)
        if sp is None:
            found.append(
                (
                    ("answers", sub_id),
                    f"unknown sub-practice {sub_id}; `hicp catalog list` shows valid IDs",
                )
            )
            continue
        if sp.tier not in scope_tiers:
            found.append(
                (
                    ("answers", sub_id),
                    f"{sub_id} is a {sp.tier.value}-organization item, outside the scope of a "
                    f"{org.tier.value} organization; remove it, or add `include_tiers: "
                    f"[{sp.tier.value}]` under organization to assess it",
                )
            )
        if answer.in_place_since and answer.in_place_since > assessment.assessment.date:
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
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise AssessmentError(
            f"{path}: written by a newer hicp (schema_version {version}; this hicp reads "
            f"{SCHEMA_VERSION}); upgrade hicp to open it"
        )
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as exc:
        problems = _validation_problems(path, text, exc)
        raise AssessmentError(_summary(path, problems), problems) from None
    issues = _catalog_problems(path, text, assessment, catalog)
    if issues:
        tree = yamlio.loads(text, path, AssessmentError, roundtrip=True)
        problems = [
            Problem(msg, file=path, line=yamlio.line_of(tree, loc), where=_where(loc))
            for loc, msg in issues
        ]
        raise AssessmentError(_summary(path, problems), problems)
    warnings = []
    if assessment.assessment.catalog_version != catalog.version:
        warnings.append(
            f"made against catalog {assessment.assessment.catalog_version}; this hicp ships "
            f"catalog {catalog.version} (new items show as unanswered)"
        )
    return Loaded(path, assessment, tuple(warnings))


def _summary(path: Path, problems: list[Problem]) -> str:
    n = len(problems)
    return f"{path}: {n} problem{'s' if n != 1 else ''} found; nothing was changed"


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
    """Set fields of one answer (a value of None removes the field) and save atomically.

    The whole document is validated after the change and before the write, so a bad value is
    refused with the same message ``hicp validate`` would give, and the file stays as it was.
    """
    text = yamlio.read_text(path, AssessmentError)
    tree = yamlio.loads(text, path, AssessmentError, roundtrip=True)
    if not isinstance(tree, CommentedMap):
        parse(text, path, catalog)  # raises the usual "not an assessment file"
    answers = tree.get("answers")
    if answers is None:
        answers = tree["answers"] = CommentedMap()
    entry = answers.get(sub_practice_id)
    if not isinstance(entry, CommentedMap):
        entry = CommentedMap()
        answers[sub_practice_id] = entry
    for key, value in changes.items():
        if value is None or value == ():
            if key == "status":
                entry[key] = None  # keep the key so the file still lists the question
            else:
                entry.pop(key, None)
        else:
            entry[key] = _plain(value)
    new_text = yamlio.dumps_roundtrip(tree)
    loaded = parse(new_text, path, catalog)
    yamlio.write_atomic(path, new_text)
    return loaded
