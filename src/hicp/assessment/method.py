"""The numbers of the scoring and planning method, loaded from data/scoring.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hicp import yamlio
from hicp.assessment.models import Status
from hicp.catalog.models import Effort, Tier
from hicp.errors import CatalogError, Problem

METHOD_FILE = Path(__file__).resolve().parent.parent / "data" / "scoring.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phase(_Frozen):
    key: str
    label: str
    within_days: Annotated[int, Field(ge=1)] | None = None  # None: the last phase, open-ended
    capacity: dict[Tier, Annotated[int, Field(ge=1)]] | None = None  # None: takes the rest


class ExposureLevels(_Frozen):
    """Where a threat's exposure (the share of its risk that remains) becomes medium and high."""

    medium_from: Annotated[float, Field(gt=0, lt=1)]
    high_from: Annotated[float, Field(gt=0, lt=1)]

    @model_validator(mode="after")
    def _ordered(self) -> ExposureLevels:
        if self.medium_from >= self.high_from:
            raise ValueError("exposure_levels.medium_from must be below high_from")
        return self


class Method(_Frozen):
    status_credit: dict[Status, Annotated[float, Field(ge=0, le=1)]]
    effort_points: dict[Effort, Annotated[int, Field(ge=1)]]
    phases: tuple[Phase, ...]
    exposure_levels: ExposureLevels

    @model_validator(mode="after")
    def _complete(self) -> Method:
        scored = set(Status) - {Status.NOT_APPLICABLE}
        if set(self.status_credit) != scored:
            raise ValueError("status_credit must give a credit for every status but not_applicable")
        if self.status_credit[Status.IMPLEMENTED] != 1.0:
            raise ValueError("status_credit.implemented must be 1.0")
        if set(self.effort_points) != set(Effort):
            raise ValueError("effort_points must give points for every effort tier")
        if any(p.within_days is None for p in self.phases[:-1]):
            raise ValueError("every phase but the last needs within_days")
        if not self.phases or self.phases[-1].capacity is not None:
            raise ValueError("the last phase must have no capacity: it takes what is left")
        if any(p.capacity is None or set(p.capacity) != set(Tier) for p in self.phases[:-1]):
            raise ValueError("every phase but the last needs a capacity for small, medium, large")
        return self


@lru_cache(maxsize=1)
def default_method() -> Method:
    data = yamlio.load(METHOD_FILE, CatalogError)
    try:
        return Method.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], file=METHOD_FILE, where=".".join(map(str, e["loc"])))
            for e in exc.errors()
        ]
        raise CatalogError(f"{METHOD_FILE}: the scoring method is invalid", problems) from None
