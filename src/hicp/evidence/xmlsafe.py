"""Streaming, hardened XML reading for scanner exports.

Before lxml sees a byte, the prolog (everything before the root element) is decoded the way
an XML parser would (a byte-order mark, else UTF-16 without one from the first ``<``, else an
ASCII-compatible encoding) and checked, so a refusal does not depend on the file's encoding:

- an ``<!ENTITY`` declaration, a DOCTYPE with an internal subset (``[ ... ]``) or a DOCTYPE
  naming an external DTD is refused, all with one message: no scanner export needs them, and
  they are the tool of XML bombs, external-entity attacks and local-file probes. The one
  exception is a DOCTYPE naming Qualys's published DTD over https, which every Qualys report
  carries; it is never fetched.
- the root element must be one the importer reads, so a file imported with the wrong --kind
  is refused with what was found and what was expected, instead of yielding nothing.

lxml's iterparse is then configured so that no entity is expanded and no DTD or network
resource is loaded. libxml2's huge-tree mode is on, since a real .nessus can hold a plugin
output of tens of megabytes in one text node (past libxml2's normal 10 MB limit). It is
bounded instead by our own limit on the bytes read between two elements an importer handles
(``MAX_SPAN``, which bounds what the parser holds at once) and by libxml2's nesting limit in
that mode (``LIBXML_MAX_DEPTH``). Memory stays bounded because each finished element is
cleared as we go.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from hicp.errors import ImportError_, Problem
from hicp.evidence.base import Progress

MAX_PROLOG = 1 << 20  # an export's prolog is a few hundred bytes; a megabyte is suspicious
# Bytes read between two elements an importer reads or discards: what the parser may hold
# at once. Nessus plugin outputs reach tens of megabytes; a gigabyte would be an attack.
MAX_SPAN = 256 << 20
LIBXML_MAX_DEPTH = 2048  # libxml2's own nesting limit in huge-tree mode
_CHUNK = 64 * 1024
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PI = re.compile(r"<\?.*?\?>", re.DOTALL)
_ROOT = re.compile(r"<([^?!\s/>][^\s/>]*)")  # the first tag: no PI, comment or declaration
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(
    r"<!DOCTYPE\s+[^\s\[>]+\s*(?P<external>[^\[>]*)(?P<subset>\[)?", re.IGNORECASE
)
_SYSTEM_ID = re.compile(r"""(?:SYSTEM|PUBLIC\s+(?:"[^"]*"|'[^']*'))\s*(?:"([^"]*)"|'([^']*)')""")
# Qualys reports name their DTD at the platform they came from (qualysguard.qualys.com,
# qualysguard.qg2.apps.qualys.com, qualysapi.qualys.eu, ...); it is never fetched.
_QUALYS_DTD = re.compile(r"https://[a-z0-9.-]*\.qualys\.[a-z]{2,3}/[\w./-]*\.dtd", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NO_BOM = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
REFUSED = (
    "refused: the file declares XML entities or a DTD (<!ENTITY …>, <!DOCTYPE … [ … ]> or "
    "an external DTD). Scanner exports never need them, and they are how XML bombs and "
    "external-entity attacks work."
)


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


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """(codec, length of its byte-order mark) as XML's autodetection finds it (XML 1.0 F.1).

    Without a BOM or UTF-16/32 null pattern the encoding is ASCII-compatible (UTF-8 or what
    the declaration names); latin-1 then decodes markup byte for byte and never fails.
    """
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    for pattern, codec in _NO_BOM:
        if head.startswith(pattern):
            return codec, 0
    return "latin-1", 0


@dataclass(frozen=True)
class Prolog:
    """What stands before a document's root element."""

    encoding: str
    root: str | None  # None: the file has no element at all


def check_prolog(path: Path, handle: IO[bytes], roots: tuple[str, ...] = ()) -> Prolog:
    """Decode the prolog, refuse entities and DTDs, and check the root element is in ``roots``
    (any root when empty)."""
    first = handle.read(_CHUNK)
    codec, bom = sniff_encoding(first)
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    text = decoder.decode(first[bom:])
    size = len(first)
    while True:
        visible = _PI.sub("", _COMMENT.sub("", text))
        # A comment or PI the chunk cut open hides nothing yet: look only before it.
        opened = [at for at in (visible.find("<!--"), visible.find("<?")) if at >= 0]
        visible = visible[: min(opened)] if opened else visible
        if _ENTITY.search(visible):  # early: no need to read on to the root
            raise ImportError_(f"{path}: {REFUSED}")
        started = visible.lstrip()
        if started and not started.startswith("<"):
            _wrong_root(path, None, roots)
        root = _ROOT.search(visible)
        chunk = b"" if root is not None else handle.read(_CHUNK)
        if not chunk:
            # The DOCTYPE is whole once the root (or the end) is reached.
            _refuse_declarations(path, visible)
            found = root.group(1) if root is not None else None
            if roots and found is not None and found not in roots:
                _wrong_root(path, found, roots)
            return Prolog(codec, found)
        size += len(chunk)
        if size > MAX_PROLOG:
            raise ImportError_(
                f"{path}: refused: more than 1 MB before the first element; scanner exports "
                "start with their data at once"
            )
        text += decoder.decode(chunk)


def _wrong_root(path: Path, found: str | None, roots: tuple[str, ...]) -> None:
    expected = " or ".join(f"<{root}>" for root in roots) or "an XML document"
    what = f"the root element is <{found}>" if found else "the file is not XML"
    raise ImportError_(
        f"{path}: {what}, but this importer reads {expected}: is it the right --kind?",
        [Problem(f"expected {expected}", file=path, line=1, where=found)],
    )


def _refuse_declarations(path: Path, visible: str) -> None:
    if _ENTITY.search(visible):
        raise ImportError_(f"{path}: {REFUSED}")
    doctype = _DOCTYPE.search(visible)
    if doctype is None:
        return
    if doctype["subset"]:
        raise ImportError_(f"{path}: {REFUSED}")
    external = doctype["external"].strip()
    if not external:
        return
    system = _SYSTEM_ID.match(external)
    url = (system.group(1) or system.group(2) or "") if system else ""
    if not _QUALYS_DTD.fullmatch(url.strip()):
        raise ImportError_(f"{path}: {REFUSED}")


def _explain(exc: etree.XMLSyntaxError) -> str:
    message = str(exc.msg) if exc.msg else "not well-formed XML"
    lowered = message.lower()
    if "excessive depth" in lowered:
        return (
            f"elements nest deeper than {LIBXML_MAX_DEPTH} levels; scanner exports nest about "
            "ten deep, so this is no export (or a hostile file)"
        )
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
    roots: tuple[str, ...] = (),
    max_span: int | None = None,
) -> Iterator[Any]:
    """Yield each finished element whose tag is in ``tags``; clear it after use.

    Elements whose tag is in ``discard`` are cleared as soon as they end and never yielded:
    for large subtrees an importer does not need (per-host detail blocks, say). With
    ``roots``, a document whose root element is not one of them is refused before parsing.
    At most ``max_span`` bytes (default ``MAX_SPAN``) may be read between two elements in
    ``tags`` or ``discard``: that bounds what the parser holds in memory at once.
    """
    span_limit = MAX_SPAN if max_span is None else max_span
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        check_prolog(path, handle, roots)
        handle.seek(0)
        reader = _CountingReader(handle, progress)
        # Hardened: no entity expansion, no DTD or network loads (entities are refused above).
        # huge_tree lifts libxml2's 10 MB text-node limit; MAX_SPAN is the bound instead.
        context = etree.iterparse(
            reader,
            events=("end",),
            tag=tags + discard,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
            remove_comments=True,
        )
        dropped = frozenset(discard)
        last = 0
        try:
            for _, element in context:
                if reader.done - last > span_limit:
                    _too_big(path, element, span_limit)
                last = reader.done
                if element.tag not in dropped:
                    yield element
                element.clear(keep_tail=False)
                # Drop already-processed siblings so memory does not grow with the file.
                while element.getprevious() is not None:
                    parent = element.getparent()
                    if parent is None:
                        break
                    del parent[0]
            if reader.done - last > span_limit:
                _too_big(path, None, span_limit)
        except etree.XMLSyntaxError as exc:
            raise ImportError_(
                f"{path}: not readable XML",
                [Problem(_explain(exc), file=path, line=exc.lineno or None)],
            ) from None


def _too_big(path: Path, element: Any, limit: int) -> None:
    line = element.sourceline if element is not None else None
    size = f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit:,} bytes"
    raise ImportError_(
        f"{path}: refused: more than {size} of XML in one element",
        [
            Problem(
                f"more than {size} lie between two records; no scanner export holds "
                "that much in one finding, so hicp stops rather than hold it in memory",
                file=path,
                line=line,
            )
        ],
    )
