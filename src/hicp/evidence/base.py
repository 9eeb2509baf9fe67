"""The importer interface, the registry of importers by name, and format detection."""

from __future__ import annotations

import codecs
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import import_module
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar

from hicp.errors import ImportError_
from hicp.evidence.models import Asset, EmailDomain, Finding, Identity

Record = Asset | Finding | EmailDomain | Identity
Progress = Callable[[int], None]  # called with the number of bytes read so far


def two_passes(size: int, progress: Progress | None) -> tuple[Progress, Progress]:
    """Progress callbacks for a reader that reads a file twice (a glossary first, then the
    records): each pass fills half of the bar, so it moves forward only."""

    def first(done: int) -> None:
        if progress is not None:
            progress(done // 2)

    def second(done: int) -> None:
        if progress is not None:
            progress(size - (size - done) // 2)

    return first, second


SNIFF_BYTES = 64 * 1024
_R = TypeVar("_R", bound=Record)
_P = ParamSpec("_P")
_UTF16_HEADS = (
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"<\x00", "utf-16-le"),  # XML in UTF-16 without a byte-order mark
    (b"\x00<", "utf-16-be"),
)


def utf16_as_utf8(head: bytes) -> bytes:
    """A UTF-16 file head (BOM, or XML's "<" without one) re-encoded as UTF-8 for sniffing;
    any other head as it is. Importers read the file itself in its own encoding."""
    for marks, codec in _UTF16_HEADS:
        if head.startswith(marks):
            return head.decode(codec, errors="ignore").lstrip("\ufeff").encode("utf-8")
    return head


class Importer(Protocol):
    name: str  # what --kind takes
    description: str

    def sniff(self, head: bytes, path: Path) -> bool:
        """Whether a file that starts with ``head`` is in this importer's format."""

    def read(self, path: Path, progress: Progress | None = None) -> Iterator[Record]:
        """Yield normalised records, streaming; raise ImportError_ naming file and line."""


def at_least_one(read: Callable[_P, Iterator[_R]]) -> Callable[_P, Iterator[_R]]:
    """Make an importer's ``read`` fail when the file yields no record at all.

    A file that holds nothing hicp reads is a wrong --kind, an export of the wrong report or
    a cut file far more often than a true "nothing to report"; recording it as imported would
    also block the right import of the same file later. Raising at the end of the stream
    rolls the store's transaction back, so nothing is recorded.
    """

    @functools.wraps(read)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> Iterator[_R]:
        # read(self, path, progress): path is the second positional or a keyword
        found: Any = args[0]
        path: Path = kwargs["path"] if "path" in kwargs else args[1]  # type: ignore[assignment]
        count = 0
        for record in read(*args, **kwargs):
            count += 1
            yield record
        if count == 0:
            empty = path.stat().st_size == 0
            raise ImportError_(
                f"{path}: "
                + ("the file is empty" if empty else f"no records found for {found.name}")
                + "; nothing was imported. Is it the right file and --kind? See docs/formats.md "
                "for what each kind expects.",
            )

    return checked


# The notes of exports found incomplete while partial imports are allowed; None: refuse them.
_PARTIAL: ContextVar[list[str] | None] = ContextVar("partial_imports", default=None)


@contextmanager
def partial_allowed() -> Iterator[list[str]]:
    """Within this block an export that says it is incomplete (a Greenbone report holding one
    page of its results) imports what it holds, and the note is added to the yielded list for
    the caller to show, instead of failing (the CLI's --allow-partial)."""
    notes: list[str] = []
    token = _PARTIAL.set(notes)
    try:
        yield notes
    finally:
        _PARTIAL.reset(token)


def incomplete(error: ImportError_) -> None:
    """Called by an importer that finds its export incomplete: raise ``error``, unless partial
    imports are allowed, when it becomes a note."""
    notes = _PARTIAL.get()
    if notes is None:
        raise error
    notes.append(str(error))


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
    """Importers of tables (inventories, identity exports, scanner CSVs) accept a column
    mapping: field -> header."""
    return hasattr(found, "mapping")


def importer(name: str, mapping: Mapping[str, str] | None = None) -> Importer:
    """The registered importer ``name``, configured with a column mapping when one is given."""
    if name not in REGISTRY:
        raise ImportError_(f"--kind {name!r}: use one of {', '.join(REGISTRY)}")
    found: Importer = import_module(REGISTRY[name]).IMPORTER
    if mapping:
        if not takes_mapping(found):
            raise ImportError_(
                f"--map applies to inventory, identity and scanner CSV files, not to {name}"
            )
        configured: Importer = type(found)(mapping=dict(mapping))  # type: ignore[call-arg]
        return configured
    return found


def detect(path: Path, mapping: Mapping[str, str] | None = None) -> Importer:
    """The importer for a file, from its content. With a mapping, only table importers are
    tried, configured with it, so a file whose headers only the mapping explains is found."""
    try:
        with path.open("rb") as handle:
            head = utf16_as_utf8(handle.read(SNIFF_BYTES))
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
