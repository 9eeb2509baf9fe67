"""Every screen loads cleanly in a real browser: no console error, nothing the CSP blocks.

The strict Content-Security-Policy (no inline script or style) is only enforced by a browser,
so an inline `style=` or `<script>` slipped into a template shows up here and nowhere else.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Clinic, Tabs

pytestmark = pytest.mark.e2e

MAX_PAGES = 60  # a bound on the crawl, far above the app's number of kinds of screen


def _links_on(page: Page) -> list[str]:
    """Same-site addresses the page links to, less downloads (they open no page)."""
    hrefs = page.locator("a[href]:not([download])").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(str(href))
        if not parts.scheme and not parts.netloc and parts.path.startswith("/"):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _kind_of(address: str) -> str:
    """One address per kind of screen is enough: the same template serves each question."""
    kind = re.sub(r"\b(?:[1-9]|10)\.[SML]\.[A-Z]\b", "<sub>", address)
    return re.sub(r"/documents/[^/]+/", "/documents/<name>/", kind)


def _problems_of(tabs: Tabs, page: Page, address: str) -> list[str]:
    seen_before = len(tabs.console_errors(page))
    try:
        response = page.goto(address)
    except PlaywrightError as error:
        if "Download is starting" in error.message:
            return []  # a file, not a screen (a link without the download attribute)
        raise
    problems = []
    if response is None or response.status >= 400:
        problems.append(f"answered {response.status if response else 'nothing'}")
    if page.locator("h1").count() != 1:
        problems.append("has no single main heading (h1)")
    problems.extend(tabs.console_errors(page)[seen_before:])
    return problems


def test_every_screen_an_owner_can_reach_loads_without_console_errors(
    tabs: Tabs, clinic: Clinic
) -> None:
    page = tabs.new(storage_state=clinic.owner_state)
    starts = [
        "/orgs/",
        f"/orgs/{clinic.org_id}/",
        f"/assessments/{clinic.assessment_id}/",
        f"/assessments/{clinic.assessment_id}/questions/{clinic.first_question}/",
        "/account/two-step/",
    ]
    # Breadth first from the main screens, following every link on every page reached.
    to_visit = list(starts)
    visited: dict[str, list[str]] = {}
    while to_visit and len(visited) < MAX_PAGES:
        address = to_visit.pop(0)
        if _kind_of(address) in visited:
            continue
        visited[_kind_of(address)] = _problems_of(tabs, page, address)
        if page.url.endswith(address):
            to_visit.extend(_links_on(page))

    problems = {address: found for address, found in visited.items() if found}
    assert problems == {}
    assert len(visited) >= 10  # the crawl really went round the app


@pytest.mark.parametrize(
    ("address", "heading"),
    [("/sign-in/", "Sign in"), ("/sign-up/", "Create an account")],
)
def test_the_pages_before_sign_in_load_without_console_errors(
    tabs: Tabs, address: str, heading: str
) -> None:
    page = tabs.new()
    page.goto(address)
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert tabs.console_errors(page) == []
