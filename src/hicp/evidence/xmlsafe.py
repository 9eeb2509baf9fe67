"""Streaming, hardened XML reading for scanner exports.

lxml's iterparse is configured so that no entity is expanded, no DTD or network resource is
loaded and no huge-tree limits are lifted; a document whose prolog declares entities is refused
outright, since no scanner export needs them and they are the tool of XML bombs and external
entity attacks. Memory stays bounded because each finished element is cleared as we go.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from hicp.errors import ImportError_, Problem
from hicp.evidence.base import Progress

MAX_PROLOG = 1 << 20  # an export's prolog is a few hundred bytes; a megabyte is suspicious
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT_START = re.compile(rb"<(?![?!])")  # the first tag that is not a PI, comment or declaration
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


class _CountingReader:
    """A binary file wrapper that reports how many bytes have been read."""

    def __init__(self, handle: IO[bytes], progress: Progress | None) -> None:
        self.handle = handle
        self.progress = progress
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.done += len(chunk)
        if self.progress is not None:
            self.progress(self.done)
        return chunk


def refuse_entities(path: Path, handle: IO[bytes]) -> None:
    """Read the prolog (everything before the root element) and refuse entity declarations."""
    prolog = b""
    while True:
        chunk = handle.read(64 * 1024)
        prolog += chunk
        visible = _COMMENT.sub(b"", prolog)
        if _ENTITY.search(visible):
            raise ImportError_(
                f"{path}: refused: the file declares XML entities (<!ENTITY …>). Scanner exports "
                "never need them, and they are how XML bombs and external-entity attacks work."
            )
        if _ROOT_START.search(visible) or not chunk:
            return
        if len(prolog) > MAX_PROLOG:
            raise ImportError_(
                f"{path}: refused: more than 1 MB before the first element; scanner exports "
                "start with their data at once"
            )


def _explain(exc: etree.XMLSyntaxError) -> str:
    message = str(exc.msg) if exc.msg else "not well-formed XML"
    lowered = message.lower()
    if "encoding" in lowered or "utf-8" in lowered:
        return (
            "the bytes are not valid in the file's encoding (UTF-8 unless its XML "
            "declaration says otherwise); export the report again as UTF-8"
        )
    if "document is empty" in lowered or "extra content" in lowered or "premature end" in lowered:
        return f"{message}; the file may be truncated (is the export complete?)"
    return f"{message}; the file may be truncated or not an export"


def iterparse(
    path: Path,
    tags: tuple[str, ...],
    progress: Progress | None = None,
    discard: tuple[str, ...] = (),
) -> Iterator[Any]:
    """Yield each finished element whose tag is in ``tags``; clear it after use.

    Elements whose tag is in ``discard`` are cleared as soon as they end and never yielded:
    for large subtrees an importer does not need (per-host detail blocks, say).
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        refuse_entities(path, handle)
        handle.seek(0)
        reader = _CountingReader(handle, progress)
        # Hardened: no entity expansion, no DTD or network loads (entities are refused above).
        context = etree.iterparse(
            reader,
            events=("end",),
            tag=tags + discard,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
        )
        dropped = frozenset(discard)
        try:
            for _, element in context:
                if element.tag not in dropped:
                    yield element
                element.clear(keep_tail=False)
                # Drop already-processed siblings so memory does not grow with the file.
                while element.getprevious() is not None:
                    parent = element.getparent()
                    if parent is None:
                        break
                    del parent[0]
        except etree.XMLSyntaxError as exc:
            raise ImportError_(
                f"{path}: not readable XML",
                [Problem(_explain(exc), file=path, line=exc.lineno or None)],
            ) from None
