"""`hicp report --previous`, `hicp diff` and `hicp trend` refuse files that cannot be compared."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import hicp
from tests.conftest import EXAMPLES


def _copy(source: Path, target: Path, **replace: str) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


def test_report_refuses_another_organizations_file_as_previous(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    code, _, err = hicp(
        "report",
        str(EXAMPLES / "small-clinic.yaml"),
        "--previous",
        str(EXAMPLES / "community-hospital.yaml"),
        "-o",
        str(out),
    )
    assert code == 2
    assert "Kestrel Bay Community Hospital" in err and "Larkspur Hollow Family Practice" in err
    assert not out.exists()  # nothing written


def test_report_refuses_a_previous_assessment_dated_after_the_current_one(tmp_path: Path) -> None:
    clinic = EXAMPLES / "small-clinic.yaml"
    later = _copy(clinic, tmp_path / "later.yaml", **{"date: 2026-10-15": "date: 2027-03-01"})
    code, _, err = hicp(
        "report", str(clinic), "--previous", str(later), "-o", str(tmp_path / "r.md")
    )
    assert code == 2 and "dated 2027-03-01, after" in err


def test_force_lets_a_renamed_organization_be_compared(tmp_path: Path) -> None:
    clinic = EXAMPLES / "small-clinic.yaml"
    renamed = _copy(
        clinic,
        tmp_path / "renamed.yaml",
        **{"Larkspur Hollow Family Practice": "Larkspur Hollow Health", "2026-10-15": "2026-04-15"},
    )
    code, _, err = hicp("diff", str(renamed), str(clinic), "--format", "json")
    assert code == 2 and "--force" in err
    code, out, _ = hicp("diff", str(renamed), str(clinic), "--format", "json", "--force")
    assert code == 0, out


def test_trend_refuses_mixed_organizations(tmp_path: Path) -> None:
    code, _, err = hicp(
        "trend", str(EXAMPLES / "small-clinic.yaml"), str(EXAMPLES / "community-hospital.yaml")
    )
    assert code == 2 and "cannot draw a trend" in err
