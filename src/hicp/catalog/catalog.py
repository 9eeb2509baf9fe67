"""The loaded, cross-checked HICP catalog and the questions asked of it (scope, lookup, search)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from hicp.catalog.models import (
    CatalogInfo,
    PerformanceGoal,
    Practice,
    Sizing,
    Source,
    SubPractice,
    Threat,
    Tier,
)
from hicp.catalog.references import References
from hicp.errors import NotFoundError


@dataclass(frozen=True)
class Catalog:
    info: CatalogInfo
    threats: dict[str, Threat]
    practices: dict[str, Practice]
    sources: dict[str, Source]
    sizing: Sizing
    references: References
    goals: dict[str, PerformanceGoal]

    @cached_property
    def sub_practices(self) -> dict[str, SubPractice]:
        return {sp.id: sp for p in self.practices.values() for sp in p.sub_practices}

    @cached_property
    def _practice_of(self) -> dict[str, Practice]:
        return {sp.id: p for p in self.practices.values() for sp in p.sub_practices}

    @property
    def version(self) -> str:
        return self.info.version

    def practice_of(self, sub_practice_id: str) -> Practice:
        return self._practice_of[sub_practice_id]

    def threats_of(self, sub_practice_id: str) -> tuple[str, ...]:
        """HICP lists threats per practice, so a sub-practice mitigates its practice's threats."""
        return self._practice_of[sub_practice_id].mitigates

    def practices_mitigating(self, threat_id: str) -> tuple[Practice, ...]:
        return tuple(p for p in self.practices.values() if threat_id in p.mitigates)

    def csf_1_1_of(self, sub_practice: SubPractice) -> tuple[str, ...]:
        """HICP's own CSF 1.1 references, or those derived from the medium counterparts.

        ``csf_is_derived`` says which; every place that shows these must say so too.
        """
        if sub_practice.csf_1_1 or sub_practice.csf_derived is None:
            return sub_practice.csf_1_1
        refs: list[str] = []
        for source_id in sub_practice.csf_derived.source_items:
            refs.extend(r for r in self.sub_practices[source_id].csf_1_1 if r not in refs)
        return tuple(refs)

    def csf_is_derived(self, sub_practice: SubPractice) -> bool:
        """True when the item's CSF references are borrowed from medium counterparts."""
        return not sub_practice.csf_1_1 and sub_practice.csf_derived is not None

    def csf_2_0_of(self, sub_practice: SubPractice) -> tuple[str, ...]:
        """CSF 2.0 references reached from the item's CSF 1.1 ones through NIST's crosswalk."""
        derived: set[str] = set()
        for ref in self.csf_1_1_of(sub_practice):
            derived.update(self.references.csf_1_1_to_2_0.get(ref, ()))
        return tuple(sorted(derived))

    def tiers_in_scope(self, tier: Tier, include: Iterable[Tier] = ()) -> tuple[Tier, ...]:
        tiers = set(self.info.scope[tier]) | set(include)
        return tuple(sorted(tiers, key=lambda t: t.rank))

    def in_scope(self, tier: Tier, include: Iterable[Tier] = ()) -> tuple[SubPractice, ...]:
        """Sub-practices an organization of ``tier`` is assessed on, in catalog order."""
        tiers = set(self.tiers_in_scope(tier, include))
        return tuple(sp for sp in self.sub_practices.values() if sp.tier in tiers)

    def get(self, item_id: str) -> Threat | Practice | SubPractice:
        """Look up a threat (T2), practice (P7 or 7) or sub-practice (7.M.D), case-insensitively."""
        key = item_id.strip().upper()
        if key.isdigit():
            key = f"P{key}"
        for table in (self.sub_practices, self.practices, self.threats):
            if key in table:
                return table[key]
        raise NotFoundError(
            f"{item_id!r} is not a threat (T1-T5), practice (P1-P10) or sub-practice ID "
            "(like 7.M.D) in the catalog; `hicp catalog list` shows them all"
        )

    def search(self, text: str) -> tuple[SubPractice, ...]:
        """Sub-practices whose words contain every word of ``text`` (case-insensitive)."""
        words = text.lower().split()
        found = []
        for sp in self.sub_practices.values():
            practice = self._practice_of[sp.id]
            haystack = " ".join(
                [
                    sp.id,
                    sp.title,
                    *sp.aliases,
                    sp.question,
                    sp.summary,
                    sp.why,
                    sp.good,
                    sp.guidance,
                    practice.name,
                    *practice.aliases,
                ]
            ).lower()
            if all(word in haystack for word in words):
                found.append(sp)
        return tuple(found)
