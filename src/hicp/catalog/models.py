"""Pydantic models of the HICP catalog: threats, practices, sub-practices, sources, size tiers."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

SUB_PRACTICE_ID = re.compile(r"^(?P<practice>[1-9]|10)\.(?P<tier>[SML])\.(?P<letter>[A-Z])$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ThreatId = Annotated[str, StringConstraints(pattern=r"^T[1-5]$")]
PracticeId = Annotated[str, StringConstraints(pattern=r"^P([1-9]|10)$")]
SubPracticeId = Annotated[str, StringConstraints(pattern=SUB_PRACTICE_ID.pattern)]
Score = Annotated[int, Field(ge=1, le=5)]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(StrEnum):
    """HICP's organization sizes; the letter is the one used in sub-practice IDs."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @property
    def letter(self) -> str:
        return self.value[0].upper()

    @property
    def rank(self) -> int:
        return ("small", "medium", "large").index(self.value)

    @classmethod
    def from_letter(cls, letter: str) -> Tier:
        return {"S": cls.SMALL, "M": cls.MEDIUM, "L": cls.LARGE}[letter]


class Effort(StrEnum):
    """How much work a sub-practice takes to put in place, in words a clinic manager can use."""

    HOURS = "hours"  # an afternoon
    DAYS = "days"  # a few days; a vendor may help
    WEEKS = "weeks"  # a few weeks of someone's time
    PROJECT = "project"  # a project with a budget and a plan


class Cost(StrEnum):
    FREE = "free"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


Edition = Annotated[str, StringConstraints(pattern=r"^(2018|2023)$")]


class Provenance(Frozen):
    """Where a catalog fact comes from and whether it was checked against the publication.

    A verified entry names where it was checked: a publication source needs ``page`` (the
    printed page, or the section heading when the copy checked has no page numbers); a web
    source is itself the page. The loader rejects a verified entry that names neither.
    """

    edition: Edition
    source: Text  # key into sources.yaml
    verified: bool
    page: Text | None = None  # where in the publication the fact was checked
    note: Text | None = None  # what is uncertain, when verified is false


class Source(Frozen):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    # publication: a document with pages; web: one web page (its URL is the page);
    # project: this project's own judgement, which can never verify an HICP fact.
    kind: Literal["publication", "web", "project"]
    title: Text
    url: Text | None = None
    note: Text | None = None


class Threat(Frozen):
    id: ThreatId
    name: Text  # 2023 edition name
    aliases: tuple[Text, ...] = ()  # earlier names, e.g. the 2018 edition's
    short: Text  # a few words for charts and tables
    summary: Text  # plain language for clinic staff
    description: Text  # technical wording for IT
    likelihood: Score  # default inherent likelihood, before any practice is in place
    impact: Score  # default inherent impact on patients and the organization
    rationale: Text  # why these defaults
    # Practices that mitigate this threat, each with how much it contributes (1-3).
    practices: dict[PracticeId, Annotated[int, Field(ge=1, le=3)]]
    # The practice HICP dedicates to this threat alone (P9 for medical devices): when every
    # in-scope item of it is not applicable, the threat is not applicable either.
    dedicated_practice: PracticeId | None = None
    provenance: Provenance


class DerivedCsf(Frozen):
    """CSF references borrowed from medium counterparts until HICP's own mapping is entered.

    HICP's resources volume maps small sub-practices to NIST CSF too, but that table has not
    been transcribed; until it is, a small item takes the CSF 1.1 references of the medium
    sub-practices of its practice that cover the same ground, and is marked derived everywhere.
    """

    # "from" in the YAML (a Python keyword, hence the alias)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source_items: tuple[SubPracticeId, ...] = Field(alias="from", min_length=1)
    reason: Text  # why these counterparts cover the same ground


class SubPractice(Frozen):
    id: SubPracticeId
    title: Text  # HICP's own title (facts may be quoted; prose may not)
    # Edition whose text the title was checked against; a 2023 title keeps the 2018 one as alias.
    title_edition: Edition
    aliases: tuple[Text, ...] = ()  # other titles HICP uses for the same item (2018 titles)
    question: Text  # one plain-language yes/no-ish question for clinic staff
    summary: Text  # what it is, in plain words
    why: Text  # why it matters: threats and patients, one or two sentences
    good: Text  # what "in place" looks like
    guidance: Text  # technical guidance for IT
    csf_1_1: tuple[Text, ...] = ()  # as HICP prints them; empty when HICP gives none
    csf_derived: DerivedCsf | None = None  # only where csf_1_1 is empty; see DerivedCsf
    hipaa: tuple[Text, ...] = ()  # HIPAA Security Rule standards this relates to (our mapping)
    effort: Effort
    cost: Cost
    depends_on: tuple[SubPracticeId, ...] = ()  # what should be in place first
    provenance: Provenance

    @property
    def practice_number(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def tier(self) -> Tier:
        return Tier.from_letter(self.id.split(".")[1])

    @field_validator("depends_on")
    @classmethod
    def _no_duplicates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("lists the same sub-practice twice")
        return value


class Practice(Frozen):
    id: PracticeId
    name: Text  # 2023 edition name
    aliases: tuple[Text, ...] = ()  # 2018 names (Technical Volume 1 and 2 differ for some)
    summary: Text  # plain language
    mitigates: tuple[ThreatId, ...]  # threats this practice mitigates, as HICP lists them
    metrics: tuple[Text, ...] = ()  # measures an organization can trend over time
    provenance: Provenance
    sub_practices: tuple[SubPractice, ...]

    @property
    def number(self) -> int:
        return int(self.id[1:])


class SizeCriterion(Frozen):
    """One row of HICP's sizing guidance: how a measure points to small, medium or large."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]
    label: Text
    question: Text
    kind: Annotated[str, StringConstraints(pattern=r"^(count|choice)$")]
    # count: the largest value that is still small, and still medium; anything above is large
    small_max: int | None = None
    medium_max: int | None = None
    # choice: each allowed answer and the tier it points to
    choices: dict[str, Tier] = Field(default_factory=dict)
    provenance: Provenance


class Sizing(Frozen):
    criteria: tuple[SizeCriterion, ...]


class CatalogInfo(Frozen):
    version: Text  # version of this catalog's data, recorded in every assessment
    hicp_edition: Text  # edition whose names it uses
    scope: dict[Tier, tuple[Tier, ...]]  # which sub-practice tiers each organization tier includes
    known_gaps: tuple[Text, ...] = ()  # what the catalog knowingly lacks or has not confirmed


class PerformanceGoal(Frozen):
    """One HHS HPH Cybersecurity Performance Goal and the sub-practices that decide it."""

    id: Annotated[str, StringConstraints(pattern=r"^HPH-[EX]\d{2}$")]
    tier: Annotated[str, StringConstraints(pattern=r"^(essential|enhanced)$")]
    title: Text
    sub_practices: tuple[SubPracticeId, ...]
    verified: bool = False  # the HICP mapping is this project's until HHS's table is transcribed
