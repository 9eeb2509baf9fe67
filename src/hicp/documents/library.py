"""The shipped document library: loading and checking data/documents/*.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hicp import yamlio
from hicp.catalog import default_catalog
from hicp.documents.models import PLACEHOLDER, PLACEHOLDERS, DocumentSpec
from hicp.errors import CatalogError, Problem

DOCUMENTS_DIR = Path(__file__).resolve().parent.parent / "data" / "documents"


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "string_pattern_mismatch" and "supports" in error["loc"]:
        return f"{error['input']!r} is not a valid ID here (sub-practices look like 8.S.A)"
    return str(error["msg"]).removeprefix("Value error, ")


def _check(path: Path, spec: DocumentSpec, known_ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for sub_id in spec.all_supports():
        if sub_id not in known_ids:
            problems.append(
                Problem(
                    f"cites unknown sub-practice {sub_id}", file=path, where=f"{spec.name}.supports"
                )
            )
    for section in spec.sections:
        texts = [spec.title, section.heading, *(t for b in section.blocks for t in b.strings())]
        unknown = {n for text in texts for n in PLACEHOLDER.findall(text)} - set(PLACEHOLDERS)
        problems += [
            Problem(
                f"unknown placeholder {{{name}}}; known: organization, tier, assessment_date, "
                "today, year, contact.ROLE.name|phone|email",
                file=path,
                where=f"{spec.name}.{section.heading}",
            )
            for name in sorted(unknown)
        ]
    if path.stem != spec.name:
        problems.append(Problem(f"the file must be named {spec.name}.yaml", file=path))
    return problems


def load_library(directory: Path | None = None) -> dict[str, DocumentSpec]:
    root = directory or DOCUMENTS_DIR
    known = set(default_catalog().sub_practices)
    specs: dict[str, DocumentSpec] = {}
    problems: list[Problem] = []
    for path in sorted(root.glob("*.yaml")):
        try:
            data = yamlio.load(path, CatalogError)
            spec = DocumentSpec.model_validate(data)
        except CatalogError as exc:
            problems += exc.problems or [Problem(exc.summary, file=path)]
            continue
        except ValidationError as exc:
            tree = yamlio.load(path, CatalogError, yamlio.Mode.LOCATE)
            problems += [
                Problem(
                    _message(e),
                    file=path,
                    line=yamlio.line_of(tree, e["loc"]),
                    where=".".join(map(str, e["loc"])),
                )
                for e in exc.errors()
            ]
            continue
        problems += _check(path, spec, known)
        specs[spec.name] = spec
    if problems:
        raise CatalogError(f"the document library in {root} has problems", problems)
    return specs


@lru_cache(maxsize=1)
def default_library() -> dict[str, DocumentSpec]:
    return load_library()
