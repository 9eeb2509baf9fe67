"""`hicp evidence update-data`: installing newer end-of-life and KEV data, refusing bad or old."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from hicp.evidence.os_lifecycle import Support, judge
from hicp.evidence.os_names import recognise
from hicp.evidence.reference_data import kev_data, os_lifecycle_data
from tests.cli.test_cli import hicp

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "endoflife"
KEV_SOURCE = Path(__file__).resolve().parents[2] / "src/hicp/data/reference/kev.json"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-data"
    monkeypatch.setenv("HICP_DATA_DIR", str(folder))
    return folder


def cisa_json(tmp_path: Path, version: str, extra: list[dict[str, str]] | None = None) -> Path:
    """A CISA-shaped KEV file built from the shipped compact copy."""
    shipped = json.loads(KEV_SOURCE.read_text())
    vulns = [
        {
            "cveID": cve,
            "vendorProject": vendor,
            "product": product,
            "vulnerabilityName": "x",
            "dateAdded": added,
            "knownRansomwareCampaignUse": "Known" if ransomware else "Unknown",
        }
        for cve, added, vendor, product, ransomware in shipped["entries"]
    ] + (extra or [])
    path = tmp_path / f"kev-{version}.json"
    released = version.replace(".", "-") + "T12:00:00.000Z"
    path.write_text(
        json.dumps(
            {
                "title": "CISA Catalog of Known Exploited Vulnerabilities",
                "catalogVersion": version,
                "dateReleased": released,
                "count": len(vulns),
                "vulnerabilities": vulns,
            }
        )
    )
    return path


NEW_CVE = {
    "cveID": "CVE-2025-99999",
    "vendorProject": "Acme",
    "product": "Pump",
    "vulnerabilityName": "x",
    "dateAdded": "2025-09-01",
    "knownRansomwareCampaignUse": "Known",
}


def test_a_newer_kev_catalog_is_installed_and_used(tmp_path: Path, data_dir: Path) -> None:
    code, out, err = hicp(
        "evidence", "update-data", str(cisa_json(tmp_path, "2025.09.01", [NEW_CVE]))
    )
    assert code == 0, err
    assert "version 2025.09.01" in out and "replacing CISA KEV catalog version 2025.08.25" in out
    assert (data_dir / "kev.json").is_file() and (data_dir / "LICENSE-kev").is_file()
    assert kev_data().version == "2025.09.01" and "CVE-2025-99999" in kev_data().cves


def test_an_older_kev_catalog_is_refused_unless_forced(tmp_path: Path, data_dir: Path) -> None:
    older = cisa_json(tmp_path, "2025.01.02")
    code, _, err = hicp("evidence", "update-data", str(older))
    assert code != 0 and "older than the one in use (2025.08.25)" in err and "--force" in err
    assert not (data_dir / "kev.json").exists()
    code, _, err = hicp("evidence", "update-data", str(older), "--force")
    assert code == 0, err
    assert kev_data().version == "2025.01.02"


def test_a_malformed_kev_entry_is_named_by_file_and_field(tmp_path: Path, data_dir: Path) -> None:
    bad = dict(NEW_CVE, dateAdded="2025-13-45")
    path = cisa_json(tmp_path, "2025.09.01", [bad])
    code, _, err = hicp("evidence", "update-data", str(path))
    assert code != 0
    assert str(path) in err and "dateAdded" in err and "vulnerabilities." in err
    assert not (data_dir / "kev.json").exists()


def test_newer_end_of_life_data_is_installed_and_takes_precedence(
    tmp_path: Path, data_dir: Path
) -> None:
    products = tmp_path / "products"
    shutil.copytree(FIXTURES, products)
    debian = products / "debian.yaml"
    debian.write_text(debian.read_text().replace("eol: 2026-07-11", "eol: 2030-07-11", 1))
    raw = "Debian GNU/Linux 12 (bookworm)"
    as_of = dt.date(2026, 9, 1)
    assert judge(os_lifecycle_data(), recognise(raw), as_of, raw).support is Support.END_OF_LIFE
    code, out, err = hicp("evidence", "update-data", str(products))
    assert code == 0, err
    assert "end-of-life data" in out and "replacing" in out and "snapshot of" in out
    assert (data_dir / "os_lifecycle.yaml").is_file()
    assert judge(os_lifecycle_data(), recognise(raw), as_of, raw).support is Support.SUPPORTED
    # The other products are kept: one product file refreshes that product only.
    centos = "CentOS Linux release 7.9.2009 (Core)"
    assert (
        judge(os_lifecycle_data(), recognise(centos), as_of, centos).support is Support.END_OF_LIFE
    )


def test_older_end_of_life_data_for_a_product_is_refused_unless_forced(
    tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "debian.yaml"
    text = (FIXTURES / "debian.yaml").read_text()
    start, end = text.index('  - releaseCycle: "13"'), text.index('  - releaseCycle: "12"')
    path.write_text(text[:start] + text[end:])  # as before Debian 13 was released
    code, _, err = hicp("evidence", "update-data", str(path))
    assert code != 0 and "debian" in err and "older" in err and "--force" in err
    assert not (data_dir / "os_lifecycle.yaml").exists()


def test_an_end_of_life_file_without_a_release_cycle_is_refused(
    tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "ubuntu.md"
    path.write_text("---\ntitle: Ubuntu\ncategory: os\nreleases:\n  - eol: 2030-01-01\n---\n")
    code, _, err = hicp("evidence", "update-data", str(path))
    assert code != 0 and str(path) in err and "releases.0" in err
    assert not (data_dir / "os_lifecycle.yaml").exists()


def test_a_file_that_is_neither_kind_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    code, _, err = hicp("evidence", "update-data", str(path))
    assert code != 0 and "not a CISA KEV catalog" in err and str(path) in err


def test_evidence_show_names_the_reference_data_in_use(tmp_path: Path, data_dir: Path) -> None:
    assessment = tmp_path / "clinic.yaml"
    assert hicp("init", str(assessment), "--size", "medium", "--date", "2026-11-01")[0] == 0
    inventory = Path(__file__).resolve().parents[1] / "fixtures" / "inventory" / "assets.csv"
    assert hicp("evidence", "import", str(assessment), str(inventory))[0] == 0
    code, out, err = hicp("evidence", "show", str(assessment))
    assert code == 0, err
    assert "snapshot of 2026-08-22" in out and "KEV catalog version 2025.08.25" in out
    hicp("evidence", "update-data", str(cisa_json(tmp_path, "2025.09.01", [NEW_CVE])))
    _, shown, _ = hicp("evidence", "show", str(assessment), "--format", "json")
    kev = json.loads(shown)["reference_data"][1]
    assert "2025.09.01" in kev["data"] and kev["installed"] is True
