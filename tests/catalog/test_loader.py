"""A broken catalog is reported once, with file, line, entry and field for every problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hicp.catalog import load_catalog
from hicp.catalog.loader import DATA_DIR
from hicp.errors import CatalogError


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def _problems(data_dir: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(data_dir)
    return [str(p) for p in info.value.problems]


def test_a_copy_of_the_shipped_catalog_loads(data_dir: Path) -> None:
    assert len(load_catalog(data_dir).sub_practices) == 89


def test_bad_enum_value_names_file_line_entry_and_field(data_dir: Path) -> None:
    path = data_dir / "catalog" / "practices" / "07-vulnerability-management.yaml"
    text = path.read_text(encoding="utf-8")
    head, block = text.split("  - id: 7.M.D\n", 1)
    block = block.replace("    effort: weeks\n", "    effort: forever\n", 1)
    path.write_text(f"{head}  - id: 7.M.D\n{block}", encoding="utf-8")
    problems = _problems(data_dir)
    line = _line_of(path, "effort: forever")
    assert len(problems) == 1
    assert f"07-vulnerability-management.yaml:{line}" in problems[0]
    assert "[7.M.D.effort]" in problems[0]


def test_unknown_reference_and_dependency_are_both_reported(data_dir: Path) -> None:
    path = data_dir / "catalog" / "practices" / "01-email-protection.yaml"
    _edit(path, "csf_1_1: [PR.AC-7]", "csf_1_1: [PR.XX-9]")
    _edit(path, "depends_on: [1.S.B]", "depends_on: [1.S.Z]")
    problems = _problems(data_dir)
    assert any(
        "unknown NIST CSF 1.1 reference 'PR.XX-9'" in p and "1.M.B.csf_1_1" in p for p in problems
    )
    assert any("depends on unknown sub-practice 1.S.Z" in p and "1.S.C" in p for p in problems)


def test_duplicate_sub_practice_id_is_reported(data_dir: Path) -> None:
    path = data_dir / "catalog" / "practices" / "01-email-protection.yaml"
    _edit(path, "- id: 1.M.C", "- id: 1.M.B")
    problems = _problems(data_dir)
    assert any("ID 1.M.B is already used" in p for p in problems)


def test_dependency_cycle_is_reported(data_dir: Path) -> None:
    path = data_dir / "catalog" / "practices" / "01-email-protection.yaml"
    _edit(path, "  - id: 1.S.B\n", "  - id: 1.S.B\n    depends_on: [1.S.C]\n")
    problems = _problems(data_dir)
    assert any("dependency cycle" in p for p in problems)


def test_yaml_syntax_error_names_the_line(data_dir: Path) -> None:
    path = data_dir / "catalog" / "threats.yaml"
    _edit(path, "  likelihood: 5\n", "  likelihood: [5\n")
    problems = _problems(data_dir)
    assert any("threats.yaml:" in p and "not valid YAML" in p for p in problems)


def test_missing_practice_file_is_reported(data_dir: Path) -> None:
    (data_dir / "catalog" / "practices" / "09-medical-devices.yaml").unlink()
    problems = _problems(data_dir)
    assert any("missing practices: P9" in p for p in problems)
    # P9 was the only practice mitigating T5 on its own; other practices still mitigate T5.


def test_unknown_field_is_rejected(data_dir: Path) -> None:
    path = data_dir / "catalog" / "threats.yaml"
    _edit(path, "  likelihood: 5\n", "  likelihood: 5\n  likelyhood: 4\n")
    problems = _problems(data_dir)
    assert any("T1.likelyhood" in p for p in problems)


def test_every_problem_is_collected_before_raising(data_dir: Path) -> None:
    practices = data_dir / "catalog" / "practices"
    _edit(practices / "02-endpoint-protection.yaml", "cost: ", "cost: priceless #")
    _edit(practices / "06-network-management.yaml", "effort: ", "effort: eternal #")
    problems = _problems(data_dir)
    assert any("02-endpoint-protection.yaml" in p for p in problems)
    assert any("06-network-management.yaml" in p for p in problems)


def test_a_verified_entry_without_a_page_names_file_line_and_entry(data_dir: Path) -> None:
    path = data_dir / "catalog" / "practices" / "07-vulnerability-management.yaml"
    needle = (
        'page: "section Cybersecurity Practice #7: Vulnerability Management, sub-practice 7.M.D"'
    )
    line = _line_of(path, needle) - 1  # the `verified: true` line above it
    _edit(path, f"      {needle}\n", "")
    problems = _problems(data_dir)
    assert len(problems) == 1
    assert f"07-vulnerability-management.yaml:{line}" in problems[0]
    assert "[7.M.D.provenance.verified]" in problems[0]
    assert "names no page of 'hicp-2018-tv2'" in problems[0]


def test_the_projects_own_judgement_cannot_verify_an_entry(data_dir: Path) -> None:
    path = data_dir / "catalog" / "practices" / "10-governance.yaml"
    _edit(
        path, "source: hicp-2018-tv1\n      verified: true", "source: project\n      verified: true"
    )
    problems = _problems(data_dir)
    assert len(problems) == 1
    assert "10.S.A.provenance.verified" in problems[0]
    assert "project's own judgement" in problems[0]


def test_derived_references_must_come_from_a_medium_item_of_the_same_practice(
    data_dir: Path,
) -> None:
    path = data_dir / "catalog" / "practices" / "06-network-management.yaml"
    _edit(path, "from: [6.M.C]", "from: [6.L.B, 7.M.A]")
    problems = _problems(data_dir)
    assert len(problems) == 2
    assert all("6.S.C.csf_derived" in p and "06-network-management.yaml:" in p for p in problems)
    assert any("6.L.B, which is not a medium item of the same practice" in p for p in problems)
    assert any("7.M.A, which is not a medium item of the same practice" in p for p in problems)


def test_an_item_with_hicp_references_must_not_derive_others(data_dir: Path) -> None:
    path = data_dir / "catalog" / "practices" / "06-network-management.yaml"
    _edit(
        path,
        "    csf_derived:\n      from: [6.M.C]",
        "    csf_1_1: [DE.CM-1]\n    csf_derived:\n      from: [6.M.C]",
    )
    problems = _problems(data_dir)
    assert len(problems) == 1
    assert "has HICP's own NIST references" in problems[0]
