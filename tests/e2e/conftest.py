"""Fixtures of the end-to-end tests: the server, the browser, console-watching pages, screenshots.

One `hicp serve` and one Chromium serve the whole session (starting them is the slow part);
each test gets fresh browser contexts, so no cookie or page state leaks between tests.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    StorageState,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.e2e import steps

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# The machines this runs on have no network: without these flags Chromium keeps trying to reach
# Google's services and stalls on the refused connections. --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "Install Debian's Chromium (`apt-get install chromium`), or set HICP_CHROMIUM to the path "
    "of a Chromium or Chrome executable. Never `playwright install`: these tests use the "
    "system browser."
)
START_TIMEOUT = 90  # seconds for `hicp serve` to migrate, collect static files and listen
VIEWPORT: ViewportSize = {"width": 1280, "height": 1400}  # the width of the docs' images
# Settings and test switches of the parent process must not reach the server (HICP_*, and these):
# it runs with its own SQLite database and production settings, as a user's `hicp serve` does.
SERVER_ENV_DROPPED = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}

expect.set_options(timeout=15_000)  # generous for a loaded CI machine; passing steps take ms


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# --- Chromium --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    """The system Chromium, or a skip (a failure when HICP_E2E_REQUIRED=1) saying how to get it."""
    wanted = os.environ.get("HICP_CHROMIUM") or DEFAULT_CHROMIUM
    found = shutil.which(wanted)
    if found:
        return found
    reason = f"the end-to-end tests need Chromium, and there is none at {wanted}. {INSTALL_HINT}"
    if _flag("HICP_E2E_REQUIRED"):
        pytest.fail(f"HICP_E2E_REQUIRED=1, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


# --- The server ------------------------------------------------------------------------------


def hicp_command() -> list[str]:
    """`hicp` as installed beside this interpreter (the venv's script), as a user runs it."""
    script = Path(sys.executable).with_name("hicp")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from hicp.cli.main import run; run()"]


@dataclass(frozen=True)
class Server:
    url: str  # ends with "/"
    data_dir: Path  # its database, for a look after a failure


def _drain(stream: IO[str], into: list[str]) -> None:
    # Reads the server's stdout for its whole life, so a full pipe never blocks it.
    for line in stream:
        into.append(line)


def _running_at(printed: list[str]) -> str:
    for line in list(printed):
        if found := re.search(r"hicp is running at (http://\S+/)", line):
            return found[1]
    return ""


def _answers(url: str) -> bool:
    """Whether the server answers at all: a page or a redirect (an HTTPS redirect is an answer
    too, when the server is set to expect its proxy), but not a refused connection or a 5xx."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=5)
    try:
        connection.request("GET", parts.path)
        return connection.getresponse().status < 500
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def running_server(data_dir: Path, **settings: str) -> Iterator[Server]:
    """`hicp serve` on a free port with ``data_dir`` and these HICP_* settings, until the end.

    The server migrates its new database itself. Session cookies are Secure, as in production:
    Chromium treats http://127.0.0.1 as a secure context and keeps Secure cookies from it, so
    the tests need not relax the setting (which `hicp serve` does on loopback by default).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SERVER_ENV_DROPPED and not k.startswith("HICP_")
    }
    env.update(HICP_SECRET_KEY=secrets.token_urlsafe(50), HICP_SECURE_COOKIES="1")
    env.update(settings)
    stderr_path = data_dir / "server-stderr.txt"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [*hicp_command(), "serve", "--port", "0", "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
        )
    assert process.stdout is not None
    printed: list[str] = []
    threading.Thread(target=_drain, args=(process.stdout, printed), daemon=True).start()

    def stop() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # `hicp serve` stops cleanly on SIGTERM
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def give_up(why: str) -> None:
        stop()
        pytest.fail(
            f"`hicp serve` {why}.\nstdout:\n{''.join(printed)}\nstderr:\n{stderr_path.read_text()}",
            pytrace=False,
        )

    deadline = time.monotonic() + START_TIMEOUT
    while not (url := _running_at(printed)):
        if time.monotonic() > deadline:
            give_up(f"did not say it was running within {START_TIMEOUT} s")
        if process.poll() is not None:
            give_up(f"exited with code {process.returncode} before it was ready")
        time.sleep(0.1)
    while not _answers(url + "sign-in/"):
        if time.monotonic() > deadline:
            give_up(f"said it runs at {url}, but the sign-in page did not answer")
        time.sleep(0.2)
    try:
        yield Server(url=url, data_dir=data_dir)
    finally:
        stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The session's `hicp serve`, with an empty data folder and production settings."""
    with running_server(tmp_path_factory.mktemp("hicp-e2e-data")) as running:
        yield running


# --- Pages -----------------------------------------------------------------------------------


@dataclass
class Tabs:
    """Opens pages, each in its own browser context (its own cookies), and records their console.

    Every console error and uncaught script error is kept per page. At the end of the test any
    Content Security Policy violation on any page fails it (that is how inline scripts and
    styles, which the app's strict policy blocks, show up), and so does any server error.
    """

    browser: Browser
    base_url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    logs: dict[Page, list[str]] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)

    def new(self, storage_state: StorageState | None = None) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=VIEWPORT,
            accept_downloads=True,
            storage_state=storage_state,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        log: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                log.append(f"{message.text} ({message.location.get('url', '')})")

        def on_response(response: Response) -> None:
            # The server logs a crash to its stderr; the browser is where the test sees it.
            if response.status >= 500:
                self.server_errors.append(
                    f"{response.status} {response.request.method} {response.url}"
                )

        page.on("console", on_console)
        page.on("pageerror", lambda error: log.append(f"uncaught script error: {error}"))
        page.on("response", on_response)
        self.logs[page] = log
        return page

    def console_errors(self, page: Page) -> list[str]:
        """The page's console errors so far (a missing favicon would be one)."""
        return list(self.logs[page])

    def script_problems(self) -> list[str]:
        """Content Security Policy violations and uncaught script errors on any page so far."""
        return [
            message
            for log in self.logs.values()
            for message in log
            if "Content Security Policy" in message or "uncaught script error" in message
        ]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def tabs(browser: Browser, server: Server) -> Iterator[Tabs]:
    opened = Tabs(browser, server.url)
    yield opened
    problems = opened.script_problems()
    opened.close()
    if problems:
        pytest.fail(
            "the pages broke the Content Security Policy or a script:\n" + "\n".join(problems)
        )
    if opened.server_errors:
        pytest.fail("the server failed on requests:\n" + "\n".join(opened.server_errors))


# --- An organization the access tests share --------------------------------------------------


@dataclass(frozen=True)
class Clinic:
    """An organization made through the browser: its owner (enrolled), one assessment begun."""

    name: str
    owner: str
    org_id: int
    assessment_id: int
    first_question: str  # answered "Partly" by the owner
    owner_state: StorageState  # the owner's signed-in (and verified) browser state


@pytest.fixture(scope="session")
def clinic(browser: Browser, server: Server) -> Iterator[Clinic]:
    tabs = Tabs(browser, server.url)
    page = tabs.new()
    steps.sign_up(page, "owen-owner")
    org_id = steps.add_organization(page, "Lakeview Health Center")
    steps.enrol_second_step(page)
    assessment_id = steps.start_assessment(page, org_id, "2026 self-assessment")
    first_question = steps.question_id(page)
    steps.answer(page, "Partly")
    assert tabs.script_problems() == []
    yield Clinic(
        name="Lakeview Health Center",
        owner="owen-owner",
        org_id=org_id,
        assessment_id=assessment_id,
        first_question=first_question,
        owner_state=page.context.storage_state(),
    )
    tabs.close()


# --- Screenshots -----------------------------------------------------------------------------

_screenshot_dir: list[Path] = []  # for the summary line at the end of the run


@pytest.fixture(scope="session")
def screenshot_dirs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Always a temporary folder; also HICP_SCREENSHOTS, to refresh docs/images in one run."""
    folders = [tmp_path_factory.mktemp("screenshots")]
    if wanted := os.environ.get("HICP_SCREENSHOTS"):
        folders.append(Path(wanted).expanduser())
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    _screenshot_dir[:] = folders
    return folders


Shoot = Callable[[Page, str], None]


@pytest.fixture
def shoot(screenshot_dirs: list[Path]) -> Shoot:
    """Save what the window shows (1280 px wide) as NAME.png in every screenshot folder."""

    def take(page: Page, name: str) -> None:
        data = page.screenshot(animations="disabled")
        for folder in screenshot_dirs:
            (folder / f"{name}.png").write_bytes(data)

    return take


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _screenshot_dir:
        shown = " and ".join(str(folder) for folder in _screenshot_dir)
        terminalreporter.write_line(f"End-to-end screenshots: {shown}")
