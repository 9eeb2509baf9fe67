"""Evidence files on disk: what an upload really is, its safe name, and where it is kept.

Rules:
- the kind of a file is decided from its content, never from what the browser says; only the
  kinds in ``KINDS`` are kept, and the name's extension must agree with the content (a name
  without one gets the kind's usual extension);
- Office files are zip archives: their table of contents and one small part are read, with
  size limits, and nothing is ever extracted to disk; macro-enabled documents are refused;
- a kept file lives at ``ATTACHMENT_ROOT/<organization id>/<32 random hex digits>``, in folders
  only the server's user can open (0700) and with mode 0600; it reaches its final name by an
  atomic rename of a temporary file in the same folder, so a half-written file is never seen.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from defusedxml import ElementTree
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat

from hicp.errors import HicpError

logger = logging.getLogger(__name__)

MB = 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    """A kind of evidence file we keep: its name for people, media type and extensions."""

    label: str
    content_type: str
    extensions: tuple[str, ...]  # the first is added to a name that has no extension


PDF = Kind("PDF document", "application/pdf", (".pdf",))
PNG = Kind("PNG picture", "image/png", (".png",))
JPEG = Kind("JPEG picture", "image/jpeg", (".jpg", ".jpeg"))
GIF = Kind("GIF picture", "image/gif", (".gif",))
DOCX = Kind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = Kind(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
ODT = Kind("OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = Kind("OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", (".ods",))
CSV = Kind("CSV table", "text/csv", (".csv",))
TEXT = Kind("plain text file", "text/plain", (".txt",))
KINDS = (PDF, PNG, JPEG, GIF, DOCX, XLSX, ODT, ODS, CSV, TEXT)

ACCEPTED_IN_WORDS = (
    "PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods), pictures (PNG, JPEG, GIF), "
    "CSV or plain text (.txt) files"
)

_SIGNATURES: tuple[tuple[bytes, Kind], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, and password-protected Office files
_UTF8_BOM = codecs.BOM_UTF8

# The main part's media type names the document kind; macro-enabled (.docm, .xlsm) and
# template variants have other types and are refused with everything else.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_ODF_MIMETYPES = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MAX_ENTRIES = 10_000  # a large workbook has a few hundred parts
_MAX_MANIFEST = 1 * MB  # [Content_Types].xml is a few kilobytes

_STORED_NAME = re.compile(r"[0-9a-f]{32}")
# Characters Windows refuses in file names; browsers would change them on download anyway.
_NOT_IN_NAMES = frozenset('<>:"|?*/\\')
MAX_NAME = 120
_MAX_SUFFIX = 10


class RefusedUpload(HicpError):
    """An upload that is not kept; ``status`` is the HTTP status that says why."""

    def __init__(self, summary: str, status: int) -> None:
        super().__init__(summary)
        self.status = status


def limit_in_words(limit: int) -> str:
    """The upload limit as people read it: "20 MB" (or smaller units for tiny test limits)."""
    if limit >= MB:
        return f"{limit / MB:g} MB"
    return str(filesizeformat(limit))


def too_large(limit: int) -> RefusedUpload:
    return RefusedUpload(
        f"The file is larger than the limit of {limit_in_words(limit)}, so it was not kept. "
        "Make it smaller (for example save a PDF with smaller pictures, or split it), "
        "then attach it again.",
        413,
    )


# --- names ----------------------------------------------------------------------------------


def clean_name(raw: str | None) -> str:
    """A file name safe to show and to offer as a download name; never empty.

    Only the last path segment is kept; control and invisible formatting characters (the
    right-to-left override can disguise ``exe.pdf`` as ``fdp.exe``), characters Windows
    refuses, and leading or trailing dots and spaces are removed; the length is capped with
    the extension kept.
    """
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        c for c in name if not unicodedata.category(c).startswith("C") and c not in _NOT_IN_NAMES
    )
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= _MAX_SUFFIX:
            stem = stem[: MAX_NAME - len(suffix) - 1].rstrip(". ")
            name = f"{stem}.{suffix}"
        else:
            name = name[:MAX_NAME].rstrip(". ")
    return name or "file"


def _suffix(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and stem else ""


def name_for(name: str, kind: Kind) -> str:
    """``name`` if its extension agrees with ``kind``, with one added if it has none."""
    suffix = _suffix(name)
    if not suffix:
        return clean_name(name + kind.extensions[0])
    if suffix not in kind.extensions:
        raise RefusedUpload(
            f"“{name}” is named as a {suffix} file, but it is a {kind.label}. Rename it to "
            f"end in {kind.extensions[0]} if that is right, or choose the file you meant.",
            415,
        )
    return name


def disposition(name: str) -> str:
    """A Content-Disposition that always downloads, with a plain-ASCII name for old browsers
    and the exact name in ``filename*`` (RFC 6266) when it has other characters."""
    suffix = _suffix(name)
    stem = name[: len(name) - len(suffix)] if suffix else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = "".join(c for c in ascii_stem if c.isprintable() and c not in _NOT_IN_NAMES)
    ascii_stem = " ".join(ascii_stem.split()).strip(". ") or "file"
    fallback = ascii_stem + name[len(stem) :].encode("ascii", "ignore").decode()
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def sending_type(content_type: str) -> str:
    """The Content-Type to send: text kinds were checked to be UTF-8, so say so."""
    return f"{content_type}; charset=utf-8" if content_type.startswith("text/") else content_type


# --- kinds ----------------------------------------------------------------------------------


def _read_member(archive: zipfile.ZipFile, name: str, cap: int) -> bytes | None:
    """A member's bytes, or None when it is larger than ``cap`` (whatever its header claims)."""
    info = archive.getinfo(name)
    if info.file_size > cap:
        return None
    with archive.open(info) as member:
        data = member.read(cap + 1)
    return data if len(data) <= cap else None


def _office_kind(path: Path) -> Kind | None:
    """Word, Excel or OpenDocument, judged from the archive's table of contents; else None."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ENTRIES:
                return None
            names = {info.filename for info in infos}
            if "mimetype" in names:
                if any(n.startswith(("Basic/", "Scripts/")) for n in names):
                    return None  # OpenDocument macros
                kind = _ODF_MIMETYPES.get((_read_member(archive, "mimetype", 100) or b"").strip())
                return kind if kind is not None and "content.xml" in names else None
            if "[Content_Types].xml" not in names or any(
                n.lower().endswith("vbaproject.bin") for n in names
            ):
                return None
            manifest = _read_member(archive, "[Content_Types].xml", _MAX_MANIFEST)
            if manifest is None:
                return None
            root = ElementTree.fromstring(manifest, forbid_dtd=True)
            found = {
                _OOXML_MAIN[override.get("ContentType", "")]
                for override in root.iter(f"{_CONTENT_TYPES_NS}Override")
                if override.get("ContentType") in _OOXML_MAIN
                and override.get("PartName", "").lstrip("/") in names
            }
            return found.pop() if len(found) == 1 else None
    # Damaged, encrypted or oddly compressed archives, and manifests with a DTD or entities
    # (defusedxml refuses those with a ValueError): nothing we can vouch for.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError):
        return None
    except (EOFError, OSError, ValueError, KeyError, ElementTree.ParseError):
        return None


def _is_utf8_text(path: Path) -> bool:
    """Whether the whole file is UTF-8 text without NUL bytes (which binary files have)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_markup_or_script(head: bytes) -> bool:
    """Text that opens like a web page, SVG or XML (``<``) or a script (``#!``)."""
    start = head.removeprefix(_UTF8_BOM).lstrip()
    return start.startswith((b"<", b"#!"))


def identify(path: Path, name: str) -> Kind:
    """The kind of the file at ``path`` from its content; RefusedUpload (415) if not accepted.

    ``name`` (already cleaned) only chooses between CSV and plain text, which look alike,
    and words the messages.
    """
    with path.open("rb") as handle:
        head = handle.read(CHUNK)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(_ZIP):
        office = _office_kind(path)
        if office is not None:
            return office
    elif head.startswith(_OLE):
        raise RefusedUpload(
            f"“{name}” is an older Word or Excel file, or a password-protected one. Open it, "
            "save it as .docx or .xlsx without a password, then attach that file.",
            415,
        )
    elif not _looks_like_markup_or_script(head):
        if _is_utf8_text(path):
            return CSV if _suffix(name) == ".csv" else TEXT
        if _suffix(name) in CSV.extensions + TEXT.extensions and b"\x00" not in head:
            raise RefusedUpload(
                f"“{name}” is text, but not saved as UTF-8. Save it again choosing UTF-8 "
                "(most editors offer it under “Save as”), then attach it.",
                415,
            )
    raise RefusedUpload(
        f"“{name}” is not a kind of file we accept. You can attach {ACCEPTED_IN_WORDS}. "
        "Web pages, SVG and XML files, programs, scripts and archives are never accepted.",
        415,
    )


# --- storage --------------------------------------------------------------------------------


def root() -> Path:
    return Path(settings.ATTACHMENT_ROOT)


def new_place(organization_id: int) -> tuple[str, Path]:
    """A fresh random stored name for an organization's file, and its path."""
    stored_name = secrets.token_hex(16)
    return stored_name, root() / str(int(organization_id)) / stored_name


def stored_path(organization_id: int, stored_name: str) -> Path | None:
    """Where an attachment's file is kept; None for a name this module never makes."""
    if not _STORED_NAME.fullmatch(stored_name):
        return None
    return root() / str(int(organization_id)) / stored_name


def _private_folder(organization_id: int) -> Path:
    folder = root() / str(int(organization_id))
    root().mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Received:
    """An upload copied to a private temporary file, measured and hashed as it was copied."""

    path: Path
    size: int
    sha256: str


@contextmanager
def receive(upload: UploadedFile, organization_id: int, limit: int) -> Iterator[Received]:
    """Copy ``upload`` next to where it will be kept; the copy is gone when the block ends
    unless ``keep`` renamed it. Refuses (413) as soon as the bytes read pass ``limit``."""
    handle, name = tempfile.mkstemp(dir=_private_folder(organization_id), prefix=".incoming-")
    path = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        yield Received(path, size, digest.hexdigest())
    finally:
        path.unlink(missing_ok=True)


def keep(received: Received, final: Path) -> None:
    """Give the received file its final name in one atomic step (same folder, same disk)."""
    received.path.chmod(0o600)
    received.path.replace(final)


def remove(organization_id: int, stored_name: str) -> None:
    """Delete a kept file; a failure is logged, not raised (its row is already gone)."""
    path = stored_path(organization_id, stored_name)
    if path is None:
        logger.warning("attachment file name %r is not one we make; nothing removed", stored_name)
        return
    try:
        path.unlink(missing_ok=True)
    except OSError:
        logger.exception("could not remove attachment file %s", path)


class UploadCap(FileUploadHandler):
    """Stops taking in an upload once its files pass ``limit`` bytes, so an oversized file is
    never spooled to disk; the view then sees ``exceeded`` and answers 413.

    It counts the bytes really received, whatever the request's headers claim. Fields sent
    before the file (the form's CSRF token comes first) are still read.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
