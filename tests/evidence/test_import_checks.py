"""Imports that must not lose or fake data: wrong kinds, empty results, odd encodings."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence import dns, inventory, nessus, openvas, qualys
from hicp.evidence.base import detect, importer
from hicp.evidence.store import EvidenceStore

from .files import NESSUS_SCAN, OPENVAS_REPORT, QUALYS_ASSETS, QUALYS_CSV, QUALYS_SCAN, write


@pytest.mark.parametrize(
    ("kind", "path", "found", "expected"),
    [
        ("nessus", OPENVAS_REPORT, "<report>", "<NessusClientData_v2>"),
        ("openvas", NESSUS_SCAN, "<NessusClientData_v2>", "<report> or <get_reports_response>"),
        ("nessus", QUALYS_SCAN, "<SCAN>", "<NessusClientData_v2>"),
        ("openvas", QUALYS_ASSETS, "<ASSET_DATA_REPORT>", "<report>"),
    ],
)
def test_a_wrong_kind_on_an_xml_export_names_the_root_found_and_the_one_expected(
    kind: str, path: Path, found: str, expected: str
) -> None:
    with pytest.raises(ImportError_) as caught:
        list(importer(kind).read(path))
    message = str(caught.value)
    assert str(path) in message
    assert f"the root element is {found}" in message
    assert expected in message
    assert "right --kind" in message


def test_a_qualys_csv_imported_as_nessus_names_the_columns_it_lacks() -> None:
    with pytest.raises(ImportError_) as caught:
        list(nessus.IMPORTER.read(QUALYS_CSV))
    expected = "no column for check_id (expected check_id: 'Plugin ID' or 'Plugin')"
    assert expected in str(caught.value)


def test_a_text_file_parsed_as_xml_is_refused_as_not_xml(tmp_path: Path) -> None:
    from hicp.evidence import xmlsafe

    with pytest.raises(ImportError_, match="the file is not XML, but this importer reads"):
        list(xmlsafe.iterparse(QUALYS_CSV, ("ReportItem",), roots=("NessusClientData_v2",)))


def test_an_export_with_no_record_is_an_error_and_is_not_recorded(tmp_path: Path) -> None:
    scan = write(
        tmp_path,
        '<?xml version="1.0"?>\n<NessusClientData_v2><Report name="x"/></NessusClientData_v2>\n',
        "empty.nessus",
    )
    with EvidenceStore(tmp_path / "e.db") as store:
        with pytest.raises(ImportError_, match="no records found for nessus; nothing was imported"):
            store.store(scan, "nessus", nessus.IMPORTER.read(scan))
        # Not recorded: the same file is not "already imported" afterwards.
        assert store.imported(_sha(scan)) is None


def test_the_right_kind_still_imports_after_a_wrong_kind_failed(tmp_path: Path) -> None:
    with EvidenceStore(tmp_path / "e.db") as store:
        with pytest.raises(ImportError_):
            store.store(OPENVAS_REPORT, "nessus", nessus.IMPORTER.read(OPENVAS_REPORT))
        result = store.store(OPENVAS_REPORT, "openvas", openvas.IMPORTER.read(OPENVAS_REPORT))
    assert not result.already_imported
    assert result.records == len(list(openvas.IMPORTER.read(OPENVAS_REPORT)))


def test_an_empty_file_imported_as_dns_says_it_is_empty(tmp_path: Path) -> None:
    empty = write(tmp_path, "", "empty.zone")
    with pytest.raises(ImportError_, match="the file is empty; nothing was imported"):
        list(dns.IMPORTER.read(empty))


def test_a_zone_file_without_mail_records_imports_nothing_and_says_so(tmp_path: Path) -> None:
    zone = write(tmp_path, "$ORIGIN example.org.\nwww 3600 IN A 192.0.2.1\n", "web.zone")
    with pytest.raises(ImportError_, match="no records found for dns"):
        list(dns.IMPORTER.read(zone))


def test_an_inventory_with_only_a_header_is_an_error(tmp_path: Path) -> None:
    table = write(tmp_path, "hostname,ip\n")
    with pytest.raises(ImportError_, match="no records found for inventory"):
        list(inventory.IMPORTER.read(table))


# ---- encodings: the refusals do not depend on how the bytes are written ------------------

_ENTITY_DOC = '<?xml version="1.0" encoding="{enc}"?>\n<!DOCTYPE SCAN [<!ENTITY a "b">]>\n<SCAN/>\n'
_DTD_DOC = (
    '<?xml version="1.0" encoding="{enc}"?>\n<!DOCTYPE SCAN SYSTEM "file:///etc/passwd">\n<SCAN/>\n'
)
_ENCODINGS = [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),
    ("utf-16-be", b""),
]


@pytest.mark.parametrize("document", [_ENTITY_DOC, _DTD_DOC], ids=["entity", "external-dtd"])
@pytest.mark.parametrize(
    ("codec", "bom"), _ENCODINGS, ids=[f"{c}{'-bom' * bool(b)}" for c, b in _ENCODINGS]
)
def test_entities_and_external_dtds_are_refused_with_one_message_in_every_encoding(
    tmp_path: Path, document: str, codec: str, bom: bytes
) -> None:
    text = document.format(enc=codec.removesuffix("-le").removesuffix("-be").upper())
    path = write(tmp_path, bom + text.encode(codec), "report.xml")
    with pytest.raises(ImportError_) as caught:
        list(qualys.IMPORTER.read(path))
    assert "refused: the file declares XML entities or a DTD" in str(caught.value)


def test_a_utf16_nessus_export_imports_like_its_utf8_original(tmp_path: Path) -> None:
    text = NESSUS_SCAN.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = write(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "scan.nessus")
    assert list(nessus.IMPORTER.read(path)) == list(nessus.IMPORTER.read(NESSUS_SCAN))


def test_a_qualys_report_naming_its_published_dtd_is_accepted_and_a_lookalike_is_not(
    tmp_path: Path,
) -> None:
    original = QUALYS_SCAN.read_text()
    assert "https://qualysguard.qualys.com/scan-1.dtd" in original
    assert len(list(qualys.IMPORTER.read(QUALYS_SCAN))) == 5
    forged = write(
        tmp_path,
        original.replace("https://qualysguard.qualys.com/", "https://qualys.example.net/"),
        "scan.xml",
    )
    with pytest.raises(ImportError_, match="declares XML entities or a DTD"):
        list(qualys.IMPORTER.read(forged))


def test_detection_finds_each_xml_export_in_utf8_and_utf16(tmp_path: Path) -> None:
    for path, kind in (
        (NESSUS_SCAN, "nessus"),
        (OPENVAS_REPORT, "openvas"),
        (QUALYS_SCAN, "qualys"),
    ):
        utf16 = write(
            tmp_path, codecs.BOM_UTF16_LE + path.read_text().encode("utf-16-le"), path.name
        )
        assert detect(utf16).name == kind
    assert detect(NESSUS_SCAN).name == "nessus"
    assert detect(OPENVAS_REPORT).name == "openvas"
    assert detect(QUALYS_SCAN).name == "qualys"


def _sha(path: Path) -> str:
    from hicp.evidence.store import file_digest

    return file_digest(path)[0]


@pytest.mark.parametrize("kind", ["inventory", "identity", "generic"])
def test_an_xml_export_given_to_a_table_importer_names_its_root(kind: str) -> None:
    with pytest.raises(ImportError_) as caught:
        list(importer(kind).read(NESSUS_SCAN))
    message = str(caught.value)
    assert "the file is XML (<NessusClientData_v2>), but this importer reads CSV tables" in message
    assert f"{NESSUS_SCAN}:1" in message
