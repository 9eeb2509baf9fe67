"""The asset inventory importer, on CSV fixtures with varied headers and on generated workbooks."""

from __future__ import annotations

import datetime as dt
import zipfile
from functools import partial
from pathlib import Path

import openpyxl
import pytest

from hicp.errors import ImportError_
from hicp.evidence import tabular
from hicp.evidence.base import detect
from hicp.evidence.columns import parse_mapping
from hicp.evidence.inventory import IMPORTER, InventoryImporter
from hicp.evidence.models import Asset, AssetType
from hicp.evidence.store import EvidenceStore
from tests.evidence import files
from tests.evidence.files import (
    ASSET_TAGS,
    ASSETS,
    DNS_EXPORTS,
    ENTRA_REGISTRATION,
    GOOGLE,
    IDENTITY_GENERIC,
    OKTA,
    SAMPLES,
    SCANNER_EXPORTS,
    error_text,
    needs_samples,
)

OTHER_FORMATS = [
    IDENTITY_GENERIC,
    ENTRA_REGISTRATION,
    OKTA,
    GOOGLE,
    *DNS_EXPORTS,
    *SCANNER_EXPORTS,
]
sniff = partial(files.sniff, IMPORTER)
write = partial(files.write, name="inventory.csv")


def read(path: Path, importer: InventoryImporter = IMPORTER) -> dict[str, Asset]:
    return {asset.key: asset for asset in importer.read(path)}


def workbook(tmp_path: Path, *sheets: list[list[object]], name: str = "inventory.xlsx") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, rows in enumerate(sheets, 1):
        sheet = book.create_sheet(f"Sheet{number}")
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_the_inventory_csv_yields_one_asset_per_row_with_every_field_mapped() -> None:
    assets = read(ASSETS)
    assert len(assets) == 8
    assert assets["fd-ws-01"] == Asset(
        hostname="FD-WS-01",
        ip="10.20.1.11",
        mac="00:1a:2b:3c:4d:01",
        type=AssetType.WORKSTATION,
        os="Windows 11 Enterprise",
        os_version="23H2",
        owner="j.alvarez@northside-clinic.example",
        location="Front desk",
        segment="VLAN 20",
        disk_encrypted=True,
        endpoint_agent=True,
        last_seen=dt.date(2026, 10, 30),
    )


def test_inventory_values_are_normalised_from_their_many_spellings() -> None:
    assets = read(ASSETS)
    assert assets["fd-lt-02"].mac == "00:1a:2b:3c:4d:02"
    assert assets["fd-lt-02"].last_seen == dt.date(2026, 10, 28)
    assert assets["fd-lt-02"].disk_encrypted is False
    assert assets["ehr-srv-01"].type is AssetType.SERVER
    assert assets["ehr-srv-01"].last_seen == dt.date(2026, 10, 31)
    pump = assets["10.30.0.21"]  # no host name: the IP is the key
    assert (pump.hostname, pump.type, pump.last_seen) == (
        None,
        AssetType.MEDICAL_DEVICE,
        dt.date(2026, 10, 31),
    )
    assert assets["rad-ct-1"].type is AssetType.MEDICAL_DEVICE
    assert assets["rad-ct-1"].disk_encrypted is None
    assert assets["rad-ct-1"].location == "Imaging, room 2"
    assert assets["prn-fd-02"].type is AssetType.IOT
    assert assets["sw-core-1"].type is AssetType.NETWORK
    ipad = assets["ipad-nurse-3"]
    assert (ipad.ip, ipad.type, ipad.owner, ipad.endpoint_agent) == (
        None,
        AssetType.MOBILE,
        "Nurse station\nWard B",
        False,
    )


def test_a_mapping_names_the_identifying_column_instead_of_a_generic_name() -> None:
    assert set(read(ASSET_TAGS)) == {"reception pc", "label printer", "exam room 3 vitals"}
    mapped = read(ASSET_TAGS, InventoryImporter(mapping=parse_mapping(["hostname=Asset Tag"])))
    assert set(mapped) == {"nc-00112", "nc-00113", "nc-00120"}
    assert mapped["nc-00120"].type is AssetType.MEDICAL_DEVICE
    assert mapped["nc-00113"].location == "Front desk"


def test_an_unknown_field_in_the_mapping_is_refused_when_the_importer_is_built() -> None:
    with pytest.raises(ImportError_, match="no field 'serial'"):
        InventoryImporter(mapping={"serial": "Serial number"})


def test_an_asset_listed_twice_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "Hostname,IP\nFD-WS-01,10.0.0.1\nFD-WS-02,10.0.0.2\nfd-ws-01,10.0.0.9\n")
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == (
        f"{path}:4: the asset 'fd-ws-01' is also on line 2: keep one row per asset"
    )


def test_a_row_without_hostname_ip_or_mac_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "Hostname,IP,Owner\nFD-WS-01,10.0.0.1,IT\n,,Front desk\n")
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == f"{path}:3: the row has no Hostname or IP: each asset needs one"


def test_an_inventory_without_any_identifying_column_is_refused_naming_them(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "Asset Tag,Owner,Site\nNC-1,IT,Front desk\n")
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert "no column for hostname or ip or mac" in error_text(error)
    assert "'Asset Tag', 'Owner', 'Site'" in error_text(error)


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [("IP", "10.0.0.300", "'10.0.0.300' is not an IP address"),
     ("MAC", "00:1a:2b", "'00:1a:2b' is not a MAC address"),
     ("EDR", "sometimes", "'sometimes' is not a yes/no value")],
)  # fmt: skip
def test_a_malformed_cell_is_an_error_naming_line_and_column(
    tmp_path: Path, column: str, cell: str, message: str
) -> None:
    path = write(tmp_path, f"Hostname,{column}\nFD-WS-01,{cell}\n")
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error).startswith(f"{path}:2 [{column}]: {message}")


def test_the_first_address_of_a_list_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, 'Hostname,IP Addresses\nEHR-SRV-01,"10.10.0.5; 10.10.0.6"\n')
    assert read(path)["ehr-srv-01"].ip == "10.10.0.5"


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("Hostname,Owner\nFD-WS-01,IT\nFD-WS-02,José\n".encode("latin-1"))
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error).startswith(f"{path}:3: not UTF-8")


def test_a_truncated_inventory_is_an_error_with_its_line(tmp_path: Path) -> None:
    text = ASSETS.read_text(encoding="utf-8")
    path = write(tmp_path, text[: text.index("Ward B") + 3])
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error).startswith(f"{path}:5: this row has 8 of the header's 12 cells")


def test_a_workbook_is_read_from_its_header_row_with_typed_cells(tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        [
            ["Northside Clinic device register"],
            [],
            ["Device name", "IPv4", "Asset type", "OS", "Encrypted", "Antivirus", "VLAN",
             "Last seen"],
            ["FD-WS-01", "10.20.1.11", "Desktop", "Windows 11", True, "yes", 20,
             dt.datetime(2026, 10, 30, 8, 0)],
            [None, None, None, None, None],
            ["INF-PUMP-07", "10.30.0.27", "Infusion pump", None, False, 0, 30.0, None],
        ],
    )  # fmt: skip
    assert sniff(path)
    assets = read(path)
    assert assets["fd-ws-01"] == Asset(
        hostname="FD-WS-01",
        ip="10.20.1.11",
        type=AssetType.WORKSTATION,
        os="Windows 11",
        segment="20",
        disk_encrypted=True,
        endpoint_agent=True,
        last_seen=dt.date(2026, 10, 30),
    )
    assert assets["inf-pump-07"].type is AssetType.MEDICAL_DEVICE
    assert assets["inf-pump-07"].segment == "30"
    assert assets["inf-pump-07"].endpoint_agent is False


def test_a_workbook_error_names_the_spreadsheet_row(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Hostname", "BitLocker"], ["FD-WS-01", "yes"], ["X", "maybe"]])
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error).startswith(f"{path}:3 [BitLocker]: 'maybe' is not a yes/no value")


def test_the_inventory_sheet_is_found_behind_an_instructions_sheet(tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        [["How to fill in this register"], ["One row per device."]],
        [["Hostname", "Site"], ["FD-WS-01", "Front desk"]],
    )
    assert read(path)["fd-ws-01"].location == "Front desk"


def test_a_workbook_without_an_inventory_sheet_names_the_missing_columns(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Serial", "Model"], ["X1", "T14"]])
    with pytest.raises(ImportError_, match="no column for hostname or ip or mac"):
        list(IMPORTER.read(path))


def test_a_truncated_workbook_is_a_clear_error(tmp_path: Path) -> None:
    whole = workbook(tmp_path, [["Hostname"], *([f"pc-{i}"] for i in range(200))])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert "not a readable Excel workbook (the file may be truncated" in error_text(error)


def test_a_workbook_part_that_would_inflate_absurdly_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "_MAX_PART", 64 * 1024)  # the real limit, scaled to a test
    notes = [[f"pc-{i}", "a" * 30_000] for i in range(10)]  # Excel caps a cell at 32,767
    path = workbook(tmp_path, [["Hostname", "Notes"], *notes])
    with pytest.raises(ImportError_, match=r"refused: xl/worksheets/sheet1.xml would inflate"):
        list(IMPORTER.read(path))
    monkeypatch.undo()
    assert len(read(path)) == 10


def test_sniff_accepts_inventory_csv_and_workbooks(tmp_path: Path) -> None:
    assert sniff(ASSETS)
    assert sniff(workbook(tmp_path, [["Hostname"], ["pc-1"]], name="devices.bin"))


def test_sniff_accepts_a_bare_name_column_only_with_enough_inventory_columns_beside_it(
    tmp_path: Path,
) -> None:
    assert sniff(ASSET_TAGS)  # Name, Category, Location
    assert not sniff(write(tmp_path, "Name,Location\nReception PC,Front desk\n"))
    tagged = InventoryImporter(mapping={"hostname": "Asset Tag"})
    assert tagged.sniff(write(tmp_path, "Asset Tag,Site\nNC-1,Front desk\n").read_bytes(), ASSETS)


@pytest.mark.parametrize("path", OTHER_FORMATS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sniff_rejects_other_formats(path: Path) -> None:
    assert not sniff(path)


@needs_samples
def test_sniff_rejects_the_real_scanner_samples() -> None:
    assert not any(sniff(path) for path in SAMPLES.iterdir())


def test_detection_picks_the_inventory_importer() -> None:
    assert detect(ASSETS).name == "inventory"


def test_storing_an_inventory_counts_each_asset_once_and_a_bad_file_leaves_nothing(
    tmp_path: Path,
) -> None:
    bad = write(tmp_path, "Hostname\nFD-WS-01\nFD-WS-02\nFD-WS-01\n")
    with EvidenceStore(tmp_path / "e.db") as store:
        with pytest.raises(ImportError_):
            store.store(bad, "inventory", IMPORTER.read(bad))
        assert store.db.execute("SELECT count(*) FROM assets").fetchone()[0] == 0
        assert store.db.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
        assert store.store(ASSETS, "inventory", IMPORTER.read(ASSETS)).records == 8
        assert store.store(ASSETS, "inventory", IMPORTER.read(ASSETS)).already_imported
        assert store.db.execute("SELECT count(*) FROM assets").fetchone()[0] == 8


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "hahahahahahahahahahaha">'
    + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">'
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData>'
    "</worksheet>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData>'
    "</worksheet>"
)


@pytest.mark.parametrize("sheet_xml", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_a_workbook_whose_sheet_declares_entities_is_refused(
    tmp_path: Path, sheet_xml: str
) -> None:
    honest = workbook(tmp_path, [["Hostname"], ["pc-1"]], name="honest.xlsx")
    path = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(honest) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            target.writestr(info, data)
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert "not a readable Excel workbook" in error_text(error)
