"""`hicp admin`: create users and organizations of the web app from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from hicp.cli.serve_cmd import DATA_DIR
from hicp.errors import HicpError

app = typer.Typer(
    help="Create users and organizations of the web app (`hicp serve`) from the command line.",
    no_args_is_help=True,
)


def _read_password() -> str:
    """The password from stdin: asked twice on a terminal, else the first line of the input.

    Never an option: a password on the command line is visible to every user of the machine
    (process list) and kept in shell history.
    """
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != first:
            raise HicpError("the two passwords differ; nothing was changed")
        return first
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")


@app.command("create-user")
def create_user(
    username: str = typer.Argument(..., help="The new user's sign-in name."),
    email: str = typer.Option("", "--email", help="The user's email address."),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Create a user; the password is read from standard input, never from the command line.

    On a terminal it is asked for twice without echo; otherwise the first line of the input is
    the password (`printf '%s\\n' "$PASSWORD" | hicp admin create-user alice`).
    """
    password = _read_password()
    if not password:
        raise HicpError("no password given on standard input; nothing was changed")

    from hicp.web import server

    server.configure(data_dir)
    server.create_user(username, password, email=email)
    typer.echo(f"Created user {username!r}.")


@app.command("create-org")
def create_org(
    name: str = typer.Argument(..., help="The organization's name."),
    owner: str = typer.Option(..., "--owner", help="Username of the user who will own it."),
    parent: int | None = typer.Option(
        None, "--parent", min=1, help="Make it a facility of the organization with this id."
    ),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Create an organization (or a facility of another) and make --owner its owner."""
    from hicp.web import server

    server.configure(data_dir)
    organization = server.create_organization(name, owner=owner, parent_id=parent)
    typer.echo(
        f"Created organization {organization.name!r} (id {organization.pk}), owned by {owner!r}."
    )
