"""Streaming, hardened XML reading for scanner exports.

lxml's iterparse is configured so that no entity is expanded, no DTD or network resource is
loaded and no huge-tree limits are lifted; a document that declares entities is refused
outright, since no scanner export needs them and they are the tool of XML bombs and external
entity attacks. Memory stays bounded because each finished element is cleared as we go.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from hicp.errors import ImportError_, Problem
from hicp.evidence.base import Progress

_ENTITY_DECLARATION = b"<!ENTITY"


class _CountingReader:
    """A binary file wrapper that reports how many bytes have been read."""

    def __init__(self, handle: IO[bytes], progress: Progress | None) -> None:
        self.handle = handle
        self.progress = progress
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        if chunk.startswith(b"\xef\xbb\xbf") and self.done == 0:
            pass  # a UTF-8 byte-order mark is fine: libxml2 understands it
        self.done += len(chunk)
        if self.progress is not None:
            self.progress(self.done)
        return chunk


def refuse_entities(path: Path, head: bytes) -> None:
    if _ENTITY_DECLARATION in head.upper():
        raise ImportError_(
            f"{path}: refused: the file declares XML entities (<!ENTITY …>). Scanner exports "
            "never need them, and they are how XML bombs and external-entity attacks work."
        )


def iterparse(path: Path, tags: tuple[str, ...], progress: Progress | None = None) -> Iterator[Any]:
    """Yield each finished element whose tag is in ``tags``; clear it after use."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        head = handle.read(64 * 1024)
        refuse_entities(path, head)
        handle.seek(0)
        reader = _CountingReader(handle, progress)
        # Hardened: no entity expansion, no DTD or network loads (entities are refused above).
        context = etree.iterparse(
            reader,
            events=("end",),
            tag=tags,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
        )
        try:
            for _, element in context:
                yield element
                element.clear(keep_tail=False)
                # Drop already-processed siblings so memory does not grow with the file.
                while element.getprevious() is not None:
                    parent = element.getparent()
                    if parent is None:
                        break
                    del parent[0]
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if exc.lineno else None
            message = str(exc.msg) if exc.msg else "not well-formed XML"
            if "Document is empty" in message or "Extra content" in message:
                message += " (is the file complete?)"
            raise ImportError_(
                f"{path}: not readable XML",
                [
                    Problem(
                        f"{message}; the file may be truncated or not an export",
                        file=path,
                        line=line,
                    )
                ],
            ) from None
