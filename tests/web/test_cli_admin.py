"""`hicp admin` and `hicp serve`: the rules in-process, then the real commands as a user runs them.

The command-line tests run `hicp` in a child process on a fresh SQLite database in a temporary
folder (DATABASE_URL, HICP_TESTING and HICP_SECRET_KEY removed), and read that database with
sqlite3, so they exercise exactly what a user's shell would and never touch the test database.
"""

from __future__ import annotations

import http.client
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth.models import User
from typer.testing import CliRunner

from hicp.cli.main import app
from hicp.errors import HicpError
from hicp.web import server
from hicp.web.core import selectors
from hicp.web.core.management.commands import seed_demo as demo
from hicp.web.core.management.commands.seed_demo import DEMO_NAME
from hicp.web.core.mfa import enrolment_required
from hicp.web.core.models import ActionItem, Comment, Membership, Organization
from hicp.web.core.roles import Role

GOOD_PASSWORD = "violet ledger gravel pocket"  # noqa: S105  (test users only)
HICP = [sys.executable, "-c", "from hicp.cli.main import run; run()"]
TIMEOUT = 120  # seconds for one command; generous for a loaded CI machine

# --- The rules, in-process (also on PostgreSQL when DATABASE_URL points there) -------------


def test_create_user_stores_an_argon2_hash_of_the_password(db: None) -> None:
    server.create_user("alice", GOOD_PASSWORD, email="alice@example.org")
    user = User.objects.get(username="alice")
    assert user.password.startswith("argon2$")
    assert user.check_password(GOOD_PASSWORD)
    assert user.email == "alice@example.org"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt!x", "too short"),
        ("password1234", "too common"),
        ("8405213379462", "entirely numeric"),
        ("bob-the-builder", "too similar"),
    ],
)
def test_create_user_refuses_a_weak_password_with_the_validators_reason(
    db: None, password: str, reason: str
) -> None:
    with pytest.raises(HicpError) as caught:
        server.create_user("bob-the-builder", password)
    assert reason in str(caught.value)
    assert not User.objects.filter(username="bob-the-builder").exists()


def test_create_user_refuses_an_existing_username(db: None) -> None:
    server.create_user("alice", GOOD_PASSWORD)
    with pytest.raises(HicpError, match="already exists"):
        server.create_user("alice", GOOD_PASSWORD + " again")


def test_create_user_refuses_an_invalid_email(db: None) -> None:
    with pytest.raises(HicpError) as caught:
        server.create_user("alice", GOOD_PASSWORD, email="not an address")
    assert "email" in str(caught.value)


def test_create_organization_makes_the_owner_its_owner(db: None) -> None:
    server.create_user("olivia", GOOD_PASSWORD)
    parent = server.create_organization("Northside Health", owner="olivia")
    facility = server.create_organization("Northside Clinic", owner="olivia", parent_id=parent.pk)
    assert facility.parent_id == parent.pk
    for organization in (parent, facility):
        membership = Membership.objects.get(organization=organization)
        assert membership.user.username == "olivia"
        assert membership.role == Role.OWNER


@pytest.mark.parametrize(
    ("owner", "parent_id", "message"),
    [("nobody", None, "no user named 'nobody'"), ("olivia", 999_999, "no organization with id")],
)
def test_create_organization_refuses_an_unknown_owner_or_parent(
    db: None, owner: str, parent_id: int | None, message: str
) -> None:
    server.create_user("olivia", GOOD_PASSWORD)
    with pytest.raises(HicpError, match=message):
        server.create_organization("Clinic", owner=owner, parent_id=parent_id)
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104  (the rule under test)
        ("::", False),
        ("192.168.1.20", False),
        ("clinic.example.org", False),
    ],
)
def test_loopback_addresses_are_recognised(host: str, loopback: bool) -> None:
    assert server.is_loopback(host) is loopback


def test_a_non_loopback_host_needs_the_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HICP_SECRET_KEY", raising=False)
    with pytest.raises(HicpError, match="HICP_SECRET_KEY is not set"):
        server.check_host("0.0.0.0")  # noqa: S104
    server.check_host("127.0.0.1")
    monkeypatch.setenv("HICP_SECRET_KEY", "a-long-random-value-set-by-the-operator")
    server.check_host("0.0.0.0")  # noqa: S104


def test_create_user_has_no_password_option() -> None:
    result = CliRunner().invoke(app, ["admin", "create-user", "alice", "--password", "x" * 12])
    assert result.exit_code == 2
    assert "No such option" in result.output


# --- The real commands, in a child process ---------------------------------------------


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "HICP_TESTING", "HICP_DEBUG", "HICP_SECRET_KEY"}
        and not k.startswith("HICP_DEMO")
    }
    env["HICP_DATA_DIR"] = str(data_dir / "from-environment")  # --data-dir must win
    return env


Hicp = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hicp-data")


@pytest.fixture(scope="module")
def hicp(data_dir: Path) -> Hicp:
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
            [*HICP, *args, "--data-dir", str(data_dir)],
            input=stdin,
            capture_output=True,
            text=True,
            env=_env(data_dir),
            timeout=TIMEOUT,
            check=False,
        )

    return run


def _query(data_dir: Path, sql: str, *params: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "hicp.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def test_admin_create_user_reads_the_password_from_stdin(hicp: Hicp, data_dir: Path) -> None:
    result = hicp(
        "admin", "create-user", "carol", "--email", "carol@example.org", stdin=GOOD_PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Created user 'carol'" in result.stdout
    [(password, email)] = _query(
        data_dir, "SELECT password, email FROM auth_user WHERE username = ?", "carol"
    )
    assert str(password).startswith("argon2$")
    assert email == "carol@example.org"
    assert not (data_dir / "from-environment").exists()


def test_admin_create_user_refuses_a_weak_password_and_creates_nobody(
    hicp: Hicp, data_dir: Path
) -> None:
    result = hicp("admin", "create-user", "dave", stdin="12345\n")
    assert result.returncode == 2
    assert "the password was refused" in result.stderr
    assert "too short" in result.stderr
    assert _query(data_dir, "SELECT id FROM auth_user WHERE username = ?", "dave") == []


def test_admin_create_user_refuses_an_existing_user(hicp: Hicp) -> None:
    hicp("admin", "create-user", "erin", stdin=GOOD_PASSWORD + "\n")
    result = hicp("admin", "create-user", "erin", stdin=GOOD_PASSWORD + "\n")
    assert result.returncode == 2
    assert "already exists" in result.stderr


def test_admin_create_org_makes_the_owner_an_owner(hicp: Hicp, data_dir: Path) -> None:
    hicp("admin", "create-user", "frank", stdin=GOOD_PASSWORD + "\n")
    result = hicp("admin", "create-org", "Lakeside Clinic", "--owner", "frank")
    assert result.returncode == 0, result.stderr
    rows = _query(
        data_dir,
        "SELECT u.username, m.role FROM core_membership m "
        "JOIN auth_user u ON u.id = m.user_id "
        "JOIN core_organization o ON o.id = m.organization_id WHERE o.name = ?",
        "Lakeside Clinic",
    )
    assert rows == [("frank", "owner")]


def test_admin_create_org_refuses_an_unknown_owner(hicp: Hicp, data_dir: Path) -> None:
    result = hicp("admin", "create-org", "Ghost Clinic", "--owner", "nobody")
    assert result.returncode == 2
    assert "no user named 'nobody'" in result.stderr
    assert _query(data_dir, "SELECT id FROM core_organization WHERE name = ?", "Ghost Clinic") == []


def test_serve_refuses_a_non_loopback_host_without_the_secret_key(hicp: Hicp) -> None:
    result = hicp("serve", "--host", "0.0.0.0")  # noqa: S104
    assert result.returncode == 2
    assert "HICP_SECRET_KEY is not set" in result.stderr
    assert "other machines could reach it" in result.stderr


def test_a_demo_that_exists_gets_a_fresh_password_at_each_loopback_start(db: None) -> None:
    first = server.seed_demo(fresh_password=True)
    again = server.seed_demo(fresh_password=True)

    assert first.created and not again.created
    assert first.password and again.password and first.password != again.password
    demo = User.objects.get(username=server.DEMO_USERNAME)
    assert demo.check_password(again.password)
    assert not demo.check_password(first.password)
    assert server.seed_demo().password is None  # without the flag nothing changes


def test_only_the_demo_user_skips_second_factor_enrolment_and_only_in_demo_mode(
    db: None, settings: Any
) -> None:
    settings.HICP_MFA_ENFORCE_ENROLMENT = True
    server.seed_demo()
    demo = User.objects.get(username=server.DEMO_USERNAME)
    other_owner = User.objects.create_user("olga", password=GOOD_PASSWORD)
    Membership.objects.create(
        user=other_owner, organization=Organization.objects.get(name=DEMO_NAME), role=Role.OWNER
    )

    settings.HICP_DEMO_NO_MFA = False
    assert enrolment_required(demo)
    settings.HICP_DEMO_NO_MFA = True
    assert not enrolment_required(demo)
    assert enrolment_required(other_owner)


# --- hicp serve --demo, end to end ---------------------------------------------------------


class Site:
    """A tiny HTTP client for the served app: keeps cookies, follows nothing."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.cookie_flags: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[http.client.HTTPResponse, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value, _, flags = rest.partition(";")
            self.cookies[name.strip()] = value
            self.cookie_flags[name.strip()] = flags.lower()
        return response, text


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Site, str]]:
    """`hicp serve --demo --port 0` running on a fresh data folder; yields the demo password."""
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [*HICP, "serve", "--port", "0", "--demo", "--data-dir", str(tmp_path / "data")],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(tmp_path),
            text=True,
        )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (found := re.search(r"running at http://127\.0\.0\.1:(\d+)/", log.read_text())):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "hicp serve did not start:\n" + log.read_text()
            time.sleep(0.2)
        output = log.read_text()
        assert "(Ctrl-C to stop)" in output
        password = re.search(r"password: (\S+)", output)
        assert password, output
        yield Site(int(found.group(1))), password.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
    assert process.returncode == 0, log.read_text()
    assert log.read_text().count("password: ") == 1  # the demo sign-in is shown once


def test_serve_answers_with_the_sign_in_page_static_files_and_a_working_sign_in(
    served: tuple[Site, str],
) -> None:
    site, password = served

    response, page = site.request("GET", "/sign-in/")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Server"] == "hicp"

    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    assert stylesheet, page
    response, css = site.request("GET", stylesheet.group(1))
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert css.strip()

    # Signing in over plain HTTP on loopback works (the cookies are not Secure-only there).
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    response, _ = site.request(
        "POST",
        "/sign-in/",
        urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": "demo", "password": password}
        ),
    )
    assert response.status == 302, response.headers
    assert "secure" not in site.cookie_flags["sessionid"]  # a browser keeps it over plain HTTP
    assert "httponly" in site.cookie_flags["sessionid"]
    response, organizations = site.request("GET", "/orgs/")
    # The demo user on a loopback server goes straight in, without enrolling a second factor.
    assert urlsplit(response.headers.get("Location", "")).path == ""
    assert response.status == 200
    assert "Demo clinic" in organizations


def test_the_demo_is_a_health_system_whose_facilities_show_every_part_of_the_app(
    db: None,
) -> None:
    server.seed_demo()

    parent = Organization.objects.get(name=demo.PARENT_NAME)
    facilities = {o.name: o for o in parent.facilities.all()}
    assert set(facilities) == {demo.DEMO_NAME, demo.HOSPITAL_NAME, demo.UNASSESSED_NAME}
    clinic = facilities[demo.DEMO_NAME]
    cycles = list(selectors.assessments_of(clinic))
    assert [a.name for a in cycles] == [
        "Example clinic self-assessment",  # the latest, shown first
        "Example clinic self-assessment (previous year)",
    ]
    older, newer = (selectors.document_of(a).assessment for a in reversed(cycles))
    assert older.organization.tier == newer.organization.tier
    assert older.assessment.date < newer.assessment.date
    statuses = set(ActionItem.objects.filter(assessment=cycles[0]).values_list("status", flat=True))
    assert statuses == {"done", "in_progress", "blocked"}
    assert Comment.objects.filter(assessment=cycles[0]).count() == 1
    assert all("sample data" in name for name in [parent.name, *facilities])
