"""Which HICP size tier fits an organization, and why (criteria in data/catalog/sizing.yaml).

HICP asks an organization to weigh its size criteria together. The rule here: each answered
criterion points to one tier; the tier most criteria point to wins; a tie goes to the larger tier,
because assessing against more practices is the safer mistake. Unanswered criteria do not vote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from hicp.catalog.models import SizeCriterion, Sizing, Tier
from hicp.errors import HicpError


class SizingError(HicpError):
    """A sizing answer is out of range or not one of the choices."""


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    answer: int | str
    tier: Tier
    rule: str  # the boundary that decided it, in words
    verified: bool  # whether that boundary was checked against HICP's own text


class SizeResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    tier: Tier
    reasons: tuple[Reason, ...]
    votes: dict[Tier, int]


def _count_tier(criterion: SizeCriterion, value: int) -> tuple[Tier, str]:
    assert criterion.small_max is not None and criterion.medium_max is not None  # noqa: S101 - schema guarantees
    if value <= criterion.small_max:
        return Tier.SMALL, f"{criterion.small_max} or fewer is small"
    if value <= criterion.medium_max:
        return Tier.MEDIUM, f"{criterion.small_max + 1} to {criterion.medium_max} is medium"
    return Tier.LARGE, f"more than {criterion.medium_max} is large"


def classify(sizing: Sizing, answers: Mapping[str, int | str | None]) -> SizeResult:
    known = {c.key: c for c in sizing.criteria}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise SizingError(
            f"unknown sizing criteria: {', '.join(unknown)}; expected {', '.join(known)}"
        )
    reasons = []
    for criterion in sizing.criteria:
        value = answers.get(criterion.key)
        if value is None:
            continue
        if criterion.kind == "count":
            if not isinstance(value, int) or value < 0:
                raise SizingError(
                    f"{criterion.key}: expected a whole number, 0 or more, got {value!r}"
                )
            tier, rule = _count_tier(criterion, value)
        else:
            if value not in criterion.choices:
                raise SizingError(
                    f"{criterion.key}: expected one of {', '.join(criterion.choices)}, "
                    f"got {value!r}"
                )
            tier = criterion.choices[str(value)]
            rule = f"{value!s} points to {tier.value}"
        reasons.append(
            Reason(
                key=criterion.key,
                label=criterion.label,
                answer=value,
                tier=tier,
                rule=rule,
                verified=criterion.provenance.verified,
            )
        )
    if not reasons:
        raise SizingError("answer at least one sizing question (for example --providers)")
    votes = Counter(r.tier for r in reasons)
    tier = max(Tier, key=lambda t: (votes.get(t, 0), t.rank))
    return SizeResult(tier=tier, reasons=tuple(reasons), votes={t: votes.get(t, 0) for t in Tier})
