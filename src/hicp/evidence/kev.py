"""CISA's Known Exploited Vulnerabilities catalog in the compact form hicp ships and matches.

The shipped copy (data/reference/kev.json) keeps what the checks need from CISA's JSON: each
CVE, the date CISA added it, vendor and product, and whether it is known to be used in
ransomware campaigns, with the catalog's version and release date. `from_cisa` reads CISA's
own file, so `hicp evidence update-data` can install a newer one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from hicp.errors import CatalogError, Problem

CVE = Annotated[str, StringConstraints(pattern=r"^CVE-\d{4}-\d{4,}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KevEntry(_Frozen):
    cve: CVE
    added: dt.date
    vendor: str
    product: str
    ransomware: bool  # CISA: "Known" use in ransomware campaigns (else "Unknown")


class KevCatalog(_Frozen):
    source: str
    license: str
    version: str  # CISA's catalogVersion, e.g. 2025.08.25
    released: dt.datetime
    entries: tuple[KevEntry, ...]

    @property
    def cves(self) -> frozenset[str]:
        return frozenset(e.cve for e in self.entries)

    @property
    def describe(self) -> str:
        return f"CISA KEV catalog version {self.version} ({len(self.entries)} CVEs)"


SOURCE = "CISA Known Exploited Vulnerabilities catalog (github: cisagov/kev-data)"
LICENSE = "CC0 1.0 (see LICENSE-kev)"


def is_cisa_kev(data: Any) -> bool:
    return isinstance(data, dict) and "catalogVersion" in data and "vulnerabilities" in data


def _problems(exc: ValidationError, path: Path, prefix: str = "") -> list[Problem]:
    return [
        Problem(e["msg"], file=path, where=prefix + ".".join(map(str, e["loc"])))
        for e in exc.errors()
    ]


def from_cisa(data: Any, path: Path) -> KevCatalog:
    """Read CISA's JSON (known_exploited_vulnerabilities.json); every bad entry is named by its
    index and field."""
    if not is_cisa_kev(data):
        raise CatalogError(
            f"{path}: not a CISA KEV catalog",
            [Problem("no 'catalogVersion' and 'vulnerabilities'", file=path)],
        )
    problems: list[Problem] = []
    entries = []
    for i, item in enumerate(data["vulnerabilities"] or []):
        if not isinstance(item, dict):
            problems.append(Problem("not an object", file=path, where=f"vulnerabilities.{i}"))
            continue
        missing = [
            k
            for k in ("cveID", "dateAdded", "vendorProject", "product")
            if not isinstance(item.get(k), str)
        ]
        if missing:
            problems += [
                Problem("missing or not text", file=path, where=f"vulnerabilities.{i}.{k}")
                for k in missing
            ]
            continue
        raw = {
            "cve": item["cveID"].strip().upper(),
            "added": item["dateAdded"],
            "vendor": item["vendorProject"],
            "product": item["product"],
            "ransomware": str(item.get("knownRansomwareCampaignUse", "")).lower() == "known",
        }
        try:
            entries.append(KevEntry.model_validate(raw))
        except ValidationError as exc:
            fields = {"cve": "cveID", "added": "dateAdded"}
            problems += [
                Problem(
                    e["msg"],
                    file=path,
                    where=f"vulnerabilities.{i}.{fields.get(str(e['loc'][0]), e['loc'][0])}",
                )
                for e in exc.errors()
            ]
    raw_catalog = {
        "source": SOURCE,
        "license": LICENSE,
        "version": str(data["catalogVersion"]),
        "released": data.get("dateReleased"),
        "entries": (),
    }
    try:
        catalog = KevCatalog.model_validate(raw_catalog)
    except ValidationError as exc:
        fields = {"version": "catalogVersion", "released": "dateReleased"}
        problems += [
            Problem(e["msg"], file=path, where=fields.get(str(e["loc"][0]), str(e["loc"][0])))
            for e in exc.errors()
        ]
    if problems:
        raise CatalogError(f"{path}: the KEV catalog is invalid", problems)
    return catalog.model_copy(update={"entries": tuple(entries)})


def dumps(catalog: KevCatalog) -> str:
    """Compact JSON: one row per CVE, [cve, added, vendor, product, ransomware]."""
    head = {
        "source": catalog.source,
        "license": catalog.license,
        "version": catalog.version,
        "released": catalog.released.isoformat(),
        "columns": ["cve", "added", "vendor", "product", "ransomware"],
    }
    rows = [
        json.dumps([e.cve, e.added.isoformat(), e.vendor, e.product, e.ransomware])
        for e in catalog.entries
    ]
    body = json.dumps(head, indent=1)[:-2]
    return body + ',\n "entries": [\n  ' + ",\n  ".join(rows) + "\n ]\n}\n"


def loads(text: str, path: Path) -> KevCatalog:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{path}: not valid JSON", [Problem(exc.msg, file=path, line=exc.lineno)]
        ) from None
    if is_cisa_kev(data):
        return from_cisa(data, path)
    try:
        columns = data["columns"]
        rows = [dict(zip(columns, row, strict=True)) for row in data["entries"]]
        head = {k: v for k, v in data.items() if k not in ("columns", "entries")}
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(
            f"{path}: the KEV data is invalid", [Problem(f"malformed: {exc}", file=path)]
        ) from None
    try:
        return KevCatalog.model_validate({**head, "entries": rows})
    except ValidationError as exc:
        raise CatalogError(f"{path}: the KEV data is invalid", _problems(exc, path)) from None


def load(path: Path) -> KevCatalog:
    return loads(path.read_text(encoding="utf-8"), path)


CVE_IN_TEXT = re.compile(r"CVE-\d{4}-\d{4,}")
