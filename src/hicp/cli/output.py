"""Output formats shared by every command: rich tables on a terminal, JSON, Markdown."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console, RenderableType

    from hicp.assessment.store import Loaded
    from hicp.catalog import Catalog

JSON_SCHEMA_PREFIX = "hicp."


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    MD = "md"


class Audience(StrEnum):
    CLINIC = "clinic"  # plain language
    IT = "it"  # technical detail


_console: Console | None = None


def console() -> Console:
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(soft_wrap=False)
    return _console


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def emit_json(kind: str, payload: dict[str, Any]) -> None:
    """Print a JSON document whose first key names its shape and version (docs/formats.md)."""
    document = {"schema": f"{JSON_SCHEMA_PREFIX}{kind}/1", **payload}
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


def emit_markdown(text: str) -> None:
    sys.stdout.write(text.rstrip() + "\n")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def table(
    title: str | None,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    justify: Sequence[str] = (),
) -> RenderableType:
    from rich.table import Table

    tbl = Table(title=title, title_justify="left", header_style="bold")
    for i, header in enumerate(headers):
        tbl.add_column(
            header,
            justify=justify[i] if i < len(justify) else "left",  # type: ignore[arg-type]
            overflow="fold",
        )
    for row in rows:
        tbl.add_row(*("" if v is None else str(v) for v in row))
    return tbl


def emit(
    fmt: Format,
    *,
    kind: str,
    data: Callable[[], dict[str, Any]],
    markdown: Callable[[], str],
    rich: Callable[[], Sequence[RenderableType]],
) -> None:
    """Print one result in the chosen format; each renderer is only built if it is used."""
    if fmt is Format.JSON:
        emit_json(kind, data())
    elif fmt is Format.MD:
        emit_markdown(markdown())
    else:
        out = console()
        for part in rich():
            out.print(part)


def warn(message: str) -> None:
    err_console().print(f"[yellow]warning:[/] {message}", soft_wrap=True)


def load_assessment_file(path: Path) -> tuple[Catalog, Loaded]:
    """The shipped catalog and a checked assessment; warnings go to stderr."""
    from hicp.assessment.store import load_assessment
    from hicp.catalog import default_catalog

    catalog = default_catalog()
    loaded = load_assessment(path, catalog)
    for warning in loaded.warnings:
        warn(f"{path}: {warning}")
    return catalog, loaded
