"""The evidence store: one SQLite file beside the assessment (clinic.yaml -> clinic.evidence.db).

Why SQLite: imports stream millions of rows with bounded memory, each import is one
transaction (all or nothing, also across a crash), natural keys make re-imports update rather
than double count, and the metrics are plain SQL over indexed tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hicp.errors import EvidenceStoreError, ImportError_
from hicp.evidence.models import Asset, EmailDomain, Finding, Identity

SCHEMA_VERSION = 1
BATCH = 5000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    bytes INTEGER NOT NULL,
    records INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assets (
    key TEXT PRIMARY KEY,
    hostname TEXT, ip TEXT, mac TEXT, type TEXT NOT NULL, os TEXT, os_version TEXT,
    owner TEXT, location TEXT, segment TEXT, disk_encrypted INTEGER, endpoint_agent INTEGER,
    last_seen TEXT, import_id INTEGER NOT NULL REFERENCES imports(id)
);
CREATE INDEX IF NOT EXISTS assets_ip ON assets(ip);
CREATE TABLE IF NOT EXISTS findings (
    source TEXT NOT NULL, host TEXT NOT NULL, port INTEGER NOT NULL, protocol TEXT NOT NULL,
    check_id TEXT NOT NULL,
    hostname TEXT, title TEXT NOT NULL, severity TEXT NOT NULL, severity_rank INTEGER NOT NULL,
    cves TEXT NOT NULL, cvss3 REAL, cvss4 REAL, first_seen TEXT, last_seen TEXT,
    exploit_available INTEGER, known_exploited INTEGER, os TEXT,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    PRIMARY KEY (source, host, port, protocol, check_id)
);
CREATE INDEX IF NOT EXISTS findings_host ON findings(host);
-- Which hosts each imported scan reported on, and the scan's date: how many times, and how
-- recently, a host was scanned by a scanner. Stores made before it have it empty, so the
-- rules that need it say "not measured" until the scans are imported again.
CREATE TABLE IF NOT EXISTS scans (
    import_id INTEGER NOT NULL REFERENCES imports(id), source TEXT NOT NULL,
    host TEXT NOT NULL, scan_date TEXT NOT NULL,
    PRIMARY KEY (import_id, source, host, scan_date)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS email_domains (
    domain TEXT PRIMARY KEY, spf TEXT, spf_all TEXT, dkim_selectors TEXT NOT NULL,
    dmarc TEXT, dmarc_policy TEXT, import_id INTEGER NOT NULL REFERENCES imports(id)
);
CREATE TABLE IF NOT EXISTS identities (
    user TEXT PRIMARY KEY, enabled INTEGER NOT NULL, mfa INTEGER, privileged INTEGER NOT NULL,
    last_sign_in TEXT, import_id INTEGER NOT NULL REFERENCES imports(id)
);
"""

Record = Asset | Finding | EmailDomain | Identity


def evidence_path(assessment: Path) -> Path:
    """Where the evidence of an assessment file lives: beside it, same stem."""
    return assessment.with_name(f"{assessment.stem}.evidence.db")


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _b(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _asset_row(a: Asset, import_id: int) -> tuple[object, ...]:
    return (
        a.key,
        a.hostname,
        a.ip,
        a.mac,
        a.type.value,
        a.os,
        a.os_version,
        a.owner,
        a.location,
        a.segment,
        _b(a.disk_encrypted),
        _b(a.endpoint_agent),
        _d(a.last_seen),
        import_id,
    )


def _finding_row(f: Finding, import_id: int) -> tuple[object, ...]:
    return (
        f.source,
        f.host,
        f.port or 0,
        f.protocol or "",
        f.check_id,
        f.hostname,
        f.title,
        f.severity.value,
        f.severity.rank,
        " ".join(f.cves),
        f.cvss3,
        f.cvss4,
        _d(f.first_seen),
        _d(f.last_seen),
        _b(f.exploit_available),
        _b(f.known_exploited),
        f.os,
        import_id,
    )


def _domain_row(d: EmailDomain, import_id: int) -> tuple[object, ...]:
    return (
        d.domain.lower(),
        d.spf,
        d.spf_all,
        " ".join(d.dkim_selectors),
        d.dmarc,
        d.dmarc_policy.value if d.dmarc_policy else None,
        import_id,
    )


def _identity_row(i: Identity, import_id: int) -> tuple[object, ...]:
    return (
        i.user.lower(),
        int(i.enabled),
        _b(i.mfa),
        int(i.privileged),
        _d(i.last_sign_in),
        import_id,
    )


# Re-importing updates a record in place. A value the newer file leaves empty keeps what an
# earlier file said (two dig files, one with SPF and one with DMARC, make one complete domain);
# for findings the seen-dates widen rather than reset.
_UPSERT: dict[type, tuple[Callable[[Any, int], tuple[object, ...]], str]] = {
    Asset: (
        _asset_row,
        """INSERT INTO assets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        ON CONFLICT(key) DO UPDATE SET
        hostname=coalesce(excluded.hostname, hostname),
        ip=coalesce(excluded.ip, ip), mac=coalesce(excluded.mac, mac), type=excluded.type,
        os=coalesce(excluded.os, os), os_version=coalesce(excluded.os_version, os_version),
        owner=coalesce(excluded.owner, owner), location=coalesce(excluded.location, location),
        segment=coalesce(excluded.segment, segment),
        disk_encrypted=coalesce(excluded.disk_encrypted, disk_encrypted),
        endpoint_agent=coalesce(excluded.endpoint_agent, endpoint_agent),
        last_seen=coalesce(excluded.last_seen, last_seen), import_id=excluded.import_id""",
    ),
    Finding: (
        _finding_row,
        """INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        ON CONFLICT(source, host, port, protocol, check_id) DO UPDATE SET
        hostname=coalesce(excluded.hostname, hostname),
        title=excluded.title, severity=excluded.severity,
        severity_rank=excluded.severity_rank, cves=excluded.cves, cvss3=excluded.cvss3,
        cvss4=excluded.cvss4, first_seen=min(coalesce(first_seen, excluded.first_seen),
        coalesce(excluded.first_seen, first_seen)),
        last_seen=max(coalesce(last_seen, excluded.last_seen),
        coalesce(excluded.last_seen, last_seen)),
        exploit_available=excluded.exploit_available,
        known_exploited=excluded.known_exploited, os=coalesce(excluded.os, os),
        import_id=excluded.import_id""",
    ),
    EmailDomain: (
        _domain_row,
        """INSERT INTO email_domains VALUES (?,?,?,?,?,?,?)
        ON CONFLICT(domain) DO UPDATE SET
        spf=coalesce(excluded.spf, spf),
        spf_all=coalesce(excluded.spf_all, spf_all),
        dkim_selectors=CASE excluded.dkim_selectors WHEN '' THEN dkim_selectors
            ELSE excluded.dkim_selectors END,
        dmarc=coalesce(excluded.dmarc, dmarc),
        dmarc_policy=coalesce(excluded.dmarc_policy, dmarc_policy),
        import_id=excluded.import_id""",
    ),
    Identity: (
        _identity_row,
        """INSERT INTO identities VALUES (?,?,?,?,?,?)
        ON CONFLICT(user) DO UPDATE SET
        enabled=excluded.enabled,
        mfa=coalesce(excluded.mfa, mfa), privileged=excluded.privileged,
        last_sign_in=coalesce(excluded.last_sign_in, last_sign_in),
        import_id=excluded.import_id""",
    ),
}


@dataclass(frozen=True)
class ImportResult:
    file: Path
    kind: str
    records: int
    already_imported: bool = False


def damaged(path: Path, exc: sqlite3.Error) -> EvidenceStoreError:
    """The one message for a store that SQLite cannot read: where, and how to rebuild it."""
    return EvidenceStoreError(
        f"{path}: the evidence store is damaged or is not an hicp evidence store ({exc}). "
        "The answers are not affected. To rebuild it, delete or move this file, then import "
        "your tool exports again with `hicp evidence import`."
    )


# How long a writer waits for another writer before giving up (an import holds the write lock
# for its whole file). Readers never wait: the store is in WAL mode.
BUSY_TIMEOUT = 60.0


class EvidenceStore:
    """Open (creating if needed) the evidence database of one assessment.

    ``read_only`` opens an existing store for scores and reports: it writes nothing, so it
    works while an import is running (WAL mode lets readers see the last committed state).
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        try:
            if read_only:
                self.db = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
                )
                self._prepare_read()
            else:
                self.db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
                self._prepare_write()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise ImportError_(
                    f"{path}: another import into this evidence store is still running; "
                    "try again when it has finished"
                ) from None
            if not path.exists():
                raise ImportError_(f"{path}: cannot open the evidence store ({exc})") from None
            raise damaged(path, exc) from None
        except sqlite3.DatabaseError as exc:
            raise damaged(path, exc) from None

    def _prepare_write(self) -> None:
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.executescript(SCHEMA)
        self.db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )

    def _prepare_read(self) -> None:
        tables = {
            name
            for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "imports" not in tables:
            raise sqlite3.DatabaseError("it has no table of imports")
        if "scans" not in tables:
            # A store made before scan dates were kept: an empty stand-in, so the rules that
            # need them say "not measured" instead of failing.
            self.db.execute(
                "CREATE TEMP TABLE scans (import_id INTEGER, source TEXT, host TEXT, "
                "scan_date TEXT)"
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> EvidenceStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def imported(self, sha256: str) -> str | None:
        row = self.db.execute(
            "SELECT imported_at FROM imports WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return str(row[0]) if row else None

    def store(
        self, file: Path, kind: str, records: Iterable[Record], *, again: bool = False
    ) -> ImportResult:
        """Store every record of one file in one transaction; any error leaves nothing behind.

        A file whose content was imported before is recognised by its SHA-256 and skipped,
        unless ``again``: then it is read anew and its import entry updated.
        """
        sha, size = file_digest(file)
        if self.imported(sha) and not again:
            return ImportResult(file, kind, 0, already_imported=True)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        count = 0
        with self._transaction() as db:
            db.execute(
                "INSERT INTO imports (kind, file_name, sha256, bytes, records, imported_at)"
                " VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT(sha256) DO UPDATE SET kind=excluded.kind,"
                " file_name=excluded.file_name, imported_at=excluded.imported_at",
                (kind, file.name, sha, size, now),
            )
            import_id = int(
                db.execute("SELECT id FROM imports WHERE sha256 = ?", (sha,)).fetchone()[0]
            )
            db.execute("DELETE FROM scans WHERE import_id = ?", (import_id,))  # read anew
            batch: dict[type, list[tuple[object, ...]]] = {}
            scanned: set[tuple[str, str, str]] = set()  # one entry per host, not per finding
            for record in records:
                to_row, _ = _UPSERT[type(record)]
                rows = batch.setdefault(type(record), [])
                rows.append(to_row(record, import_id))
                count += 1
                if isinstance(record, Finding) and (seen := record.last_seen or record.first_seen):
                    scanned.add((record.source, record.host, seen.isoformat()))
                if len(rows) >= BATCH:
                    db.executemany(_UPSERT[type(record)][1], rows)
                    rows.clear()
            for record_type, rows in batch.items():
                if rows:
                    db.executemany(_UPSERT[record_type][1], rows)
            db.executemany(
                "INSERT OR IGNORE INTO scans VALUES (?, ?, ?, ?)",
                ((import_id, *entry) for entry in scanned),
            )
            db.execute("UPDATE imports SET records = ? WHERE id = ?", (count, import_id))
        return ImportResult(file, kind, count)
