"""The document model: what a tailored document is made of, whatever format it is written in.

Document text lives in data/documents/*.yaml, in this project's own words. Text may hold
placeholders in braces, from a fixed list (PLACEHOLDERS), filled from the assessment file; a
placeholder with no value is printed as a blank line to fill in by hand.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from hicp.assessment.models import CONTACT_ROLES
from hicp.catalog.models import SUB_PRACTICE_ID, Tier

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SubPracticeId = Annotated[str, StringConstraints(pattern=SUB_PRACTICE_ID.pattern)]

CONTACT_FIELDS = ("name", "phone", "email")


PLACEHOLDERS = {
    "organization": "the organization's name",
    "tier": "small, medium or large",
    "assessment_date": "the date of the assessment",
    "today": "the date the document is generated",
    "year": "the year the document is generated",
    **{
        f"contact.{role}.{field}": f"{label}: {field}"
        for role, label in CONTACT_ROLES.items()
        for field in CONTACT_FIELDS
    },
}
PLACEHOLDER = re.compile(r"\{([a-z_.]+)\}")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Table(_Frozen):
    headers: tuple[Text, ...]
    rows: tuple[tuple[str, ...], ...]

    @model_validator(mode="after")
    def _rectangular(self) -> Table:
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError(f"a row has {len(row)} cells for {len(self.headers)} headers")
        return self


class Block(_Frozen):
    """Exactly one kind of content: a paragraph, a list, a checklist, a table, a call-out,
    or blank fields to fill in by hand (``label: ________``)."""

    text: Text | None = None
    bullets: tuple[Text, ...] | None = None
    numbered: tuple[Text, ...] | None = None
    checklist: tuple[Text, ...] | None = None
    table: Table | None = None
    note: Text | None = None
    fields: tuple[Text, ...] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Block:
        kinds = [k for k in self.model_fields_set if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "a block holds exactly one of text, bullets, numbered, checklist, table, note, "
                f"fields (found: {', '.join(kinds) or 'none'})"
            )
        return self

    @property
    def kind(self) -> str:
        return next(
            k
            for k in ("text", "bullets", "numbered", "checklist", "table", "note", "fields")
            if getattr(self, k) is not None
        )

    def strings(self) -> list[str]:
        """Every piece of text in the block, for placeholder checks."""
        if self.table is not None:
            return [*self.table.headers, *(c for row in self.table.rows for c in row)]
        value = getattr(self, self.kind)
        return [value] if isinstance(value, str) else list(value)


class Section(_Frozen):
    heading: Text
    tiers: tuple[Tier, ...] = ()  # empty: every organization size
    supports: tuple[SubPracticeId, ...] = ()  # sub-practices this section speaks to
    blocks: tuple[Block, ...]


class DocumentSpec(_Frozen):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Text
    summary: Text  # one line for `hicp docs list`
    audience: Annotated[str, StringConstraints(pattern=r"^(everyone|staff|it|leadership)$")]
    supports: tuple[SubPracticeId, ...] = Field(min_length=1)  # what adopting it evidences
    tiers: tuple[Tier, ...] = ()  # empty: offered to every organization size
    one_page: bool = False  # meant to print on one page (awareness sheets, checklists)
    sections: tuple[Section, ...] = Field(min_length=1)

    def all_supports(self) -> tuple[str, ...]:
        found = dict.fromkeys(self.supports)
        for section in self.sections:
            found.update(dict.fromkeys(section.supports))
        return tuple(found)
