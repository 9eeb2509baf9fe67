"""Evidence rules as data (data/evidence_rules.yaml), validated when loaded."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from hicp import yamlio
from hicp.catalog.models import SUB_PRACTICE_ID
from hicp.errors import CatalogError, Problem

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "evidence_rules.yaml"

Share = Annotated[float, Field(ge=0, le=1)]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    title: str
    metric: str
    sub_practices: tuple[Annotated[str, StringConstraints(pattern=SUB_PRACTICE_ID.pattern)], ...]
    implemented: Share  # share at or above which the evidence supports "implemented"
    partial: Share  # ... "partial"; below it, "not implemented"
    explain: str

    @model_validator(mode="after")
    def _ordered(self) -> Rule:
        if self.partial > self.implemented:
            raise ValueError("partial must not be above implemented")
        unknown = set(re.findall(r"\{(\w*)\}", self.explain)) - {"good", "total", "bad", "share"}
        if unknown:
            raise ValueError(
                f"explain uses unknown {{{', '.join(sorted(unknown))}}}; "
                "use {good}, {total}, {bad} or {share}"
            )
        return self


class Freshness(BaseModel):
    """How old data may be, in days before the assessment date, and still show the present."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scans: Annotated[int, Field(ge=1)]


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    freshness: Freshness
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        ids = [r.id for r in self.rules]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"rule IDs used twice: {', '.join(twice)}")
        return self


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    from hicp.catalog import default_catalog
    from hicp.evidence.metrics import METRICS

    data = yamlio.load(RULES_FILE, CatalogError)
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], file=RULES_FILE, where=".".join(map(str, e["loc"])))
            for e in exc.errors()
        ]
        raise CatalogError(f"{RULES_FILE}: the evidence rules are invalid", problems) from None
    known = default_catalog().sub_practices
    problems = []
    for rule in ruleset.rules:
        if rule.metric not in METRICS:
            problems.append(
                Problem(
                    f"unknown metric {rule.metric!r}", file=RULES_FILE, where=f"{rule.id}.metric"
                )
            )
        problems += [
            Problem(f"unknown sub-practice {s}", file=RULES_FILE, where=f"{rule.id}.sub_practices")
            for s in rule.sub_practices
            if s not in known
        ]
    if problems:
        raise CatalogError(f"{RULES_FILE}: the evidence rules are invalid", problems)
    return ruleset
