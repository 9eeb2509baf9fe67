"""Identity import: one Identity per account in an identity provider's user export (CSV).

The generic shape is a CSV with the columns ``user, enabled, mfa, privileged, last_sign_in``
(yes/no values, a date). The big providers' exports are read through the same header
spellings (``SCHEMA``; see ``tabular.header_key`` for how headers compare), and a mapping names
any other column: ``IdentityImporter(mapping={"user": "Work e-mail"})``, which the CLI builds
from ``--map user="Work e-mail"`` with ``columns.parse_mapping``. Excel workbooks are read too
when the kind is given, though only CSV is recognised automatically.

Source column -> Identity field:
- user: user, username, user principal name / userPrincipalName (Microsoft Entra ID), upn,
  login (Okta), email address [Required] (Google Workspace), email, mail. Required.
- enabled: enabled, account enabled / accountEnabled (Entra), status (Okta, Google).
  Yes/no values, or an account state: ACTIVE, PROVISIONED (activation pending), RECOVERY,
  LOCKED_OUT and PASSWORD_EXPIRED are enabled (the account exists and can be taken back into
  use); STAGED, SUSPENDED, DEPROVISIONED, ARCHIVED, BLOCKED, DISABLED, INACTIVE, DELETED are
  not. Empty -> enabled, so an account of unknown state still counts in MFA coverage.
- mfa: mfa, is MFA capable / isMfaCapable, is MFA registered / isMfaRegistered (Entra
  registration report; "capable" wins when both are present), 2sv enrolled (Google). Empty ->
  None (unknown); Okta's user export has no such column.
- privileged: privileged, is admin (Entra registration report), admin (Google), is super
  admin. Empty -> not privileged.
- last_sign_in: last sign in (Google), last sign-in / lastSignInDateTime (Entra), lastLogin
  (Okta), last logon. Optional; "Never" and unreadable dates -> None.

Two rows for one user (compared case-insensitively, as the store keys them) are an error
naming both lines. An identity export carries no severities.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from hicp.evidence import inventory
from hicp.evidence.base import Progress, at_least_one
from hicp.evidence.columns import SCAN_HEADERS, Row, Schema, read_table, sniff_header
from hicp.evidence.models import Identity
from hicp.evidence.values import parse_bool

SCHEMA = Schema(
    fields={
        "user": ("username", "user name", "user principal name", "upn", "login",
                 "sign in name", "email address", "primary email", "email", "mail",
                 "account name"),
        "enabled": ("account enabled", "is enabled", "status", "account status",
                    "user status"),
        "mfa": ("is mfa capable", "mfa capable", "is mfa registered", "mfa registered",
                "mfa enabled", "mfa enrolled", "mfa status", "2sv enrolled",
                "2 step verification enrolled", "two factor enabled", "2fa enabled", "2fa"),
        "privileged": ("is privileged", "is admin", "admin", "is administrator",
                       "administrator", "is super admin", "super admin"),
        "last_sign_in": ("last sign in", "last sign in date time",
                         "sign in activity last sign in date time", "last login",
                         "last logon", "last logon date", "last login time",
                         "last successful sign in date time"),
    },
    required_any=("user",),
)  # fmt: skip

_ENABLED_STATES = frozenset({"active", "provisioned", "recovery", "locked out", "password expired"})
_DISABLED_STATES = frozenset(
    {"staged", "suspended", "deprovisioned", "archived", "blocked", "inactive", "deleted"}
)


class IdentityImporter:
    name = "identity"
    description = "Identity provider user export (CSV): Entra ID, Okta, Google Workspace, generic"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = SCHEMA.check_mapping(mapping)

    def sniff(self, head: bytes, path: Path) -> bool:
        found = sniff_header(head, SCHEMA, self.mapping)
        if found is None:
            return False
        columns, keys = found
        # A file that names devices is an inventory, one with plugin IDs or CVEs a scan.
        devices = inventory.device_columns(inventory.SCHEMA.match(keys, {}), keys)
        return (
            "user" in columns
            and len(columns) >= 2
            and not devices
            and not SCAN_HEADERS.intersection(keys)
        )

    @at_least_one
    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Identity]:
        seen: dict[str, int] = {}  # user (case-folded) -> line: duplicates name both rows
        for row in read_table(path, SCHEMA, self.mapping, progress):
            identity = _identity(row)
            key = identity.user.casefold()
            if key in seen:
                raise row.error(
                    None,
                    f"the user {identity.user!r} is also on line {seen[key]}: "
                    "keep one row per account",
                )
            seen[key] = row.line
            yield identity


def _identity(row: Row) -> Identity:
    user = row.text("user")
    if user is None:
        raise row.error("user", "the row has no user name: each account needs one")
    enabled = _enabled(row)
    return Identity(
        user=user,
        enabled=True if enabled is None else enabled,
        mfa=row.flag("mfa"),
        privileged=bool(row.flag("privileged")),
        last_sign_in=row.date("last_sign_in"),
    )


def _enabled(row: Row) -> bool | None:
    """A yes/no value or a provider's account state (Okta ACTIVE/SUSPENDED, Google Active)."""
    text = row.text("enabled")
    if text is None:
        return None
    state = " ".join(text.casefold().replace("_", " ").split())
    if state in _ENABLED_STATES:
        return True
    if state in _DISABLED_STATES:
        return False
    try:
        return parse_bool(text)
    except ValueError:
        raise row.error(
            "enabled",
            f"{text!r} is neither yes/no nor an account state (active, suspended, "
            "deprovisioned, staged, ...)",
        ) from None


IMPORTER = IdentityImporter()
