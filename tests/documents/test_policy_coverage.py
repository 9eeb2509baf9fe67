"""The policy set holds, for each organization size, every policy HICP lists for that size.

The lists, their sources and which of our sections cover each policy are data:
tests/documents/hicp_policy_lists.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from hicp import yamlio
from hicp.assessment.models import Assessment
from hicp.catalog import Catalog, Tier
from hicp.documents.library import load_library
from hicp.documents.tailor import tailor
from hicp.errors import CatalogError
from tests.conftest import assessment_data

LISTS = Path(__file__).with_name("hicp_policy_lists.yaml")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ListedPolicy(_Frozen):
    name: str
    verified: bool  # read in the source, not only assumed to match the other volume
    covered_by: tuple[str, ...] = Field(min_length=1)


class PolicyList(_Frozen):
    source: Literal["tv1", "tv2"]
    tiers: tuple[Tier, ...] = Field(min_length=1)
    policies: tuple[ListedPolicy, ...] = Field(min_length=1)


class PolicyLists(_Frozen):
    lists: tuple[PolicyList, ...]


def _lists() -> PolicyLists:
    return PolicyLists.model_validate(yamlio.load(LISTS, CatalogError))


def _cases() -> list[tuple[Tier, ListedPolicy]]:
    return [(tier, p) for entry in _lists().lists for tier in entry.tiers for p in entry.policies]


def test_every_organization_size_has_a_policy_list_with_its_source() -> None:
    lists = _lists().lists
    assert {tier for entry in lists for tier in entry.tiers} == set(Tier)
    assert {entry.source for entry in lists} == {"tv1", "tv2"}


@pytest.mark.parametrize(
    ("tier", "policy"), _cases(), ids=lambda v: v.name if isinstance(v, ListedPolicy) else str(v)
)
def test_the_policy_set_for_each_size_covers_each_policy_hicp_lists(
    catalog: Catalog, tier: Tier, policy: ListedPolicy
) -> None:
    assessment = Assessment.model_validate(assessment_data(catalog, tier))
    tailored = tailor(load_library()["policies"], assessment)
    headings = [section.heading for section in tailored.sections]
    missing = [heading for heading in policy.covered_by if heading not in headings]
    assert missing == [], f"{tier.value}: {policy.name} needs {missing}"
    covering = [s for s in tailored.sections if s.heading in policy.covered_by]
    for section in covering:  # a policy, not a bare heading
        words = " ".join(text for block in section.blocks for text in block.strings()).split()
        assert len(words) >= 80, section.heading
