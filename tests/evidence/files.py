"""The input files of the evidence tests, and the helpers the importers' tests share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import Importer
from hicp.evidence.store import EvidenceStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Real scanner exports, in a checkout of ../shared beside the repository when there is one
# (or where HICP_SAMPLES points, for a worktree that sits deeper).
SAMPLES = Path(
    os.environ.get("HICP_SAMPLES")
    or Path(__file__).resolve().parents[3] / "shared" / "samples" / "scans"
)
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="../shared/samples/scans is not checked out beside the repository"
)

# Exports each importer reads, and that the other importers must turn down.
ASSETS = FIXTURES / "inventory" / "assets.csv"
ASSET_TAGS = FIXTURES / "inventory" / "asset-tags.csv"
IDENTITY_GENERIC = FIXTURES / "identity" / "generic.csv"
ENTRA_REGISTRATION = FIXTURES / "identity" / "entra-registration.csv"
OKTA = FIXTURES / "identity" / "okta.csv"
GOOGLE = FIXTURES / "identity" / "google.csv"
ZONE = FIXTURES / "dns" / "northside-clinic.zone"
DIG = FIXTURES / "dns" / "mail-domains.dig"
NESSUS_SCAN = FIXTURES / "nessus" / "clinic_scan.nessus"
OPENVAS_REPORT = FIXTURES / "openvas" / "clinic_report.xml"
OPENVAS_OMP = FIXTURES / "openvas" / "omp_report.xml"
QUALYS_CSV = FIXTURES / "qualys" / "clinic_vulns.csv"
QUALYS_SCAN = FIXTURES / "qualys" / "clinic_scan.xml"
QUALYS_ASSETS = FIXTURES / "qualys" / "clinic_asset_data.xml"
GENERIC_FINDINGS = FIXTURES / "generic" / "findings.csv"

DNS_EXPORTS = (ZONE, DIG)
OPENVAS_REPORTS = (OPENVAS_REPORT, OPENVAS_OMP)
QUALYS_EXPORTS = (QUALYS_CSV, QUALYS_SCAN, QUALYS_ASSETS)
# One export of each scanner: none of them is an inventory, a user list or DNS records.
SCANNER_EXPORTS = (QUALYS_CSV, GENERIC_FINDINGS, NESSUS_SCAN, OPENVAS_REPORT)


def sniff(importer: Importer, path: Path) -> bool:
    """Whether ``importer`` claims the file from its first 64 KiB, as detection reads it."""
    return importer.sniff(path.read_bytes()[: 64 * 1024], path)


def write(tmp_path: Path, data: str | bytes, name: str = "table.csv") -> Path:
    """``data`` saved as ``tmp_path / name``, text as UTF-8."""
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def error_text(error: pytest.ExceptionInfo[ImportError_]) -> str:
    """Every problem of an import error, one a line."""
    return "\n".join(str(p) for p in error.value.problems)


def problem(error: pytest.ExceptionInfo[ImportError_]) -> str:
    """The one problem of an import error."""
    assert len(error.value.problems) == 1
    return str(error.value.problems[0])


def stored_findings(db: Path) -> int:
    with EvidenceStore(db) as store:
        return int(store.db.execute("SELECT count(*) FROM findings").fetchone()[0])


def file_sha(path: Path) -> str:
    """The SHA-256 by which the store recognises a file imported before."""
    from hicp.evidence.store import file_digest

    return file_digest(path)[0]
