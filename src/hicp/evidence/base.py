"""The importer interface, the registry of importers by name, and format detection."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib import import_module
from pathlib import Path
from typing import Protocol

from hicp.errors import ImportError_
from hicp.evidence.models import Asset, EmailDomain, Finding, Identity

Record = Asset | Finding | EmailDomain | Identity
Progress = Callable[[int], None]  # called with the number of bytes read so far
SNIFF_BYTES = 64 * 1024


class Importer(Protocol):
    name: str  # what --kind takes
    description: str

    def sniff(self, head: bytes, path: Path) -> bool:
        """Whether a file that starts with ``head`` is in this importer's format."""

    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Record]:
        """Yield normalised records, streaming; raise ImportError_ naming file and line."""


# name -> module defining IMPORTER; detection tries them in this order
REGISTRY = {
    "nessus": "hicp.evidence.nessus",
    "openvas": "hicp.evidence.openvas",
    "qualys": "hicp.evidence.qualys",
    "generic": "hicp.evidence.generic_scan",
    "inventory": "hicp.evidence.inventory",
    "identity": "hicp.evidence.identity",
    "dns": "hicp.evidence.dns",
}


def takes_mapping(found: Importer) -> bool:
    """Importers of tables (inventory, identity) accept a column mapping: field -> header."""
    return hasattr(found, "mapping")


def importer(name: str, mapping: Mapping[str, str] | None = None) -> Importer:
    """The registered importer ``name``, configured with a column mapping when one is given."""
    if name not in REGISTRY:
        raise ImportError_(f"--kind {name!r}: use one of {', '.join(REGISTRY)}")
    found: Importer = import_module(REGISTRY[name]).IMPORTER
    if mapping:
        if not takes_mapping(found):
            raise ImportError_(f"--map applies to inventory and identity files, not to {name}")
        configured: Importer = type(found)(mapping=dict(mapping))  # type: ignore[call-arg]
        return configured
    return found


def detect(path: Path, mapping: Mapping[str, str] | None = None) -> Importer:
    """The importer for a file, from its content. With a mapping, only table importers are
    tried, configured with it, so a file whose headers only the mapping explains is found."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read ({exc.strerror})") from None
    for name in REGISTRY:
        candidate = importer(name)
        if mapping:
            if not takes_mapping(candidate):
                continue
            try:
                candidate = importer(name, mapping)
            except ImportError_:
                continue  # the mapping names fields this kind of table does not have
        if candidate.sniff(head, path):
            return candidate
    raise ImportError_(
        f"{path}: not a format hicp recognises; pass --kind ({', '.join(REGISTRY)}) "
        "and see docs/formats.md for what each expects"
    )
