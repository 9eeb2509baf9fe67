"""OS lifecycle data (endoflife.date) and the judgment supported / end of life / unknown.

The data is a dated snapshot shipped in data/reference/os_lifecycle.yaml, replaceable with a
newer one through `hicp evidence update-data` (reference_data.py). Recognising the free-text OS
names that scanners and inventories write is in os_names.py; this module decides, for a
recognised (product, cycle) and an assessment date, whether the system still gets security
updates. Anything not recognised is *unknown*, never supported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from hicp import yamlio
from hicp.errors import CatalogError, Problem


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cycle(_Frozen):
    """One release cycle. `eol` is the end of security updates (endoflife.date's "eol"):
    a date, True when it has ended without a known date, False while it is still supported."""

    cycle: str
    label: str | None = None
    codename: str | None = None
    released: dt.date | None = None
    eol: dt.date | bool
    extended: dt.date | bool | None = None  # paid extended support (ESU, ELS, LTS add-ons)
    lts: bool = False
    note: str | None = None  # where a cycle that is not from endoflife.date comes from

    def ended(self, as_of: dt.date) -> bool:
        return self.eol is True or (isinstance(self.eol, dt.date) and self.eol <= as_of)


class Product(_Frozen):
    title: str
    cycles: tuple[Cycle, ...]

    def cycle(self, name: str) -> Cycle | None:
        return next((c for c in self.cycles if c.cycle == name), None)


class OsLifecycle(_Frozen):
    source: str
    license: str
    snapshot: dt.date  # the day the source was copied
    data_through: dt.date  # the newest release date in the data: what "newer data" compares
    products: dict[str, Product]

    @property
    def version(self) -> str:
        return self.snapshot.isoformat()

    @property
    def describe(self) -> str:
        return f"end-of-life data from {self.source}, snapshot of {self.snapshot.isoformat()}"


class Support(StrEnum):
    SUPPORTED = "supported"
    END_OF_LIFE = "end of life"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class OsId:
    """What an OS name was recognised as: a product of the lifecycle data and the cycles to try,
    in order. `family` is a cycle prefix used when the name gives no version (Windows 10,
    Mac OS X): the judgment is then only made if every cycle of the family agrees."""

    product: str
    cycles: tuple[str, ...] = ()
    family: str | None = None
    lts: bool = False


@dataclass(frozen=True)
class Judgment:
    support: Support
    reason: str  # what was recognised and why it is judged so
    end_of_life: dt.date | None = None

    @property
    def text(self) -> str:
        return f"{self.support.value}: {self.reason}"


def _label(product: Product, cycle: Cycle) -> str:
    # Some labels already name the product ("Windows Server 2012 R2"), some do not ("10 22H2").
    if cycle.label and product.title.split()[-1].lower() in cycle.label.lower():
        return cycle.label
    return f"{product.title} {cycle.label or cycle.cycle}"


def _from_cycle(product: Product, cycle: Cycle, as_of: dt.date) -> Judgment:
    name = _label(product, cycle)
    if not cycle.ended(as_of):
        if isinstance(cycle.eol, dt.date):
            return Judgment(Support.SUPPORTED, f"{name}, security updates until {cycle.eol}")
        return Judgment(Support.SUPPORTED, f"{name}, still gets security updates")
    date = cycle.eol if isinstance(cycle.eol, dt.date) else None
    when = f" on {date.isoformat()}" if date else ""
    extra = ""
    if isinstance(cycle.extended, dt.date) and cycle.extended > as_of:
        extra = f" (paid extended support possible until {cycle.extended.isoformat()})"
    return Judgment(Support.END_OF_LIFE, f"{name}, security updates ended{when}{extra}", date)


def judge(data: OsLifecycle, os_id: OsId | None, as_of: dt.date, raw: str) -> Judgment:
    if os_id is None:
        return Judgment(Support.UNKNOWN, f"operating system {raw!r} not recognised")
    product = data.products.get(os_id.product)
    if product is None:
        return Judgment(Support.UNKNOWN, f"no lifecycle data for {os_id.product} ({raw!r})")
    for name in os_id.cycles:
        cycle = product.cycle(name)
        if cycle is not None:
            return _from_cycle(product, cycle, as_of)
    if os_id.family is None:
        tried = ", ".join(os_id.cycles) or "no version"
        return Judgment(
            Support.UNKNOWN, f"{product.title} release {tried} not in the lifecycle data ({raw!r})"
        )
    family = [
        c
        for c in product.cycles
        if c.cycle.startswith(os_id.family) and c.lts == os_id.lts and c.note is None
    ]
    if family and all(c.ended(as_of) for c in family):
        dates = [c.eol for c in family if isinstance(c.eol, dt.date)]
        last = max(dates) if dates else None
        when = f"; the last ended {last.isoformat()}" if last else ""
        return Judgment(
            Support.END_OF_LIFE,
            f"{raw!r} gives no version, but every {product.title} {os_id.family.rstrip('-.')} "
            f"release has reached end of life{when}",
            last,
        )
    if family and not any(c.ended(as_of) for c in family):
        return Judgment(
            Support.SUPPORTED,
            f"{raw!r} gives no version; every {product.title} "
            f"{os_id.family.rstrip('-.')} release still gets security updates",
        )
    return Judgment(
        Support.UNKNOWN, f"{raw!r} gives no version, and {product.title} releases differ"
    )


# --- building the data from endoflife.date product files ------------------------------------

# endoflife.date lists Windows 10 and 11 only; these long-ended releases still turn up in
# hospital inventories, so they are added with dates from Microsoft's lifecycle pages.
LEGACY_WINDOWS = (
    ("xp", "XP", "2014-04-08"),
    ("vista", "Vista", "2017-04-11"),
    ("7", "7", "2020-01-14"),
    ("8", "8", "2016-01-12"),
    ("8.1", "8.1", "2023-01-10"),
)
LEGACY_NOTE = "added by hicp from Microsoft's lifecycle pages; not in endoflife.date"


def _front_matter(path: Path) -> Any:
    text = yamlio.read_text(path, CatalogError)
    if path.suffix == ".md":
        parts = text.split("---", 2)
        if not text.startswith("---") or len(parts) < 3:
            raise CatalogError(
                f"{path}: not an endoflife.date product file",
                [Problem("no front matter between --- lines", file=path)],
            )
        text = parts[1]
    return yamlio.loads(text, path, CatalogError)


def _cycle(release: dict[str, Any]) -> dict[str, Any]:
    lts = release.get("lts")
    return {
        "cycle": str(release["releaseCycle"]),
        "label": release.get("releaseLabel"),
        "codename": release.get("codename"),
        "released": release.get("releaseDate"),
        "eol": release.get("eol", False),
        "extended": release.get("eoes"),
        "lts": bool(lts) if isinstance(lts, bool) else lts is not None,
    }


def is_endoflife_product(data: Any) -> bool:
    return isinstance(data, dict) and "releases" in data and "title" in data


def from_endoflife(files: list[Path], snapshot: dt.date | None = None) -> OsLifecycle:
    """Build lifecycle data from endoflife.date product files (YAML or .md front matter).
    Only operating systems are kept; every problem names its file and field."""
    problems: list[Problem] = []
    products: dict[str, Any] = {}
    newest = dt.date.min
    for path in sorted(files):
        data = _front_matter(path)
        if not is_endoflife_product(data):
            problems.append(Problem("no 'title' and 'releases': not a product file", file=path))
            continue
        if data.get("category") not in ("os", None):
            continue
        cycles = []
        for i, release in enumerate(data["releases"] or []):
            if not isinstance(release, dict) or "releaseCycle" not in release:
                problems.append(Problem("missing releaseCycle", file=path, where=f"releases.{i}"))
                continue
            cycles.append(_cycle(release))
            for key in ("releaseDate", "latestReleaseDate"):
                value = release.get(key)
                if isinstance(value, str) and len(value) == 10:
                    try:
                        newest = max(newest, dt.date.fromisoformat(value))
                    except ValueError:
                        where = f"releases.{i}.{key}"
                        problems.append(Problem(f"not a date: {value!r}", file=path, where=where))
        products[path.stem] = {"title": data["title"], "cycles": cycles}
    if not products and not problems:
        problems.append(Problem("no operating-system product files found"))
    if "windows" in products:
        products["windows"]["cycles"] += [
            {"cycle": c, "label": label, "eol": eol, "note": LEGACY_NOTE}
            for c, label, eol in LEGACY_WINDOWS
        ]
    raw = {
        "source": "endoflife.date (github: endoflife-date/endoflife.date, products/*.md)",
        "license": "MIT, Copyright 2020 endoflife.date contributors (see LICENSE-endoflife.date)",
        "snapshot": (snapshot or newest).isoformat(),
        "data_through": newest.isoformat(),
        "products": products,
    }
    return validate(raw, files[0] if files else Path(), problems)


def validate(raw: Any, path: Path, problems: list[Problem] | None = None) -> OsLifecycle:
    problems = list(problems or [])
    try:
        data = OsLifecycle.model_validate(raw)
    except ValidationError as exc:
        problems += [
            Problem(e["msg"], file=path, where=".".join(map(str, e["loc"]))) for e in exc.errors()
        ]
    if problems:
        raise CatalogError(f"{path}: the end-of-life data is invalid", problems)
    return data


def load(path: Path) -> OsLifecycle:
    return validate(yamlio.load(path, CatalogError), path)


def dump(data: OsLifecycle) -> str:
    """The data file's text: a header saying where it comes from, then the data as YAML."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 200
    out = io.StringIO()
    out.write(
        "# Operating-system lifecycle data for hicp's end-of-life check, generated from\n"
        f"# {data.source}, snapshot of {data.snapshot.isoformat()}.\n"
        f"# License: {data.license}.\n"
        "# Regenerate or replace with: hicp evidence update-data PRODUCTS_FOLDER\n"
    )
    yaml.dump(data.model_dump(mode="json", exclude_none=True, exclude_defaults=True), out)
    return out.getvalue()
