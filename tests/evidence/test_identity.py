"""The identity importer, on generic, Entra ID, Okta and Google Workspace style user exports."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import openpyxl
import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import detect
from hicp.evidence.identity import IMPORTER, IdentityImporter
from hicp.evidence.models import Identity
from hicp.evidence.store import EvidenceStore
from tests.evidence import files
from tests.evidence.files import (
    ASSET_TAGS,
    ASSETS,
    DNS_EXPORTS,
    ENTRA_REGISTRATION,
    FIXTURES,
    GOOGLE,
    IDENTITY_GENERIC,
    OKTA,
    SAMPLES,
    SCANNER_EXPORTS,
    error_text,
    needs_samples,
)

ENTRA_USERS = FIXTURES / "identity" / "entra-users.csv"
OTHER_FORMATS = [ASSETS, ASSET_TAGS, *DNS_EXPORTS, *SCANNER_EXPORTS]
sniff = partial(files.sniff, IMPORTER)
write = partial(files.write, name="users.csv")


def read(path: Path, importer: IdentityImporter = IMPORTER) -> dict[str, Identity]:
    return {identity.user: identity for identity in importer.read(path)}


def test_the_generic_shape_yields_every_field() -> None:
    users = read(IDENTITY_GENERIC)
    assert len(users) == 5
    assert users["it-admin@northside-clinic.example"] == Identity(
        user="it-admin@northside-clinic.example",
        enabled=True,
        mfa=True,
        privileged=True,
        last_sign_in=dt.date(2026, 10, 29),
    )
    former = users["former.nurse@northside-clinic.example"]
    assert (former.enabled, former.mfa) == (False, None)
    assert users["scan-to-email@northside-clinic.example"].last_sign_in is None


def test_the_entra_registration_report_gives_mfa_capability_and_admins() -> None:
    users = read(ENTRA_REGISTRATION)  # starts with a byte-order mark, as Entra writes it
    assert len(users) == 4
    assert users["it-admin@northside-clinic.example"].privileged is True
    assert users["frontdesk@northside-clinic.example"].mfa is False
    # registered a method but not capable of MFA under policy: "capable" is what counts
    registered = users["registered.only@northside-clinic.example"]
    assert (registered.mfa, registered.last_sign_in) == (False, None)
    assert users["dr.patel@northside-clinic.example"].last_sign_in == dt.date(2026, 10, 30)


def test_the_entra_user_list_reads_its_camel_case_columns() -> None:
    users = read(ENTRA_USERS)
    assert users["former.nurse@northside-clinic.example"] == Identity(
        user="former.nurse@northside-clinic.example",
        enabled=False,
        mfa=None,
        privileged=False,
        last_sign_in=dt.date(2026, 3, 2),
    )
    guest = users["guest_vendor#EXT#@northsideclinic.onmicrosoft.example"]
    assert (guest.enabled, guest.last_sign_in) == (True, None)


def test_okta_account_states_decide_enabled_and_login_is_the_user() -> None:
    users = read(OKTA)
    assert {user: identity.enabled for user, identity in users.items()} == {
        "dr.patel@northside-clinic.example": True,
        "locum.doctor@northside-clinic.example": False,
        "former.nurse@northside-clinic.example": False,
        "new.hire@northside-clinic.example": False,
        "billing@northside-clinic.example": True,
    }
    assert users["dr.patel@northside-clinic.example"].last_sign_in == dt.date(2026, 10, 31)
    assert all(identity.mfa is None for identity in users.values())


def test_google_workspace_columns_with_bracketed_notes_are_recognised() -> None:
    users = read(GOOGLE)
    assert users["admin@southside-imaging.example"] == Identity(
        user="admin@southside-imaging.example",
        enabled=True,
        mfa=True,
        privileged=True,
        last_sign_in=dt.date(2026, 10, 31),
    )
    assert users["c.wong@southside-imaging.example"].last_sign_in is None  # "Never logged in"
    assert users["locum@southside-imaging.example"].enabled is False


def test_a_user_listed_twice_in_any_case_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path, "user,mfa\na@clinic.example,yes\nb@clinic.example,no\nA@Clinic.example,no\n"
    )
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == (
        f"{path}:4: the user 'A@Clinic.example' is also on line 2: keep one row per account"
    )


def test_a_missing_user_column_is_named_with_the_columns_found(tmp_path: Path) -> None:
    path = write(tmp_path, "Display name,MFA\nAnita Patel,yes\n")
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == (
        f"{path}:1: no column for user; columns found: 'Display name', 'MFA'. "
        'If one of them holds it, name it: --map user="Column name"'
    )


def test_a_mapping_names_the_user_column(tmp_path: Path) -> None:
    path = write(tmp_path, "Work e-mail,MFA\na@clinic.example,yes\n")
    users = read(path, IdentityImporter(mapping={"user": "Work e-mail"}))
    assert users["a@clinic.example"].mfa is True


def test_a_row_without_a_user_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "user,mfa\na@clinic.example,yes\n,no\n")
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == f"{path}:3 [user]: the row has no user name: each account needs one"


def test_an_unknown_account_state_is_an_error_naming_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, "login,status\na@clinic.example,HIBERNATING\n")
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error).startswith(f"{path}:2 [status]: 'HIBERNATING' is neither yes/no")


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes("user,mfa\na@clinic.example,yes\njosé@clinic.example,no\n".encode("cp1252"))
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error).startswith(f"{path}:3: not UTF-8")


def test_a_truncated_export_is_an_error_with_its_line(tmp_path: Path) -> None:
    text = OKTA.read_text(encoding="utf-8")
    path = write(tmp_path, text[: text.index("STAGED") + 3])
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error).startswith(f"{path}:5: this row has 2 of the header's 12 cells")


def test_an_identity_workbook_is_read_when_the_kind_is_given(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["User principal name", "Account enabled", "Is MFA capable"])
    book.active.append(["a@clinic.example", True, False])
    path = tmp_path / "users.xlsx"
    book.save(path)
    assert read(path)["a@clinic.example"] == Identity(user="a@clinic.example", mfa=False)


@pytest.mark.parametrize("path", [IDENTITY_GENERIC, ENTRA_REGISTRATION, ENTRA_USERS, OKTA, GOOGLE])
def test_sniff_and_detection_accept_every_identity_export(path: Path) -> None:
    assert sniff(path)
    assert detect(path).name == "identity"


@pytest.mark.parametrize("path", OTHER_FORMATS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sniff_rejects_other_formats(path: Path) -> None:
    assert not sniff(path)


@needs_samples
def test_sniff_rejects_the_real_scanner_samples() -> None:
    assert not any(sniff(path) for path in SAMPLES.iterdir())


def test_storing_identities_is_all_or_nothing(tmp_path: Path) -> None:
    bad = write(tmp_path, "user\na@clinic.example\nb@clinic.example\na@clinic.example\n")
    with EvidenceStore(tmp_path / "e.db") as store:
        with pytest.raises(ImportError_):
            store.store(bad, "identity", IMPORTER.read(bad))
        assert store.db.execute("SELECT count(*) FROM identities").fetchone()[0] == 0
        assert store.store(OKTA, "identity", IMPORTER.read(OKTA)).records == 5
        enabled = store.db.execute("SELECT count(*) FROM identities WHERE enabled").fetchone()[0]
        assert enabled == 2
