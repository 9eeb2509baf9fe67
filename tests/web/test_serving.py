"""Serving for a team: migrations as their own step, several processes, health probes, logs."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connections
from django.test import Client

from hicp.web import health
from hicp.web.logs import JsonFormatter
from tests.web.test_cli_admin import HICP, TIMEOUT, _env

# --- Health probes ---------------------------------------------------------------------------


def test_the_liveness_probe_answers_any_host_without_a_session(db: None) -> None:
    response = Client().get(health.LIVE, HTTP_HOST="10.0.0.9")  # not an allowed host
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_the_readiness_probe_says_ok_when_the_database_answers(db: None) -> None:
    response = Client().get(health.READY, HTTP_HOST="10.0.0.9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_readiness_probe_says_503_and_why_when_the_database_does_not_answer(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patched:  # undone before the test database is torn down
        patched.setattr(connections["default"], "cursor", refuse)
        response = Client().get(health.READY)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "the database does not answer"}


# --- Logs ------------------------------------------------------------------------------------


def test_json_log_lines_carry_the_message_and_the_extra_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "hicp.access", "levelno": logging.INFO, "levelname": "INFO"}
    )
    record.msg, record.args = "%s %s", ("GET", "/orgs/")
    record.status = 200
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /orgs/"
    assert line["level"] == "info" and line["logger"] == "hicp.access"
    assert line["status"] == 200


def test_the_access_log_records_method_path_status_and_client_but_no_query(
    db: None, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.HICP_ACCESS_LOG = True
    with caplog.at_level(logging.INFO, logger="hicp.access"):
        Client().get("/sign-in/?next=/secret-token", REMOTE_ADDR="198.51.100.7")
    (record,) = [r for r in caplog.records if r.name == "hicp.access"]
    assert (record.method, record.path, record.status) == ("GET", "/sign-in/", 200)  # type: ignore[attr-defined]
    assert record.client == "198.51.100.7"  # type: ignore[attr-defined]
    assert "secret-token" not in record.getMessage()


def test_the_access_log_is_off_unless_asked_for(
    db: None, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.HICP_ACCESS_LOG = False
    with caplog.at_level(logging.INFO, logger="hicp.access"):
        Client().get("/sign-in/")
    assert not [r for r in caplog.records if r.name == "hicp.access"]


# --- The real commands -----------------------------------------------------------------------


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [*HICP, *args],
        capture_output=True,
        text=True,
        env=env or _env(tmp_path),
        timeout=TIMEOUT,
        check=False,
    )


def test_migrate_applies_the_schema_once_and_then_says_it_is_up_to_date(tmp_path: Path) -> None:
    first = _run(tmp_path, "migrate", "--data-dir", str(tmp_path / "data"))
    assert first.returncode == 0, first.stderr
    assert re.search(r"Applied \d+ migration\(s\) to .*hicp\.sqlite3", first.stdout)
    again = _run(tmp_path, "migrate", "--data-dir", str(tmp_path / "data"))
    assert again.returncode == 0, again.stderr
    assert "is up to date" in again.stdout


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database beside the test run's own; its URL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("runs in the PostgreSQL pass of the web tests (DATABASE_URL=postgres://…)")
    import psycopg

    name = f"hicp_scratch_{os.getpid()}"
    admin = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_on_a_shared_database_serve_waits_for_hicp_migrate(
    tmp_path: Path, scratch_postgres: str
) -> None:
    env = {**_env(tmp_path), "DATABASE_URL": scratch_postgres, "HICP_SECRET_KEY": "k" * 50}
    refused = _run(tmp_path, "serve", "--port", "0", env=env)
    assert refused.returncode == 2
    assert "schema change(s)" in refused.stderr and "hicp migrate" in refused.stderr
    migrated = _run(tmp_path, "migrate", env=env)
    assert migrated.returncode == 0 and "Applied" in migrated.stdout, migrated.stderr


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.exists() else []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts processes in /proc")
def test_serve_with_two_workers_runs_two_processes_that_answer_and_stop_together(
    tmp_path: Path,
) -> None:
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [*HICP, "serve", "--port", "0", "--workers", "2", "--data-dir", str(tmp_path / "d")],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(tmp_path),
            text=True,
        )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (found := re.search(r"running at (http://127\.0\.0\.1:\d+/)", log.read_text())):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_children(process.pid)) == 2, "two worker processes"
        import urllib.request

        for path in (health.READY, "/sign-in/"):
            with urllib.request.urlopen(found[1] + path.lstrip("/"), timeout=30) as response:  # noqa: S310 - our own server
                assert response.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert process.returncode == 0, log.read_text()
    assert log.read_text().count("stopped") == 1, "the workers end quietly; the command once"
