"""YAML at the boundary: fast safe loading, round-trip loading that keeps comments, line lookup,
and atomic writes.

The fast (libyaml) loader is used on the happy path; only when something is wrong do we parse the
file again in round-trip mode to find the line a problem sits on, so that error messages can name
``file:line`` without slowing every load down.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from hicp.errors import HicpError, Problem


class Mode(Enum):
    """How to read a YAML document.

    SAFE and LOCATE leave dates as text, so that pydantic validates them and an impossible date
    such as 2026-02-30 becomes a located field error rather than a crash inside the parser.
    EDIT keeps real date values so that a document written back keeps its plain dates.
    """

    SAFE = "safe"  # fast C loader, plain Python values: for validation
    LOCATE = "locate"  # round-trip nodes with line numbers: for pointing at problems
    EDIT = "edit"  # round-trip nodes, comments kept: for changing and writing back


class _SafeDatesAsText(SafeConstructor):
    pass


class _RoundTripDatesAsText(RoundTripConstructor):
    pass


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SafeDatesAsText.add_constructor(_TIMESTAMP, SafeConstructor.construct_yaml_str)
_RoundTripDatesAsText.add_constructor(_TIMESTAMP, RoundTripConstructor.construct_yaml_str)


def _yaml(mode: Mode) -> YAML:
    if mode is Mode.SAFE:
        yaml = YAML(typ="safe", pure=False)
        yaml.Constructor = _SafeDatesAsText
    else:
        yaml = YAML(typ="rt")
        if mode is Mode.LOCATE:
            yaml.Constructor = _RoundTripDatesAsText
        yaml.preserve_quotes = True
        yaml.width = 100
        yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_duplicate_keys = False
    return yaml


def _syntax_problem(path: Path, exc: Exception) -> Problem:
    line = None
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line = mark.line + 1
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, DuplicateKeyError):
        reason = "a key appears twice in the same mapping " + (
            f"({exc.problem})" if exc.problem else ""
        )
    return Problem(f"not valid YAML: {reason}".strip(), file=path, line=line)


def read_text(path: Path, error: type[HicpError]) -> str:
    """Read a UTF-8 text file, turning OS and encoding failures into one clear error."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 and try again"
        ) from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None


def load(path: Path, error: type[HicpError], mode: Mode = Mode.SAFE) -> Any:
    """Parse one YAML file. Syntax errors and duplicate keys raise ``error`` naming file:line."""
    text = read_text(path, error)
    return loads(text, path, error, mode)


def loads(text: str, path: Path, error: type[HicpError], mode: Mode = Mode.SAFE) -> Any:
    yaml = _yaml(mode)
    try:
        return yaml.load(text)
    except (MarkedYAMLError, DuplicateKeyError) as exc:
        problem = _syntax_problem(path, exc)
        raise error(f"{path}: cannot be read", [problem]) from None
    except (YAMLError, ValueError) as exc:  # ValueError: a value the parser could not build
        raise error(f"{path}: cannot be read", [Problem(str(exc), file=path)]) from None


def line_of(tree: Any, loc: Sequence[str | int]) -> int | None:
    """Best 1-based line for a location inside a round-trip tree: the deepest key that exists."""
    line: int | None = None
    node = tree
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            with contextlib.suppress(KeyError, TypeError, AttributeError):
                line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            with contextlib.suppress(KeyError, TypeError, AttributeError):
                line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    if line is None and isinstance(tree, CommentedMap):
        line = tree.lc.line + 1
    return line


def dumps_roundtrip(tree: Any) -> str:
    buffer = io.StringIO()
    _yaml(Mode.EDIT).dump(tree, buffer)
    return buffer.getvalue()


def _umask() -> int:
    mask = os.umask(0)  # reading the umask means setting it; restore it at once
    os.umask(mask)
    return mask


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new file.

    Write to a temporary file in the same directory, flush it to disk, then rename over the
    target (``os.replace`` is atomic on POSIX and Windows for same-volume paths).
    """
    directory = path.parent if str(path.parent) else Path()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates the file private (0600); give it the target's permissions, or for a
        # new file what the user's umask would give any file they create.
        if path.exists():
            tmp.chmod(path.stat().st_mode & 0o777)
        else:
            tmp.chmod(0o666 & ~_umask())
        tmp.replace(path)  # atomic rename over the target
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
