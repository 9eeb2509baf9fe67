"""Metrics over the evidence store: each counts the items in question and the ones that fall short.

Every metric returns the total and the "bad" rows (the rows a person would drill down to), or
None when the store lacks the data it needs (so no conclusion is drawn from nothing).
Host matching between inventories and scans uses an IP address, a full host name or its first
label (ws01.clinic.local matches WS01), through temporary identifier tables so it stays indexed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hicp.evidence.kev import KevCatalog
from hicp.evidence.mail_auth import coverage
from hicp.evidence.os_lifecycle import OsLifecycle, Support, judge
from hicp.evidence.os_names import recognise

DRILL_LIMIT = 1000


@dataclass(frozen=True)
class MetricContext:
    as_of: dt.date  # the assessment date
    scan_freshness_days: int = 90  # evidence_rules.yaml freshness.scans
    # Reference data; None means the copy in use (reference_data.py: installed, else shipped).
    os_lifecycle: OsLifecycle | None = None
    kev: KevCatalog | None = None

    @property
    def lifecycle(self) -> OsLifecycle:
        from hicp.evidence.reference_data import os_lifecycle_data

        return self.os_lifecycle or os_lifecycle_data()

    @property
    def kev_catalog(self) -> KevCatalog:
        from hicp.evidence.reference_data import kev_data

        return self.kev or kev_data()


@dataclass(frozen=True)
class MetricValue:
    total: int
    bad: int
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]  # the first DRILL_LIMIT bad rows
    note: str | None = None  # said after the rule's explanation: what else the count rests on

    @property
    def share(self) -> float:
        """Share of items that meet the bar (0-1)."""
        return (self.total - self.bad) / self.total


@dataclass(frozen=True)
class NotMeasured:
    """The store holds data of the right kind, but it cannot support a judgment (too old, one
    scan where two are needed, a column the export lacks). Unknown is never good: the reason
    is shown instead of a share."""

    reason: str


# None: the store has no data of this kind at all, so the rule does not speak.
MetricFn = Callable[[sqlite3.Connection, MetricContext], MetricValue | NotMeasured | None]
METRICS: dict[str, MetricFn] = {}


def metric(fn: MetricFn) -> MetricFn:
    METRICS[fn.__name__] = fn
    return fn


def short_name(name: str | None) -> str | None:
    """The first label of a host name, lower-cased; None for IP addresses and empty names."""
    if not name:
        return None
    name = name.strip().lower()
    if not name or name.replace(".", "").isdigit() or ":" in name:
        return None
    return name.split(".", 1)[0]


def prepare(db: sqlite3.Connection) -> None:
    """Register helpers and build the identifier tables that host matching uses."""
    db.create_function("short_name", 1, short_name, deterministic=True)
    db.executescript("""
        DROP TABLE IF EXISTS temp.scan_ids;
        DROP TABLE IF EXISTS temp.asset_ids;
        CREATE TEMP TABLE scan_ids (id TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TEMP TABLE asset_ids (id TEXT PRIMARY KEY) WITHOUT ROWID;
        INSERT OR IGNORE INTO scan_ids SELECT DISTINCT lower(host) FROM findings;
        INSERT OR IGNORE INTO scan_ids SELECT DISTINCT lower(hostname) FROM findings
            WHERE hostname IS NOT NULL;
        INSERT OR IGNORE INTO scan_ids SELECT DISTINCT short_name(hostname) FROM findings
            WHERE short_name(hostname) IS NOT NULL;
        INSERT OR IGNORE INTO asset_ids SELECT lower(ip) FROM assets WHERE ip IS NOT NULL;
        INSERT OR IGNORE INTO asset_ids SELECT key FROM assets;
        INSERT OR IGNORE INTO asset_ids SELECT short_name(hostname) FROM assets
            WHERE short_name(hostname) IS NOT NULL;
    """)


def _count(db: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> int:
    return int(db.execute(sql, params).fetchone()[0])


def _value(
    db: sqlite3.Connection,
    total_sql: str,
    bad_sql: str,
    params: tuple[Any, ...] = (),
    bad_params: tuple[Any, ...] | None = None,
) -> MetricValue | None:
    total = _count(db, f"SELECT count(*) FROM ({total_sql})", params)
    if total == 0:
        return None
    bad_params = params if bad_params is None else bad_params
    bad = _count(db, f"SELECT count(*) FROM ({bad_sql})", bad_params)
    cursor = db.execute(f"{bad_sql} LIMIT {DRILL_LIMIT}", bad_params)
    columns = tuple(d[0] for d in cursor.description)
    return MetricValue(total=total, bad=bad, columns=columns, rows=tuple(cursor.fetchall()))


def _has(db: sqlite3.Connection, table: str) -> bool:
    return db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None


SCANNED_HOSTS = "SELECT host, max(hostname) AS hostname, max(os) AS os FROM findings GROUP BY host"
# A finding is open while it appears in its host's latest scan.
OPEN_FINDINGS = """
    SELECT f.* FROM findings f
    JOIN (SELECT host, max(last_seen) AS latest FROM findings GROUP BY host) h
      ON h.host = f.host
    WHERE f.last_seen IS NULL OR h.latest IS NULL OR f.last_seen = h.latest
"""
# Each test is wrapped in coalesce(…, 0): a missing host name makes `x IN ids` NULL, and
# NOT (… OR NULL) is NULL, which would silently drop an unmatched host from the count.
IN_ASSETS = (
    "(coalesce(lower(s.host) IN asset_ids, 0) OR coalesce(lower(s.hostname) IN asset_ids, 0) "
    "OR coalesce(short_name(s.hostname) IN asset_ids, 0))"
)
IN_SCANS = (
    "(coalesce(lower(a.ip) IN scan_ids, 0) OR coalesce(a.key IN scan_ids, 0) "
    "OR coalesce(short_name(a.hostname) IN scan_ids, 0))"
)


@metric
def inventory_covers_scanned(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | None:
    if not (_has(db, "assets") and _has(db, "findings")):
        return None
    return _value(
        db,
        SCANNED_HOSTS,
        f"SELECT s.host, s.hostname, s.os FROM ({SCANNED_HOSTS}) s "
        f"WHERE NOT {IN_ASSETS} ORDER BY s.host",
    )


@metric
def scan_covers_inventory(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | None:
    if not (_has(db, "assets") and _has(db, "findings")):
        return None
    return _value(
        db,
        "SELECT 1 FROM assets WHERE ip IS NOT NULL",
        "SELECT a.hostname, a.ip, a.type, a.location FROM assets a "
        f"WHERE a.ip IS NOT NULL AND NOT {IN_SCANS} ORDER BY a.key",
    )


# Hosts that one scanner reported on at two or more dates: only there can a finding's age
# (first seen to latest scan) say how long it stayed open. A host scanned once makes every
# finding look new, which would count as "fixed in time".
RESCANNED = """
    SELECT source, host FROM scans GROUP BY source, host HAVING count(DISTINCT scan_date) >= 2
"""


def _scan_history(db: sqlite3.Connection, ctx: MetricContext) -> NotMeasured | None:
    """Why the scans cannot show how fast findings are fixed, or None when they can."""
    latest = db.execute("SELECT max(scan_date) FROM scans").fetchone()[0]
    if latest is None:
        return NotMeasured(
            "the imported scans carry no scan dates (or were imported by an older hicp): "
            "import the scan files again with --replace"
        )
    age = (ctx.as_of - dt.date.fromisoformat(latest)).days
    if age > ctx.scan_freshness_days:
        return NotMeasured(
            f"the latest scan is from {latest}, {age} days before the assessment date "
            f"({ctx.as_of}); a scan more than {ctx.scan_freshness_days} days old is stale and "
            "cannot show how fast findings are fixed now"
        )
    if not _count(db, f"SELECT count(*) FROM ({RESCANNED})"):
        return NotMeasured(
            "each host was scanned on one date only; two scans of the same hosts by the same "
            "scanner, some time apart, are needed to see how long findings stay open"
        )
    return None


def _overdue(
    db: sqlite3.Connection, ctx: MetricContext, severity: str, days: int
) -> MetricValue | NotMeasured | None:
    if not _has(db, "findings"):
        return None
    if why := _scan_history(db, ctx):
        return why
    open_of_severity = f"SELECT * FROM ({OPEN_FINDINGS}) WHERE severity = ?"
    scope = (
        f"SELECT o.* FROM ({open_of_severity}) o "
        f"JOIN ({RESCANNED}) r ON r.source = o.source AND r.host = o.host"
    )
    value = _value(
        db,
        scope,
        "SELECT host, port, check_id, title, first_seen, last_seen FROM "
        f"({scope}) WHERE first_seen IS NOT NULL AND last_seen IS NOT NULL "
        "AND julianday(last_seen) - julianday(first_seen) > ? ORDER BY first_seen, host",
        (severity,),
        (severity, days),
    )
    once = _count(db, f"SELECT count(*) FROM ({open_of_severity})", (severity,)) - (
        value.total if value else 0
    )
    if value is not None and once:
        note = f"{once} open {severity} findings on hosts scanned only once are not counted."
        value = MetricValue(value.total, value.bad, value.columns, value.rows, note=note)
    return value


@metric
def critical_within_30_days(
    db: sqlite3.Connection, ctx: MetricContext
) -> MetricValue | NotMeasured | None:
    return _overdue(db, ctx, "critical", 30)


@metric
def high_within_90_days(
    db: sqlite3.Connection, ctx: MetricContext
) -> MetricValue | NotMeasured | None:
    return _overdue(db, ctx, "high", 90)


@metric
def supported_os(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | NotMeasured | None:
    """Systems whose operating system still gets security updates on the assessment date.
    A name that is not recognised, or a release the lifecycle data lacks, is unknown: it is
    listed with the end-of-life systems and never counted as supported."""
    data, as_of = ctx.lifecycle, ctx.as_of
    judged: dict[str, str] = {}

    def os_support(os: str | None) -> str:
        raw = os or ""
        if raw not in judged:
            judged[raw] = judge(data, recognise(raw), as_of, raw).text
        return judged[raw]

    db.create_function("os_support", 1, os_support, deterministic=True)
    # The inventory is the register of systems; scans stand in when there is none.
    if _count(db, "SELECT count(*) FROM assets WHERE os IS NOT NULL"):
        systems = (
            "SELECT coalesce(hostname, ip, mac) AS system, "
            "trim(os || ' ' || coalesce(os_version, '')) AS os FROM assets "
            "WHERE os IS NOT NULL"
        )
    else:
        systems = f"SELECT host AS system, os FROM ({SCANNED_HOSTS}) WHERE os IS NOT NULL"
    judged_systems = f"SELECT system, os, os_support(os) AS judgment FROM ({systems})"
    total, unknown = db.execute(
        f"SELECT count(*), coalesce(sum(judgment LIKE '{Support.UNKNOWN.value}:%'), 0) "
        f"FROM ({judged_systems})"
    ).fetchone()
    if total == 0:
        return None
    if unknown == total:
        return NotMeasured(
            f"none of the {total} systems' operating-system names could be matched to "
            f"{data.describe}, so whether they get security updates is unknown"
        )
    short = (
        f"SELECT system, os, judgment FROM ({judged_systems}) "
        f"WHERE judgment NOT LIKE '{Support.SUPPORTED.value}:%'"
    )
    bad = _count(db, f"SELECT count(*) FROM ({short})")
    cursor = db.execute(
        f"{short} ORDER BY judgment LIKE '{Support.UNKNOWN.value}:%', system LIMIT {DRILL_LIMIT}"
    )
    columns = tuple(d[0] for d in cursor.description)
    note = f"Judged on {as_of.isoformat()} with {data.describe}."
    if unknown:
        note = (
            f"{unknown} of them run an operating system that could not be matched to the "
            f"lifecycle data and count as not supported. {note}"
        )
    return MetricValue(total, bad, columns, tuple(cursor.fetchall()), note)


def _asset_share(db: sqlite3.Connection, types: tuple[str, ...], column: str) -> MetricValue | None:
    marks = ",".join("?" * len(types))
    scope = f"SELECT * FROM assets WHERE type IN ({marks})"
    return _value(
        db,
        scope,
        f"SELECT hostname, ip, type, owner, location FROM ({scope}) "
        f"WHERE {column} IS NOT 1 ORDER BY key",
        types,
    )


@metric
def endpoint_agent_coverage(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | None:
    return _asset_share(db, ("workstation", "server"), "endpoint_agent")


@metric
def disk_encryption_coverage(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | None:
    return _asset_share(db, ("workstation", "mobile"), "disk_encrypted")


def _mfa(db: sqlite3.Connection, scope: str, columns: str) -> MetricValue | NotMeasured | None:
    """Accounts in scope that do not use MFA. An account whose export gives no MFA value is
    not shown to use it (counted and said); an export with no MFA value at all says nothing
    about MFA, so the rule is not measured rather than "not implemented"."""
    total, known = db.execute(
        f"SELECT count(*), count(mfa) FROM identities WHERE {scope}"
    ).fetchone()
    if total == 0:
        return None
    if known == 0:
        return NotMeasured(
            f"the identity export gives no MFA value for any of the {total} accounts "
            "(no MFA column, or it is empty), so it says nothing about multifactor sign-in"
        )
    value = _value(
        db,
        f"SELECT 1 FROM identities WHERE {scope}",
        f"SELECT {columns}, CASE WHEN mfa IS NULL THEN 'not in the export' ELSE 'no' END AS mfa "
        f"FROM identities WHERE {scope} AND mfa IS NOT 1 ORDER BY mfa IS NULL, user",
    )
    if value is None or known == total:
        return value
    note = f"{total - known} of them have no MFA value in the export and count as not using it."
    return MetricValue(value.total, value.bad, value.columns, value.rows, note)


@metric
def mfa_all_users(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | NotMeasured | None:
    return _mfa(db, "enabled = 1", "user, privileged, last_sign_in")


@metric
def mfa_privileged(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | NotMeasured | None:
    return _mfa(db, "enabled = 1 AND privileged = 1", "user, last_sign_in")


@metric
def active_accounts(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | None:
    cutoff = (ctx.as_of - dt.timedelta(days=90)).isoformat()
    return _value(
        db,
        "SELECT 1 FROM identities WHERE enabled = 1",
        "SELECT user, privileged, last_sign_in FROM identities WHERE enabled = 1 "
        "AND (last_sign_in IS NULL OR last_sign_in <= ?) ORDER BY user",
        (),
        (cutoff,),
    )


@metric
def dmarc_enforced(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | None:
    """Mail domains under a DMARC policy of quarantine or reject: their own record's, or for a
    subdomain without one, its organizational domain's sp= (else p=); see mail_auth.py."""
    domains = {
        name: (record, policy)
        for name, record, policy in db.execute(
            "SELECT domain, dmarc, dmarc_policy FROM email_domains"
        ).fetchall()
    }
    if not domains:
        return None
    db.executescript("""
        DROP TABLE IF EXISTS temp.dmarc_coverage;
        CREATE TEMP TABLE dmarc_coverage (domain TEXT PRIMARY KEY, policy TEXT, source TEXT);
    """)
    db.executemany(
        "INSERT INTO dmarc_coverage VALUES (?, ?, ?)",
        [(c.domain, c.policy, c.source) for c in coverage(domains)],
    )
    return _value(
        db,
        "SELECT 1 FROM dmarc_coverage",
        "SELECT domain, policy AS dmarc_policy, source FROM dmarc_coverage "
        "WHERE policy IS NULL OR policy NOT IN ('quarantine', 'reject') ORDER BY domain",
    )


@metric
def spf_enforced(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | None:
    """Mail domains whose SPF record ends in -all (fail) or ~all (soft fail): anything else
    (no record, ?all, +all, only redirect=) lets anyone send as the domain."""
    return _value(
        db,
        "SELECT 1 FROM email_domains",
        "SELECT domain, spf_all, spf FROM email_domains "
        "WHERE spf IS NULL OR spf_all IS NULL OR spf_all NOT IN ('-all', '~all') ORDER BY domain",
    )


@metric
def dkim_published(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | NotMeasured | None:
    """Mail domains with at least one DKIM key found. A key can only be found under a selector
    name someone looked up (or in a full zone export), so finding one proves DKIM is set up,
    but not finding one does not prove it is missing."""
    total, with_keys = db.execute(
        "SELECT count(*), coalesce(sum(dkim_selectors != ''), 0) FROM email_domains"
    ).fetchone()
    if total == 0:
        return None
    if with_keys == 0:
        return NotMeasured(
            f"no DKIM key was found for any of the {total} mail domains; DKIM keys are found "
            "only under selector names that were looked up, so this does not show that DKIM "
            "is missing"
        )
    value = _value(
        db,
        "SELECT 1 FROM email_domains",
        "SELECT domain FROM email_domains WHERE dkim_selectors = '' ORDER BY domain",
    )
    if value is None or value.bad == 0:
        return value
    note = (
        "A domain listed may still sign with a selector that was not looked up; DKIM was found "
        "only for the others."
    )
    return MetricValue(value.total, value.bad, value.columns, value.rows, note)


@metric
def medical_devices_segregated(db: sqlite3.Connection, ctx: MetricContext) -> MetricValue | None:
    scope = "SELECT * FROM assets WHERE type = 'medical_device' AND segment IS NOT NULL"
    return _value(
        db,
        scope,
        "SELECT m.hostname, m.ip, m.segment, m.location FROM "
        f"({scope}) m WHERE EXISTS (SELECT 1 FROM assets w WHERE w.type = "
        "'workstation' AND w.segment = m.segment) ORDER BY m.key",
    )


def _device_ids(db: sqlite3.Connection) -> None:
    """Temp table of the identifiers each medical device can appear under in a scan."""
    db.executescript("""
        DROP TABLE IF EXISTS temp.device_ids;
        CREATE TEMP TABLE device_ids (id TEXT NOT NULL, key TEXT NOT NULL);
        INSERT INTO device_ids SELECT lower(ip), key FROM assets
            WHERE type = 'medical_device' AND ip IS NOT NULL;
        INSERT INTO device_ids SELECT key, key FROM assets WHERE type = 'medical_device';
        INSERT INTO device_ids SELECT short_name(hostname), key FROM assets
            WHERE type = 'medical_device' AND short_name(hostname) IS NOT NULL;
        CREATE INDEX temp.device_ids_id ON device_ids(id);
    """)


@metric
def medical_devices_no_kev(
    db: sqlite3.Connection, ctx: MetricContext
) -> MetricValue | NotMeasured | None:
    """Scanned medical devices with an open finding on CISA's KEV list: the finding's CVEs
    matched against the KEV data in use, or the scanner's own KEV flag. A device no scan has
    seen says nothing either way, so it is left out of the count and reported."""
    if not _has(db, "findings"):
        return None
    devices = _count(db, "SELECT count(*) FROM assets WHERE type = 'medical_device'")
    if devices == 0:
        return None
    catalog = ctx.kev_catalog
    known = catalog.cves

    def kev_cves(cves: str | None) -> str | None:
        hits = [c for c in (cves or "").split() if c.upper() in known]
        return " ".join(hits) or None

    db.create_function("kev_cves", 1, kev_cves, deterministic=True)
    _device_ids(db)
    scanned = f"SELECT a.* FROM assets a WHERE a.type = 'medical_device' AND {IN_SCANS}"
    total = _count(db, f"SELECT count(*) FROM ({scanned})")
    unscanned = devices - total
    if total == 0:
        return NotMeasured(
            f"none of the {devices} medical devices appears in any imported scan, so whether "
            "they have known-exploited vulnerabilities is unknown"
        )
    # One pass over the open findings; each is tied to the devices it may belong to.
    db.executescript(f"""
        DROP TABLE IF EXISTS temp.device_kev;
        CREATE TEMP TABLE device_kev AS
        SELECT DISTINCT d.key AS key, f.check_id AS check_id,
            coalesce(kev_cves(f.cves), CASE WHEN f.known_exploited = 1
                THEN 'flagged by ' || f.source END) AS kev
        FROM ({OPEN_FINDINGS}) f
        JOIN device_ids d ON d.id IN (lower(f.host), lower(f.hostname), short_name(f.hostname))
        WHERE f.known_exploited = 1 OR kev_cves(f.cves) IS NOT NULL;
    """)
    bad_sql = (
        "SELECT a.hostname, a.ip, a.location, group_concat(DISTINCT k.kev) AS known_exploited "
        f"FROM ({scanned}) a JOIN device_kev k ON k.key = a.key GROUP BY a.key ORDER BY a.key"
    )
    bad = _count(db, f"SELECT count(*) FROM ({bad_sql})")
    cursor = db.execute(f"{bad_sql} LIMIT {DRILL_LIMIT}")
    columns = tuple(d[0] for d in cursor.description)
    note = f"Matched against {catalog.describe}."
    if unscanned:
        note = (
            f"{unscanned} of {devices} medical devices were not seen by any scan and are not "
            f"counted. {note}"
        )
    return MetricValue(total, bad, columns, tuple(cursor.fetchall()), note)
