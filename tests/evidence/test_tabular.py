"""Reading CSV rows with their lines, finding and checking headers, and sniffing file heads."""

from __future__ import annotations

from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.tabular import (
    HeaderRow,
    csv_rows,
    data_rows,
    fail,
    find_header,
    head_rows,
    header_key,
    locate_columns,
    xml_root_tag,
)
from tests.evidence.files import problem, write


@pytest.mark.parametrize(
    "variant",
    ["Host Name", "\ufeffhostname", "HOSTNAME", "host_name", "hostName", "Host-Name",
     " host  name ", "Hostname [READ ONLY]", "Host name (FQDN)"],
)  # fmt: skip
def test_spellings_of_one_header_compare_equal(variant: str) -> None:
    assert header_key(variant) == header_key("hostname")


def test_camel_case_provider_headers_match_their_spelled_out_synonyms() -> None:
    assert header_key("lastSignInDateTime") == header_key("Last sign-in date time")
    assert header_key("Email Address [Required]") == header_key("email address")


def test_rows_carry_the_line_they_start_on_and_lose_the_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, b'\xef\xbb\xbfHost,Note\r\npc-1,"two\r\nlines"\r\n\r\npc-2,x\r\n')
    assert list(csv_rows(path)) == [
        (1, ["Host", "Note"]),
        (2, ["pc-1", "two\r\nlines"]),
        (4, []),
        (5, ["pc-2", "x"]),
    ]


def test_a_cell_past_the_record_limit_names_the_line_where_its_quote_opens(tmp_path: Path) -> None:
    path = write(tmp_path, 'a,b\n1,2\n3,"open\n' + "4,5\n" * 40_000)
    with pytest.raises(ImportError_) as error:
        list(csv_rows(path, max_record=100_000))
    message = problem(error)
    assert message.startswith(f"{path}:3: the record starting here is longer than 100,000")
    assert message.endswith("(is a quote never closed, or is this not a text table?)")


def test_a_quote_inside_a_quoted_cell_must_be_doubled(tmp_path: Path) -> None:
    path = write(tmp_path, 'a,b\n1,"say "hi" now"\n')
    with pytest.raises(ImportError_) as error:
        list(csv_rows(path))
    assert problem(error) == (
        f'{path}:2: a quote inside a quoted cell is not doubled ("") as CSV requires'
    )


def test_a_decode_error_names_the_first_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b"a,b\n" + b"x,y\n" * 5000 + "z,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(ImportError_) as error:
        list(csv_rows(path))
    assert problem(error) == (
        f"{path}:5002: not UTF-8 (save/export as UTF-8); in Excel choose 'CSV UTF-8'"
    )


def test_a_file_that_cannot_be_opened_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportError_, match="cannot read"):
        list(csv_rows(tmp_path / "missing.csv"))


def test_the_header_is_the_first_recognised_non_blank_row_and_reading_goes_on_after_it() -> None:
    rows = iter([(1, ["Report"]), (2, ["", "-"]), (3, ["IP", "QID"]), (4, ["10.0.0.1", "1"])])
    found = find_header(rows, lambda cells: "QID" in cells)
    assert found == HeaderRow(3, ["IP", "QID"], recognised=True)
    assert list(rows) == [(4, ["10.0.0.1", "1"])]


def test_without_a_recognised_header_the_first_non_blank_row_is_given_for_the_error() -> None:
    rows = [(1, [""]), (2, ["Report"]), (3, ["IP", "QID"])]
    assert find_header(iter(rows), lambda c: False) == HeaderRow(2, ["Report"], False)
    assert find_header(iter(rows), lambda c: "QID" in c, search=1) == HeaderRow(
        2, ["Report"], False
    )
    assert find_header(iter([(1, [])]), lambda c: True) is None


def test_columns_are_located_by_header_key_and_a_missing_required_one_is_named(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scan.csv"
    header = HeaderRow(6, ["IP", "Check-ID", "Notes", "CVSS3.1 Base"], recognised=True)
    located = locate_columns(path, header, ["ip", "check_id"], ["cvss3_1_base", "port"])
    assert located == {"ip": 0, "check_id": 1, "cvss3_1_base": 3}
    with pytest.raises(ImportError_) as error:
        locate_columns(path, header, ["ip", "Title"])
    assert problem(error) == (
        f"{path}:6 [Title]: required column 'Title' is missing; columns found: 'IP', "
        "'Check-ID', 'Notes', 'CVSS3.1 Base'"
    )


def test_two_columns_with_one_read_name_are_an_error_naming_both_positions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scan.csv"
    header = HeaderRow(6, ["IP", "Check-ID", "Notes", "check id"], recognised=True)
    with pytest.raises(ImportError_) as error:
        locate_columns(path, header, ["ip", "check_id"])
    assert problem(error) == (
        f"{path}:6 [Check-ID]: columns 2 ('Check-ID') and 4 ('check id') have the same name, "
        "so which one holds the data is unclear; rename or delete one"
    )


def test_repeated_names_among_columns_nothing_reads_are_allowed(tmp_path: Path) -> None:
    header = HeaderRow(1, ["IP", "Notes", "Check ID", "notes"], recognised=True)
    assert locate_columns(tmp_path / "s.csv", header, ["ip", "check_id"]) == {
        "ip": 0,
        "check_id": 2,
    }


def test_an_inventory_with_two_hostname_columns_is_refused(tmp_path: Path) -> None:
    from hicp.evidence import inventory

    path = tmp_path / "assets.csv"
    path.write_text("Hostname,IP,OS,hostname\nws-01,10.0.0.1,Windows 11,ws-01b\n")
    with pytest.raises(ImportError_) as error:
        list(inventory.IMPORTER.read(path))
    assert "columns 1 ('Hostname') and 4 ('hostname') have the same name" in str(error.value)


def test_data_rows_skip_blank_rows_and_refuse_rows_that_do_not_fit_the_header(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.csv"
    header = ["a", "b", ""]
    rows = [(2, ["1", "2"]), (3, ["", "n/a"]), (4, ["3", "4", "", ""])]
    assert list(data_rows(path, iter(rows), header)) == [(2, ["1", "2"]), (4, ["3", "4", "", ""])]
    with pytest.raises(ImportError_, match=r":5: this row has 1 of the header's 2 cells"):
        list(data_rows(path, iter([(5, ["1"])]), header))
    with pytest.raises(ImportError_, match=r":6: this row has 3 cells but the header has 2"):
        list(data_rows(path, iter([(6, ["1", "2", "3"])]), header))
    assert list(data_rows(path, iter([(7, ["1"])]), header, csv_widths=False)) == [(7, ["1"])]


def test_scan_importers_name_the_file_and_why_in_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "scan.nessus"
    with pytest.raises(ImportError_) as error:
        fail(path, "not a valid Nessus export", "ReportItem has no pluginID", 50, "pluginID")
    assert error.value.summary == f"{path}: not a valid Nessus export"
    assert problem(error) == f"{path}:50 [pluginID]: ReportItem has no pluginID"


def test_head_rows_stop_before_a_row_the_head_cuts_and_skip_xml_and_binary() -> None:
    assert head_rows(b'\xef\xbb\xbfa,b\r\n"x\ny",z\r\nc,d') == [["a", "b"], ["x\ny", "z"]]
    assert head_rows(b"a,b\nc,d\ne,f\n", limit=2) == [["a", "b"], ["c", "d"]]
    assert head_rows(b"only,one,line") == [["only", "one", "line"]]
    assert head_rows(b"  <?xml version='1.0'?><report/>") == []
    assert head_rows("a,b\n".encode("utf-16")) == []


@pytest.mark.parametrize(
    ("head", "root"),
    [(b'<?xml version="1.0" ?>\n<!-- <fake> -->\n<!DOCTYPE SCAN SYSTEM "x.dtd">\n<SCAN value="1">',
      b"SCAN"),
     (b"<NessusClientData_v2>\n<Policy>", b"NessusClientData_v2"),
     (b"host,check_id\n", None)],
)  # fmt: skip
def test_the_xml_root_tag_comes_after_prolog_comments_and_doctype(
    head: bytes, root: bytes | None
) -> None:
    assert xml_root_tag(head) == root


def test_an_overlong_csv_line_fails_naming_file_and_line_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    from hicp.evidence import generic_scan, tabular

    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("host,check_id,title,severity\n10.0.0.1,X-1,t,low\n10.0.0.2,X-2,")
        for _ in range(40):  # a 40 MB title on line 3, with no line break
            out.write("x" * (1 << 20))
        out.write(",low\n")
    monkeypatch.setattr(tabular, "MAX_RECORD", 1 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(ImportError_) as error:
            list(generic_scan.IMPORTER.read(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem(error) == (
        f"{path}:3: the record starting here is longer than 1 MB; no export row is that long "
        "(is a quote never closed, or is this not a text table?)"
    )
    assert peak < 16 << 20  # a few times the limit, nowhere near the 40 MB line


def test_a_multiline_record_counts_all_its_lines_against_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    cell = "\n".join(["y" * 100] * 50)  # 50 short lines in one quoted cell
    path.write_text(f'a,b\n1,"{cell}"\n2,ok\n', encoding="utf-8")
    assert [cells[0] for _, cells in csv_rows(path, max_record=10_000)] == ["a", "1", "2"]
    with pytest.raises(ImportError_, match=r":2: the record starting here is longer than 1,000"):
        list(csv_rows(path, max_record=1_000))
