"""Detection by content: every fixture and every real sample is claimed by its own kind only."""

from __future__ import annotations

from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import REGISTRY, SNIFF_BYTES, detect, importer, utf16_as_utf8
from tests.evidence.files import FIXTURES, SAMPLES, needs_samples

# Fixtures no kind may claim: a generic CSV without its title column is not yet any format.
UNRECOGNISED = {FIXTURES / "generic" / "missing_title.csv"}
# Only the folders named for an importer hold evidence exports (endoflife/ holds reference data).
FIXTURE_FILES = sorted(
    p
    for kind in REGISTRY
    for p in (FIXTURES / kind).rglob("*")
    if p.is_file() and p not in UNRECOGNISED
)
SAMPLE_KINDS = {"nessus_many_vuln.nessus": "nessus", "openvas_many_vuln.xml": "openvas",
                "qualys_sample_report.csv": "qualys"}  # fmt: skip


def claimed_by(path: Path) -> set[str]:
    head = utf16_as_utf8(path.read_bytes()[:SNIFF_BYTES])
    return {name for name in REGISTRY if importer(name).sniff(head, path)}


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_fixture_is_claimed_by_the_kind_of_its_folder_and_no_other(path: Path) -> None:
    assert claimed_by(path) == {path.parent.name}
    assert detect(path).name == path.parent.name


def test_a_fixture_that_is_no_format_yet_is_refused_by_every_kind() -> None:
    for path in UNRECOGNISED:
        assert claimed_by(path) == set()
        with pytest.raises(ImportError_, match="not a format hicp recognises"):
            detect(path)


@needs_samples
def test_each_real_sample_is_claimed_by_its_scanner_and_no_other() -> None:
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix != ".md")
    assert {p.name for p in files} == set(SAMPLE_KINDS)
    for path in files:
        assert claimed_by(path) == {SAMPLE_KINDS[path.name]}, path.name
