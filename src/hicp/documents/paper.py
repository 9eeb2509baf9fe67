"""Page sizes for PDF documents (a module of its own: the CLI imports it at startup)."""

from __future__ import annotations

from enum import StrEnum


class Paper(StrEnum):
    """The page size a PDF is laid out on; a one-page sheet fits one page of either."""

    LETTER = "letter"  # North America
    A4 = "a4"  # most of the rest of the world
