"""Which reference data the evidence checks use (end-of-life, KEV), and installing newer copies.

A copy installed with `hicp evidence update-data` lives in a per-user data folder and takes
precedence over the copy shipped in the package; nothing is fetched over the network. The
folder is $HICP_DATA_DIR, else $XDG_DATA_HOME/hicp, else ~/.local/share/hicp.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hicp import yamlio
from hicp.errors import CatalogError, Problem
from hicp.evidence import kev, os_lifecycle
from hicp.evidence.kev import KevCatalog
from hicp.evidence.os_lifecycle import OsLifecycle, Product

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "reference"
LIFECYCLE_FILE = "os_lifecycle.yaml"
KEV_FILE = "kev.json"


def user_folder() -> Path:
    if folder := os.environ.get("HICP_DATA_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hicp"


def _path(name: str) -> tuple[Path, bool]:
    """The file to use and whether it is the user's installed copy."""
    user = user_folder() / name
    return (user, True) if user.is_file() else (SHIPPED / name, False)


@lru_cache(maxsize=4)
def _lifecycle(path: Path, mtime: float) -> OsLifecycle:
    return os_lifecycle.load(path)


@lru_cache(maxsize=4)
def _kev(path: Path, mtime: float) -> KevCatalog:
    return kev.load(path)


def os_lifecycle_data() -> OsLifecycle:
    path, _ = _path(LIFECYCLE_FILE)
    return _lifecycle(path, path.stat().st_mtime)


def kev_data() -> KevCatalog:
    path, _ = _path(KEV_FILE)
    return _kev(path, path.stat().st_mtime)


@dataclass(frozen=True)
class DataInUse:
    what: str  # the data and its version
    path: Path
    installed: bool  # a user-installed copy rather than the shipped one

    def __str__(self) -> str:
        where = f"installed copy {self.path}" if self.installed else "shipped with hicp"
        return f"{self.what} ({where})"


def in_use() -> tuple[DataInUse, DataInUse]:
    """The end-of-life and KEV data the checks use, for `evidence show` and reports."""
    life_path, life_user = _path(LIFECYCLE_FILE)
    kev_path, kev_user = _path(KEV_FILE)
    return (
        DataInUse(os_lifecycle_data().describe, life_path, life_user),
        DataInUse(kev_data().describe, kev_path, kev_user),
    )


@dataclass(frozen=True)
class Installed:
    kind: str  # "end-of-life" or "KEV"
    new: str
    old: str
    path: Path

    def __str__(self) -> str:
        return f"Installed {self.kind} data {self.new} at {self.path}, replacing {self.old}."


def _endoflife_files(source: Path) -> list[Path]:
    if source.is_dir():
        return sorted(p for p in source.iterdir() if p.suffix in (".md", ".yaml", ".yml"))
    return [source]


def _looks_like_kev(source: Path) -> bool:
    if source.is_dir() or source.suffix.lower() != ".json":
        return False
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = Problem(str(exc), file=source)
        raise CatalogError(f"{source}: not readable JSON", [problem]) from None
    if not kev.is_cisa_kev(data):
        raise CatalogError(
            f"{source}: not a CISA KEV catalog or endoflife.date products file",
            [Problem("a KEV catalog has 'catalogVersion' and 'vulnerabilities'", file=source)],
        )
    return True


def install(source: Path, force: bool = False) -> Installed:
    """Validate a KEV JSON or endoflife.date product file/folder and install it atomically,
    refusing data older than the one in use unless `force`."""
    if not source.exists():
        raise CatalogError(f"{source}: no such file or folder")
    folder = user_folder()
    if _looks_like_kev(source):
        new_kev = kev.load(source)
        current = kev_data()
        if not force and new_kev.released < current.released:
            raise CatalogError(
                f"{source}: KEV catalog {new_kev.version} is older than the one in use "
                f"({current.version}); use --force to install it anyway"
            )
        target = folder / KEV_FILE
        folder.mkdir(parents=True, exist_ok=True)
        yamlio.write_atomic(target, kev.dumps(new_kev))
        _copy_license(folder, "LICENSE-kev")
        return Installed("KEV", f"version {new_kev.version}", current.describe, target)
    new_life = os_lifecycle.from_endoflife(_endoflife_files(source))
    current_life = os_lifecycle_data()
    # Product files update their products; the others are kept, so one file can be refreshed.
    older = [
        name
        for name, product in new_life.products.items()
        if name in current_life.products and _newest(product) < _newest(current_life.products[name])
    ]
    if older and not force:
        raise CatalogError(
            f"{source}: the end-of-life data for {', '.join(sorted(older))} is older than the "
            "data in use; use --force to install it anyway"
        )
    merged = current_life.model_copy(
        update={
            "products": {**current_life.products, **new_life.products},
            "snapshot": new_life.snapshot,
            "data_through": max(new_life.data_through, current_life.data_through),
        }
    )
    target = folder / LIFECYCLE_FILE
    folder.mkdir(parents=True, exist_ok=True)
    yamlio.write_atomic(target, os_lifecycle.dump(merged))
    _copy_license(folder, "LICENSE-endoflife.date")
    names = ", ".join(sorted(new_life.products))
    return Installed(
        "end-of-life", f"snapshot of {new_life.snapshot} ({names})", current_life.describe, target
    )


def _newest(product: Product) -> dt.date:
    return max((c.released for c in product.cycles if c.released), default=dt.date.min)


def _copy_license(folder: Path, name: str) -> None:
    """Installed data keeps its license notice beside it."""
    target = folder / name
    if not target.exists():
        yamlio.write_atomic(target, (SHIPPED / name).read_text(encoding="utf-8"))
