"""Shared by the report tests: the shipped examples as contexts, and builders of altered ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from hicp.assessment.models import Assessment, Status
from hicp.assessment.store import load_assessment
from hicp.catalog import default_catalog
from hicp.evidence.evaluate import evaluate
from hicp.evidence.models import Asset, AssetType, Identity
from hicp.evidence.store import EvidenceStore
from hicp.reports.context import Audience, ItemRow, ReportContext, build_context
from tests.conftest import EXAMPLES

EXAMPLE_NAMES = ("small-clinic", "community-hospital", "health-system")
GENERATED_ON = dt.date(2026, 11, 20)
# The top-level sections of every report, in order (without a previous assessment).
SECTIONS = [
    "Executive summary",
    "Practice by practice",
    "Action plan",
    "Recognized security practices",
    "Crosswalk appendix",
    "About this report",
]
FORMULA_OWNER = '=HYPERLINK("http://x")'

# The community hospital answers 2.M.A and 1.M.B "implemented" and 3.M.D "partial"; the tool
# evidence below supports less for each (3 of 10 workstations lack an agent; 7 of 20 accounts
# lack MFA, which supports "not implemented"), so those three answers are in conflict. It
# supports more than the "partial" answers of 4.M.C (every workstation encrypted) and 3.M.B
# (no stale account): those two get a note.
EVIDENCE_EXAMPLE = "community-hospital"
EVIDENCE_CONFLICTS = ("1.M.B", "2.M.A", "3.M.D")
EVIDENCE_NOTES = ("3.M.B", "4.M.C")
SIGNED_IN = dt.date(2026, 9, 15)  # two weeks before the assessment: no account is stale


def example_context(name: str, audience: Audience = Audience.CLINIC) -> ReportContext:
    catalog = default_catalog()
    assessment = load_assessment(EXAMPLES / f"{name}.yaml", catalog).assessment
    return build_context(catalog, assessment, audience=audience, generated_on=GENERATED_ON)


def example_data(name: str) -> dict[str, Any]:
    """The example's assessment as plain data, to alter before validating it again."""
    assessment = load_assessment(EXAMPLES / f"{name}.yaml", default_catalog()).assessment
    return assessment.model_dump(mode="json")


def improved_since(name: str) -> tuple[ReportContext, list[str]]:
    """The example, compared with an older copy (2025-09-30) in which its first three
    implemented items were partial; with those items' IDs."""
    current = example_data(name)
    older = example_data(name)
    older["assessment"]["date"] = "2025-09-30"
    worse = [sid for sid, a in older["answers"].items() if a["status"] == "implemented"][:3]
    for sid in worse:
        older["answers"][sid]["status"] = Status.PARTIAL.value
    context = build_context(
        default_catalog(),
        Assessment.model_validate(current),
        previous=Assessment.model_validate(older),
        generated_on=GENERATED_ON,
    )
    return context, worse


def crafted(answers: Mapping[str, Mapping[str, Any]]) -> ReportContext:
    """The community hospital with (hostile) text typed into the fields of some answers."""
    data = example_data("community-hospital")
    for sid, fields in answers.items():
        data["answers"][sid].update(fields)
    return build_context(
        default_catalog(), Assessment.model_validate(data), generated_on=GENERATED_ON
    )


def previous_context(name: str, audience: Audience = Audience.CLINIC) -> ReportContext:
    """The example compared with an older copy (2026-03-31) in which its first three implemented
    items were not implemented."""
    catalog = default_catalog()
    current = load_assessment(EXAMPLES / f"{name}.yaml", catalog).assessment
    data = current.model_dump(mode="json")
    data["assessment"]["date"] = "2026-03-31"
    done = [sid for sid, a in current.answers.items() if a.status is Status.IMPLEMENTED][:3]
    for sid in done:
        data["answers"][sid].update(status="not_implemented", in_place_since=None)
    older = Assessment.model_validate(data)
    return build_context(
        catalog, current, previous=older, audience=audience, generated_on=GENERATED_ON
    )


def items_of(context: ReportContext) -> list[ItemRow]:
    """Every sub-practice row of the report, in report order."""
    return [i for p in context.practices for i in p.items]


def example_with_evidence(directory: Path, audience: Audience = Audience.CLINIC) -> ReportContext:
    """The community hospital with an inventory and an identity export imported beside it."""
    catalog = default_catalog()
    assessment = load_assessment(EXAMPLES / f"{EVIDENCE_EXAMPLE}.yaml", catalog).assessment
    assets = [
        Asset(
            hostname=f"ws{n:02}",
            type=AssetType.WORKSTATION,
            endpoint_agent=n > 3,  # ws01-ws03 have no agent: 70% is below the 75% bar
            disk_encrypted=True,
        )
        for n in range(1, 11)
    ]
    identities = [
        Identity(
            user=f"user{n:02}",
            mfa=n > 7,  # 13 of 20 (65%): below the 70% bar for partial
            privileged=n > 18,  # the two administrators do use MFA
            last_sign_in=SIGNED_IN,
        )
        for n in range(1, 21)
    ]
    inventory, accounts = directory / "assets.csv", directory / "users.csv"
    inventory.write_text("inventory export\n")
    accounts.write_text("identity export\n")
    with EvidenceStore(directory / "evidence.db") as store:
        store.store(inventory, "inventory", assets)
        store.store(accounts, "identity", identities)
        evidence = evaluate(catalog, assessment, store)
    return build_context(
        catalog, assessment, audience=audience, generated_on=GENERATED_ON, evidence=evidence
    )


@pytest.fixture(scope="session", params=EXAMPLE_NAMES)
def context(request: pytest.FixtureRequest) -> ReportContext:
    """One context per example organization (tests using it run three times)."""
    return example_context(request.param)


@pytest.fixture(scope="session")
def evidence_context(tmp_path_factory: pytest.TempPathFactory) -> ReportContext:
    """The community hospital with tool evidence that contradicts three of its answers."""
    return example_with_evidence(tmp_path_factory.mktemp("evidence"))
