"""The `hicp` entry point: registers the command groups and maps errors to exit codes.

Exit codes (docs/cli.md): 0 success; 1 an unexpected internal error; 2 bad input (file, ID,
option) with a message naming the place; 130 interrupted.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from hicp.errors import HicpError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def report_error(exc: HicpError) -> None:
    from hicp.cli.output import err_console

    err = err_console()
    err.print(f"[bold red]error:[/] {exc.summary}", markup=True, soft_wrap=True)
    for problem in exc.problems:
        err.print(f"  {problem}", markup=False, soft_wrap=True)


class HicpGroup(TyperGroup):
    """Turns every HicpError raised by a command into one message and exit code 2."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except HicpError as exc:
            report_error(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("\ninterrupted; every answer given so far is saved", err=True)
            ctx.exit(EXIT_INTERRUPTED)


app = typer.Typer(
    cls=HicpGroup,
    name="hicp",
    help=(
        "Assess a healthcare organization against the HHS 405(d) Health Industry Cybersecurity "
        "Practices (HICP), see its exposure to the five HICP threats, and get a prioritised "
        "action plan.\n\nStart with `hicp size`, then `hicp init clinic.yaml --size small` and "
        "`hicp assess clinic.yaml`."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _register() -> None:
    from hicp.cli import (
        admin_cmd,
        assessment_cmd,
        catalog_cmd,
        docs_cmd,
        evidence_cmd,
        questionnaire,
        report_cmd,
        serve_cmd,
        size_cmd,
    )

    app.add_typer(catalog_cmd.app, name="catalog")
    app.add_typer(evidence_cmd.app, name="evidence")
    app.add_typer(docs_cmd.app, name="docs")
    app.command("size")(size_cmd.size)
    app.command("init")(assessment_cmd.init)
    app.command("assess")(questionnaire.assess)
    app.command("score")(assessment_cmd.score_cmd)
    app.command("plan")(assessment_cmd.plan_cmd)
    app.command("validate")(assessment_cmd.validate)
    app.command("report")(report_cmd.report)
    app.command("diff")(report_cmd.diff)
    app.command("trend")(report_cmd.trend)
    app.command("serve")(serve_cmd.serve)
    app.command("migrate")(serve_cmd.migrate)
    app.add_typer(admin_cmd.app, name="admin")


_register()


def _print_version(value: bool) -> None:
    if value:
        from hicp import __version__

        typer.echo(f"hicp {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """Root options."""


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except HicpError as exc:  # raised outside a command (e.g. while parsing options)
        report_error(exc)
        sys.exit(exc.exit_code)
