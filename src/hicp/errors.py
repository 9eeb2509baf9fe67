"""The one exception tree of hicp; every user-facing failure is a HicpError with its places."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where it is.

    ``where`` is a dotted path inside the document (``answers.7.M.D.status``);
    ``line`` is 1-based when the source format can tell it.
    """

    message: str
    file: Path | None = None
    line: int | None = None
    where: str | None = None

    def __str__(self) -> str:
        place = ""
        if self.file is not None:
            place = str(self.file)
            if self.line is not None:
                place += f":{self.line}"
        if self.where:
            place = f"{place} [{self.where}]" if place else f"[{self.where}]"
        return f"{place}: {self.message}" if place else self.message


class HicpError(Exception):
    """Base of every error hicp reports to a user. Carries one or more problems."""

    exit_code = 2

    def __init__(self, summary: str, problems: list[Problem] | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        self.problems = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.summary
        lines = [self.summary, *(f"  {p}" for p in self.problems)]
        return "\n".join(lines)


class CatalogError(HicpError):
    """The shipped (or a user-supplied) HICP catalog is broken."""


class AssessmentError(HicpError):
    """An assessment file is malformed or does not match the catalog."""


class NotFoundError(HicpError):
    """A user asked for an ID or file that does not exist."""


class ImportError_(HicpError):
    """Evidence could not be imported."""


class EvidenceStoreError(HicpError):
    """The evidence store beside an assessment cannot be read (damaged, or not a store)."""


class ReportError(HicpError):
    """A report could not be rendered."""
