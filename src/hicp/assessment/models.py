"""Pydantic models of an assessment file: the organization, its answers, and threat overrides."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from hicp.catalog.models import SUB_PRACTICE_ID, Score, Tier

SCHEMA_VERSION = 1

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Status(StrEnum):
    """Where a sub-practice stands. ``unknown`` is the honest "not sure": it scores like
    ``not_implemented`` and goes on the plan as something to find out."""

    IMPLEMENTED = "implemented"
    PARTIAL = "partial"
    PLANNED = "planned"
    NOT_IMPLEMENTED = "not_implemented"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.IMPLEMENTED: "Implemented",
    Status.PARTIAL: "Partially implemented",
    Status.PLANNED: "Planned",
    Status.NOT_IMPLEMENTED: "Not implemented",
    Status.UNKNOWN: "Not sure",
    Status.NOT_APPLICABLE: "Not applicable",
}

IN_PLACE = frozenset({Status.IMPLEMENTED, Status.PARTIAL})


class Answer(Frozen):
    status: Status | None = None  # None: not answered yet
    justification: Text | None = None  # required for not_applicable
    notes: Text | None = None
    evidence: tuple[Text, ...] = ()  # document names, ticket IDs, file paths or URLs
    owner: Text | None = None
    target_date: dt.date | None = None
    # Since when the practice has been in place: HHS weighs whether recognized security practices
    # were in place for the previous 12 months (Public Law 116-321).
    in_place_since: dt.date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Answer:
        if self.status is Status.NOT_APPLICABLE and self.justification is None:
            raise ValueError(
                "status not_applicable needs a justification: say why this does not apply"
            )
        if self.in_place_since is not None and self.status not in IN_PLACE:
            raise ValueError(
                "in_place_since is set, but the status is "
                f"{self.status.value if self.status else 'unanswered'}; only implemented or "
                "partial items are in place"
            )
        return self


class Profile(Frozen):
    """Answers to the sizing questions; kept so the tier choice can be explained later."""

    providers: Annotated[int, Field(ge=0)] | None = None
    beds: Annotated[int, Field(ge=0)] | None = None
    it_staff: Text | None = None
    it_assets: Annotated[int, Field(ge=0)] | None = None
    security_budget: Text | None = None


class Contact(Frozen):
    """Who to call for one role in an incident; used to fill in generated documents."""

    name: Text | None = None
    phone: Text | None = None
    email: Text | None = None


# Roles an incident-response plan needs, with the words documents use for them.
CONTACT_ROLES = {
    "incident_lead": "Incident lead",
    "executive": "Senior leader who decides",
    "it_support": "IT support (staff or company)",
    "privacy_officer": "Privacy officer",
    "security_officer": "Security officer",
    "legal": "Legal counsel",
    "cyber_insurance": "Cyber insurance claims line",
    "communications": "Communications lead",
}


# A stable identifier an organization keeps when its name changes (letters, digits, . _ -).
OrganizationId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
]


class Organization(Frozen):
    name: Text
    # Optional; when two files both carry one, comparisons go by it instead of the name.
    id: OrganizationId | None = None
    tier: Tier
    include_tiers: tuple[Tier, ...] = ()  # opt in to a higher tier's sub-practices
    profile: Profile = Profile()
    contacts: dict[str, Contact] = Field(default_factory=dict)

    @field_validator("contacts")
    @classmethod
    def _known_roles(cls, value: dict[str, Contact]) -> dict[str, Contact]:
        unknown = sorted(set(value) - set(CONTACT_ROLES))
        if unknown:
            raise ValueError(
                f"unknown contact role {', '.join(unknown)}; use: {', '.join(CONTACT_ROLES)}"
            )
        return value

    @model_validator(mode="after")
    def _higher_tiers_only(self) -> Organization:
        lower = [t.value for t in self.include_tiers if t.rank <= self.tier.rank]
        if lower:
            raise ValueError(
                f"include_tiers may only name tiers above {self.tier.value}; remove "
                + ", ".join(lower)
            )
        return self


class Meta(Frozen):
    date: dt.date
    assessor: Text | None = None
    catalog_version: Text


class ThreatOverride(Frozen):
    """An organization's own view of a threat, with its reason: a different inherent likelihood
    or impact, or that the threat does not apply to it at all (``not_applicable: true``)."""

    likelihood: Score | None = None
    impact: Score | None = None
    not_applicable: bool = False
    reason: Text

    @model_validator(mode="after")
    def _changes_something(self) -> ThreatOverride:
        rated = self.likelihood is not None or self.impact is not None
        if self.not_applicable and rated:
            raise ValueError(
                "a threat that does not apply has no likelihood or impact: remove them, or "
                "remove not_applicable"
            )
        if not self.not_applicable and not rated:
            raise ValueError(
                "give a likelihood or an impact (1-5) to override, or not_applicable: true"
            )
        return self


AnswerKey = Annotated[str, StringConstraints(pattern=SUB_PRACTICE_ID.pattern)]
ThreatKey = Annotated[str, StringConstraints(pattern=r"^T[1-5]$")]


class Assessment(Frozen):
    schema_version: Annotated[int, Field(ge=1, le=SCHEMA_VERSION)]
    organization: Organization
    assessment: Meta
    threats: dict[ThreatKey, ThreatOverride] = Field(default_factory=dict)
    answers: dict[AnswerKey, Answer] = Field(default_factory=dict)

    def answer(self, sub_practice_id: str) -> Answer:
        return self.answers.get(sub_practice_id) or Answer()

    @property
    def tier(self) -> Tier:
        return self.organization.tier
