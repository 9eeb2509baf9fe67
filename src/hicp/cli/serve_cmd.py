"""`hicp serve` and `hicp migrate`: run the web app with a production WSGI server (waitress for
one process, gunicorn for several), and prepare a shared database as a step of its own."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

# Shared with `hicp admin`, so both commands reach the same database.
DATA_DIR = typer.Option(
    None,
    "--data-dir",
    help=(
        "Folder of the SQLite database (and collected static files). Default: HICP_DATA_DIR, "
        "else the user's data directory. Ignored for the database when DATABASE_URL is set."
    ),
)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(
        8000, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."
    ),
    data_dir: Path | None = DATA_DIR,
    demo: bool = typer.Option(
        False,
        "--demo",
        help=(
            "Add the demo organization with sample answers (once). On 127.0.0.1 the demo user "
            "gets a new password at every start and may skip two-step sign-in."
        ),
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help=(
            "Server processes. 1 (the default) serves with waitress on any platform; more use "
            "gunicorn (Linux, macOS), e.g. one per CPU core for a team."
        ),
    ),
    migrate: bool = typer.Option(
        False,
        "--migrate",
        help=(
            "Apply database migrations before serving even on a shared database (PostgreSQL). "
            "The embedded SQLite database is always migrated."
        ),
    ),
) -> None:
    """Run the web app: prepare the database, then serve it until Ctrl-C.

    Listening beyond this machine (any non-loopback --host) needs HICP_SECRET_KEY. With
    DATABASE_URL, run `hicp migrate` once after an upgrade, then start the servers.
    """
    from hicp.web import server

    server.check_host(host)
    loopback = server.is_loopback(host)
    server.configure(data_dir, loopback=loopback, demo=demo, migrate=migrate or None)
    typer.echo(f"Data: {server.database_description()}")
    if demo:
        # On this machine only, a newcomer can always sign in: a fresh password at every start.
        sign_in = server.seed_demo(fresh_password=loopback)
        typer.echo("")
        if sign_in.password is None and not sign_in.created:
            typer.echo(
                f"Demo data already present: sign in as {sign_in.username!r} {sign_in.note}."
            )
        else:
            if loopback and sign_in.password:
                shown = " (a new password at every start)"
            elif sign_in.password:
                shown = " (shown only this once; keep it)"
            else:
                shown = ""
            typer.echo(f"Demo sign-in{shown}:")
            typer.echo(f"  user:     {sign_in.username}")
            typer.echo(f"  password: {sign_in.password or sign_in.note}")
            if loopback:
                typer.echo("  (the demo user may skip two-step sign-in on this machine)")
        typer.echo("")

    def ready(url: str) -> None:
        typer.echo(f"hicp is running at {url} (Ctrl-C to stop)")
        sys.stdout.flush()  # a pipe or log file sees the address at once

    server.run(host, port, ready, workers=workers)
    typer.echo("stopped")


def migrate(data_dir: Path | None = DATA_DIR) -> None:
    """Bring the web app's database up to this version's schema (run once after an upgrade).

    With PostgreSQL (DATABASE_URL) run it from one machine before starting the servers and
    workers; they refuse to start on an older schema. Safe to run again: it does nothing when
    the database is up to date.
    """
    from hicp.web import server

    server.configure(data_dir, migrate=False, check=False)
    applied = server.migrate_database()
    where = server.database_description()
    if applied:
        typer.echo(f"Applied {len(applied)} migration(s) to {where}:")
        for name in applied:
            typer.echo(f"  {name}")
    else:
        typer.echo(f"{where} is up to date.")
