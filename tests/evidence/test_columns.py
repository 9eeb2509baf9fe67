"""Mapping the columns of inventory and user exports to fields, and reading them as rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.columns import Schema, parse_mapping, read_table
from tests.evidence.files import problem, write

SCHEMA = Schema(
    fields={
        "hostname": ("host name", "name"),
        "ip": ("ip address",),
        "owner": ("user",),
        "encrypted": ("bitlocker",),
        "seen": ("last seen",),
    },
    required_any=("hostname", "ip"),
)


def rows(path: Path, mapping: dict[str, str] | None = None) -> list[dict[str, object]]:
    return [
        {"line": row.line, "hostname": row.text("hostname"), "owner": row.text("owner")}
        for row in read_table(path, SCHEMA, mapping or {})
    ]


def test_the_most_specific_spelling_wins_over_a_generic_name() -> None:
    assert SCHEMA.match(["Name", "Host Name", "IP Address"], {}) == {"hostname": 1, "ip": 2}


def test_a_user_mapping_wins_over_detection_and_takes_its_column_away() -> None:
    header = ["Name", "Host Name", "Asset Tag"]
    mapping = {"hostname": "asset tag", "owner": "Host Name"}
    assert SCHEMA.match(header, mapping) == {"hostname": 2, "owner": 1}


def test_a_mapping_for_an_unknown_field_is_refused_naming_the_known_fields() -> None:
    with pytest.raises(ImportError_, match="no field 'hostnme'; fields: hostname, ip, owner"):
        SCHEMA.check_mapping({"hostnme": "Computer"})


def test_map_options_become_a_mapping_and_malformed_ones_are_refused() -> None:
    assert parse_mapping(["hostname=Asset Tag", " ip = Primary IP "]) == {
        "hostname": "Asset Tag",
        "ip": "Primary IP",
    }
    with pytest.raises(ImportError_, match="FIELD=Header"):
        parse_mapping(["hostname"])


def test_title_rows_before_the_header_are_skipped_and_lines_count_multi_line_cells(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        'Devices of the clinic\n,,\nHost Name,User,IP Address\npc-1,"Front\ndesk",10.0.0.1\n'
        "pc-2,m.chen,10.0.0.2\n",
    )
    assert rows(path) == [
        {"line": 4, "hostname": "pc-1", "owner": "Front\ndesk"},
        {"line": 6, "hostname": "pc-2", "owner": "m.chen"},
    ]


def test_a_bad_yes_no_cell_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "hostname,BitLocker\npc-1,yes\npc-2,maybe\n")
    with pytest.raises(ImportError_) as error:
        for row in read_table(path, SCHEMA, {}):
            row.flag("encrypted")
    assert problem(error) == (
        f"{path}:3 [BitLocker]: 'maybe' is not a yes/no value; use yes/no, true/false, 1/0, "
        "enabled/disabled, on/off or leave it empty"
    )


def test_an_unreadable_optional_date_is_none(tmp_path: Path) -> None:
    path = write(tmp_path, "hostname,Last seen\npc-1,last tuesday\n")
    assert [row.date("seen") for row in read_table(path, SCHEMA, {})] == [None]


def test_a_missing_required_column_is_named_with_the_columns_found(tmp_path: Path) -> None:
    path = write(tmp_path, "Asset Tag,User\nNC-1,m.chen\n")
    with pytest.raises(ImportError_) as error:
        rows(path)
    message = problem(error)
    assert message.startswith(f"{path}:1: no column for hostname or ip; columns found: ")
    assert "'Asset Tag', 'User'" in message
    assert '--map hostname="Column name"' in message


def test_a_mapped_column_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "hostname,User\npc-1,m.chen\n")
    with pytest.raises(ImportError_, match=r"--map owner='Custodian': no such column"):
        rows(path, {"owner": "Custodian"})


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"hostname,User\n" + b"pc-1,m.chen\n" * 3000 + "pc-2,Jos\xe9\n".encode("latin-1")
    )
    with pytest.raises(ImportError_) as error:
        rows(path)
    assert problem(error).startswith(f"{path}:3002: not UTF-8 (save/export as UTF-8")


def test_a_file_that_ends_inside_a_quoted_cell_is_truncated(tmp_path: Path) -> None:
    path = write(tmp_path, 'hostname,User\npc-1,m.chen\npc-2,"Front desk\nand wa')
    with pytest.raises(ImportError_) as error:
        rows(path)
    assert problem(error) == (
        f"{path}:3: the file ends inside a quoted cell that starts here (is the file complete?)"
    )


def test_a_row_cut_short_is_reported_as_possibly_truncated(tmp_path: Path) -> None:
    path = write(tmp_path, "hostname,User,IP Address\npc-1,m.chen,10.0.0.1\npc-2,j.al")
    with pytest.raises(ImportError_, match=r":3: this row has 2 of the header's 3 cells"):
        rows(path)


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "hostname,User\npc-1,Chen, M.\n")
    with pytest.raises(ImportError_, match=r":2: this row has 3 cells but the header has 2"):
        rows(path)


def test_trailing_empty_cells_and_blank_rows_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "hostname,User,\npc-1,m.chen,,\n,\n\npc-2,j.al\n")
    assert [r["hostname"] for r in rows(path)] == ["pc-1", "pc-2"]


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ImportError_, match="the file has no rows"):
        rows(write(tmp_path, ""))


def test_progress_ends_at_the_file_size(tmp_path: Path) -> None:
    path = write(tmp_path, "hostname\n" + "".join(f"pc-{i}\n" for i in range(2500)))
    seen: list[int] = []
    assert len(list(read_table(path, SCHEMA, {}, seen.append))) == 2500
    assert seen[-1] == path.stat().st_size
    assert seen == sorted(seen)
    assert len(seen) >= 3
