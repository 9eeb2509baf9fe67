"""Tailoring: a document spec plus an assessment gives the organization's own document.

Sections meant for other organization sizes are left out; placeholders are filled from the
assessment file; an unknown value becomes a blank line to complete by hand, never a guess.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from hicp.assessment.models import Assessment
from hicp.documents.models import PLACEHOLDER, Block, DocumentSpec, Section, Table

BLANK = "________________"


class Tailored(BaseModel):
    """A document ready to render: its text is final."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    organization: str
    generated_on: dt.date
    supports: tuple[str, ...]
    one_page: bool
    sections: tuple[Section, ...]


def values_for(assessment: Assessment, today: dt.date) -> dict[str, str]:
    org = assessment.organization
    values = {
        "organization": org.name,
        "tier": org.tier.value,
        "assessment_date": assessment.assessment.date.isoformat(),
        "today": today.isoformat(),
        "year": str(today.year),
    }
    for role, contact in org.contacts.items():
        for field in ("name", "phone", "email"):
            value = getattr(contact, field)
            if value:
                values[f"contact.{role}.{field}"] = value
    return values


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), BLANK), text)


def _fill_block(block: Block, values: dict[str, str]) -> Block:
    if block.table is not None:
        table = Table(
            headers=tuple(fill(h, values) for h in block.table.headers),
            rows=tuple(tuple(fill(c, values) for c in row) for row in block.table.rows),
        )
        return Block(table=table)
    value = getattr(block, block.kind)
    filled = fill(value, values) if isinstance(value, str) else [fill(v, values) for v in value]
    return Block.model_validate({block.kind: filled})


def tailor(spec: DocumentSpec, assessment: Assessment, today: dt.date | None = None) -> Tailored:
    today = today or dt.date.today()
    org = assessment.organization
    sizes = {org.tier, *org.include_tiers}  # an organization that opted up sees those sections
    values = values_for(assessment, today)
    sections = tuple(
        Section(
            heading=fill(s.heading, values),
            supports=s.supports,
            blocks=tuple(_fill_block(b, values) for b in s.blocks),
        )
        for s in spec.sections
        if not s.tiers or sizes & set(s.tiers)
    )
    # Cite only what this copy contains: a dropped section's sub-practices are not supported.
    supports = tuple(dict.fromkeys([*spec.supports, *(i for s in sections for i in s.supports)]))
    return Tailored(
        name=spec.name,
        title=fill(spec.title, values),
        organization=org.name,
        generated_on=today,
        supports=supports,
        one_page=spec.one_page,
        sections=sections,
    )
