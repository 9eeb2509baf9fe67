"""Documentation keeps up with the code: every command and every JSON document is described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from hicp.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
FORMATS_DOC = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer, prefix: str) -> list[str]:
    names = [f"{prefix} {c.name}" for c in group.registered_commands]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        names += _commands(sub.typer_instance, f"{prefix} {sub.name}")
    return names


COMMANDS = _commands(app, "hicp")
KINDS = sorted(
    set(
        re.findall(
            r'kind="([a-z._]+)"',
            "".join(
                p.read_text(encoding="utf-8") for p in (ROOT / "src" / "hicp" / "cli").glob("*.py")
            ),
        )
    )
)


def test_the_command_list_is_complete() -> None:
    assert {"hicp assess", "hicp catalog show", "hicp evidence import", "hicp report"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_section_in_the_cli_reference(command: str) -> None:
    assert re.search(rf"^#+ {re.escape(command)}$", CLI_DOC, re.MULTILINE), command


@pytest.mark.parametrize("kind", KINDS)
def test_every_json_document_is_described_in_the_formats_reference(kind: str) -> None:
    assert f"hicp.{kind}/1" in FORMATS_DOC, kind


def test_readme_opens_with_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert [line.split()[:2] for line in first_block.strip().splitlines()[1:]] == [
        ["make", "run"],
        ["make", "test"],
    ]
