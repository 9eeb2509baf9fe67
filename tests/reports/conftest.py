"""Report contexts for the three shipped examples, built once per test session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hicp.assessment.store import load_assessment
from hicp.catalog import default_catalog
from hicp.evidence.evaluate import evaluate
from hicp.evidence.models import Asset, AssetType, Identity
from hicp.evidence.store import EvidenceStore
from hicp.reports.context import Audience, ReportContext, build_context
from tests.conftest import EXAMPLES

EXAMPLE_NAMES = ("small-clinic", "community-hospital", "health-system")
GENERATED_ON = dt.date(2026, 11, 20)

# The community hospital answers 2.M.A, 1.M.B and 3.M.C "implemented"; the tool evidence below
# supports less for each (3 of 10 workstations lack an agent; 4 of 20 accounts lack MFA), so
# those three answers are in conflict. It supports more than the "partial" answers of 4.M.C
# (every workstation encrypted) and 3.M.B (no stale account): those two get a note.
EVIDENCE_EXAMPLE = "community-hospital"
EVIDENCE_CONFLICTS = ("1.M.B", "2.M.A", "3.M.C")
EVIDENCE_NOTES = ("3.M.B", "4.M.C")
SIGNED_IN = dt.date(2026, 9, 15)  # two weeks before the assessment: no account is stale


def example_context(name: str, audience: Audience = Audience.CLINIC) -> ReportContext:
    catalog = default_catalog()
    assessment = load_assessment(EXAMPLES / f"{name}.yaml", catalog).assessment
    return build_context(catalog, assessment, audience=audience, generated_on=GENERATED_ON)


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
            mfa=n > 4,  # 16 of 20 (80%): partial, not implemented
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
