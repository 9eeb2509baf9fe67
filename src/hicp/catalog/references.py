"""NIST CSF 1.1 / 2.0 and HIPAA Security Rule reference tables, and the crosswalks between them."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Reference:
    id: str
    level: str  # function | category | subcategory | section | standard
    name: str
    outcome: str = ""


@dataclass(frozen=True)
class References:
    csf_1_1: dict[str, Reference]
    csf_2_0: dict[str, Reference]
    hipaa: dict[str, Reference]
    csf_1_1_to_2_0: dict[str, tuple[str, ...]]
    hipaa_to_csf_2_0: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def csf_function(self, csf_2_0_id: str) -> str:
        """The CSF 2.0 function (GV, ID, PR, DE, RS, RC) an ID belongs to."""
        return csf_2_0_id.split(".")[0]

    def csf_category(self, csf_2_0_id: str) -> str:
        return csf_2_0_id.split("-")[0]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _table(path: Path) -> dict[str, Reference]:
    return {
        row["id"]: Reference(row["id"], row["level"], row["name"], row.get("outcome") or "")
        for row in _rows(path)
    }


def _links(path: Path, source: str, target: str) -> dict[str, tuple[str, ...]]:
    links: dict[str, list[str]] = defaultdict(list)
    for row in _rows(path):
        links[row[source]].append(row[target])
    return {key: tuple(sorted(set(values))) for key, values in links.items()}


def load_references(directory: Path) -> References:
    return References(
        csf_1_1=_table(directory / "csf-1.1.csv"),
        csf_2_0=_table(directory / "csf-2.0.csv"),
        hipaa=_table(directory / "hipaa-security-rule.csv"),
        csf_1_1_to_2_0=_links(directory / "csf-1.1-to-2.0.csv", "csf_1_1", "csf_2_0"),
        hipaa_to_csf_2_0=_links(directory / "hipaa-to-csf-2.0.csv", "hipaa_standard", "csf_2_0"),
    )
