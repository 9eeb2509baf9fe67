"""The shared PDF text helper: what it joins, and that every PDF text test goes through it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.pdf_text import normalise


@pytest.mark.parametrize(
    ("extracted", "expected"),
    [
        ("uses multifactor sign-\nin", "uses multifactor sign-in"),
        ("Multi\u2010\nfactor", "Multifactor"),
        ("multi\u00adfactor", "multifactor"),
        ("16 of 20\n(80%)", "16 of 20 (80%)"),
        ("Page\u00a01  of\t\n3", "Page 1 of 3"),
        ("2024 -\n2025", "2024 - 2025"),
    ],
)
def test_line_breaks_hyphenation_and_spacing_do_not_change_the_text(
    extracted: str, expected: str
) -> None:
    assert normalise(extracted) == expected


def test_no_test_extracts_pdf_text_without_the_shared_helper() -> None:
    helper = ROOT / "tests" / "pdf_text.py"
    direct = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path != helper and re.search(r"\.extract_text\(", path.read_text(encoding="utf-8"))
    ]
    assert direct == [], "use tests.pdf_text instead of pypdf's extract_text"
