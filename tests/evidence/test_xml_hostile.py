"""Hostile XML (entity bombs, external entities, external DTDs) is refused by every XML importer."""

from __future__ import annotations

import time
from pathlib import Path
from types import ModuleType

import pytest

from hicp.errors import ImportError_
from hicp.evidence import nessus, openvas, qualys
from hicp.evidence.models import Finding

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
XML_IMPORTERS = [
    (nessus, FIXTURES / "nessus" / "billion_laughs.nessus"),
    (nessus, FIXTURES / "nessus" / "xxe.nessus"),
    (openvas, FIXTURES / "openvas" / "billion_laughs.xml"),
    (openvas, FIXTURES / "openvas" / "xxe.xml"),
    (qualys, FIXTURES / "qualys" / "billion_laughs.xml"),
    (qualys, FIXTURES / "qualys" / "xxe.xml"),
]
IDS = [f"{module.__name__.rsplit('.', 1)[-1]}-{path.stem}" for module, path in XML_IMPORTERS]
PASSWD_MARKERS = ("root:", "/bin/", "nologin")


def findings_or_error(module: ModuleType, path: Path) -> tuple[list[Finding], str]:
    """What an import produces: its findings, or the text of the error it raised."""
    try:
        return list(module.IMPORTER.read(path)), ""
    except ImportError_ as exc:
        return [], str(exc)


@pytest.mark.parametrize(("module", "path"), XML_IMPORTERS, ids=IDS)
def test_the_hostile_file_is_still_recognised_as_its_format(module: ModuleType, path: Path) -> None:
    # Detection must not be what protects us: the file reaches the parser and is refused there.
    assert module.IMPORTER.sniff(path.read_bytes(), path)


@pytest.mark.parametrize(("module", "path"), XML_IMPORTERS, ids=IDS)
def test_entity_declarations_are_refused_quickly_without_expanding_anything(
    module: ModuleType, path: Path
) -> None:
    started = time.perf_counter()
    with pytest.raises(ImportError_) as caught:
        list(module.IMPORTER.read(path))
    assert time.perf_counter() - started < 1.0
    message = str(caught.value)
    assert "declares XML entities" in message
    assert str(path) in message
    assert "lollol" not in message
    assert not any(marker in message for marker in PASSWD_MARKERS)


@pytest.mark.parametrize(("module", "path"), XML_IMPORTERS, ids=IDS)
def test_the_refusal_holds_when_the_declarations_sit_past_the_sniffed_head(
    tmp_path: Path, module: ModuleType, path: Path
) -> None:
    # A 70 KB comment pushes <!ENTITY beyond the 64 KB that xmlsafe checks; the parser must
    # still not expand the bomb or read /etc/passwd: the import fails or yields no content.
    text = path.read_text()
    start = text.index("[") + 1
    padded = tmp_path / path.name
    padded.write_text(text[:start] + "\n<!--" + "x" * 70_000 + "-->" + text[start:])
    started = time.perf_counter()
    findings, error = findings_or_error(module, padded)
    assert time.perf_counter() - started < 1.0
    fields = error + " ".join(f.model_dump_json() for f in findings)
    assert "lollol" not in fields
    assert not any(marker in fields for marker in PASSWD_MARKERS)


@pytest.mark.parametrize(
    ("module", "fixture", "root", "value", "check_id", "field"),
    [
        (
            nessus,
            FIXTURES / "nessus" / "clinic_scan.nessus",
            "NessusClientData_v2",
            "Microsoft Windows Server 2012 R2 Standard",
            "97833",
            "os",
        ),
        (
            openvas,
            FIXTURES / "openvas" / "omp_report.xml",
            "get_reports_response",
            "Anonymous FTP Login",
            "1.3.6.1.4.1.25623.1.0.900600",
            "title",
        ),
        (
            qualys,
            FIXTURES / "qualys" / "clinic_scan.xml",
            "SCAN",
            "Deprecated SSH Cryptographic Settings",
            "38739",
            "title",
        ),
    ],
    ids=["nessus", "openvas", "qualys"],
)
def test_an_external_dtd_is_refused_like_an_entity_declaration(
    tmp_path: Path,
    module: ModuleType,
    fixture: Path,
    root: str,
    value: str,
    check_id: str,
    field: str,
) -> None:
    # No <!ENTITY> in the file itself: the entity could only come from the external DTD. The
    # pre-check refuses the DTD itself, with the same words as an entity declaration.
    original = fixture.read_text()
    body = original[original.index(f"<{root}") :]
    body = body.replace(f"<![CDATA[{value}]]>", value)  # entities are inert inside CDATA
    assert f"{value}<" in body
    body = body.replace(f"{value}<", f"{value}&passwd;<")
    path = tmp_path / fixture.name
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "file:///etc/passwd">\n{body}')
    findings, error = findings_or_error(module, path)
    assert not findings
    assert "declares XML entities or a DTD" in error
    assert str(path) in error
    assert not any(marker in error for marker in PASSWD_MARKERS)


def test_a_real_qualys_doctype_pointing_at_a_remote_dtd_imports_without_fetching_it() -> None:
    path = FIXTURES / "qualys" / "clinic_scan.xml"
    assert 'SYSTEM "https://' in path.read_text()
    assert len(list(qualys.IMPORTER.read(path))) == 5  # no network here: nothing was fetched
