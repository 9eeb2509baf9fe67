"""The hardened XML reader: entity declarations anywhere in the prolog are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence import xmlsafe


def test_an_entity_declaration_hidden_after_a_long_comment_is_refused(tmp_path: Path) -> None:
    padding = "<!-- " + "x" * 200_000 + " -->"
    path = tmp_path / "padded.xml"
    path.write_text(f'<?xml version="1.0"?>{padding}<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>')
    with pytest.raises(ImportError_, match="declares XML entities"):
        list(xmlsafe.iterparse(path, ("r",)))


def test_a_commented_out_tag_does_not_end_the_prolog_check(tmp_path: Path) -> None:
    path = tmp_path / "tricky.xml"
    path.write_text('<?xml version="1.0"?><!-- <r> --><!DOCTYPE r [<!ENTITY a "b">]><r/>')
    with pytest.raises(ImportError_, match="declares XML entities"):
        list(xmlsafe.iterparse(path, ("r",)))


def test_wrong_encoding_is_explained_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / "latin1.xml"
    path.write_bytes('<?xml version="1.0" encoding="UTF-8"?><r>Cl\xednica</r>'.encode("latin-1"))
    with pytest.raises(ImportError_) as info:
        list(xmlsafe.iterparse(path, ("r",)))
    assert "export the report again as UTF-8" in info.value.problems[0].message


def test_discarded_elements_are_not_yielded(tmp_path: Path) -> None:
    path = tmp_path / "d.xml"
    path.write_text("<r><keep>1</keep><detail>x</detail><keep>2</keep></r>")
    kept = [e.text for e in xmlsafe.iterparse(path, ("keep",), discard=("detail",))]
    assert kept == ["1", "2"]


def test_a_nessus_plugin_output_over_ten_megabytes_imports(tmp_path: Path) -> None:
    from hicp.evidence import nessus

    from .files import NESSUS_SCAN

    text = NESSUS_SCAN.read_text()
    at = text.index("</ReportItem>")
    big = "<plugin_output>" + "A" * (11 << 20) + "</plugin_output>"
    path = tmp_path / "big.nessus"
    path.write_text(text[:at] + big + text[at:])
    assert list(nessus.IMPORTER.read(path)) == list(nessus.IMPORTER.read(NESSUS_SCAN))


def test_more_than_the_span_limit_inside_one_element_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text("<r><item>1</item><item>" + "x" * 300_000 + "</item><item>3</item></r>")
    with pytest.raises(ImportError_) as caught:
        list(xmlsafe.iterparse(path, ("item",), max_span=100_000))
    assert "refused: more than 100,000 bytes of XML in one element" in str(caught.value)
    assert str(path) in str(caught.value)
    assert caught.value.problems[0].line == 1


def test_elements_nested_past_the_parser_limit_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    path.write_text("<a>" * 3000 + "</a>" * 3000)
    with pytest.raises(ImportError_) as caught:
        list(xmlsafe.iterparse(path, ("a",)))
    assert "nest deeper than 2048 levels" in caught.value.problems[0].message


def test_a_tag_inside_a_comment_cut_by_the_first_chunk_does_not_end_the_check(
    tmp_path: Path,
) -> None:
    # The first 64 KiB end inside the comment, after a "<r>" that is still comment text.
    padding = "<!-- <r> " + "x" * 70_000 + " -->"
    path = tmp_path / "cut-comment.xml"
    path.write_text(f'<?xml version="1.0"?>{padding}<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>')
    with pytest.raises(ImportError_, match="declares XML entities"):
        list(xmlsafe.iterparse(path, ("r",)))
