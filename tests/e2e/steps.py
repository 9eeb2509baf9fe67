"""What a person does in the browser, one step per function, checking what they see as they go."""

from __future__ import annotations

import base64
import hmac
import re
import struct
import time

from playwright.sync_api import Page, expect

PASSWORD = "amber kettle harbour violin"  # noqa: S105  (test users only)


def totp(setup_key: str) -> str:
    """The code an authenticator app shows for ``setup_key`` (RFC 6238: SHA-1, 30 s, 6 digits).

    Computed here, not with django-otp, so the test checks the app against the standard that
    phone apps implement.
    """
    key = setup_key.replace(" ", "").upper()
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    counter = int(time.time() // 30)
    digest = hmac.new(secret, struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def sign_up(page: Page, username: str) -> None:
    page.goto("/sign-up/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()


def add_organization(page: Page, name: str) -> int:
    """Add an organization from the list; returns its id (from the address it leads to)."""
    page.goto("/orgs/")
    page.get_by_label("Organization name").fill(name)
    page.get_by_role("button", name="Add organization").click()
    # A new owner is sent to set up two-step sign-in first, with the dashboard as `next`.
    found = re.search(r"orgs(?:/|%2F)(\d+)", page.url)
    assert found, f"no organization id in {page.url}"
    return int(found[1])


def enrol_second_step(page: Page) -> list[str]:
    """Set up two-step sign-in from the enrolment page, as with a phone app; the backup codes."""
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    setup_key = page.locator("code.setup-key").first.inner_text()
    page.get_by_label("The 6-digit code your app shows now").fill(totp(setup_key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    codes = page.locator(".backup-codes code").all_inner_texts()
    page.get_by_role("link", name="I have saved them: continue").click()
    return codes


def start_assessment(page: Page, org_id: int, name: str, size: str = "small") -> int:
    """Start an assessment from the dashboard; returns its id, on its first question."""
    page.goto(f"/orgs/{org_id}/")
    page.get_by_role("link", name="Start a new assessment").click()
    page.get_by_label("Name of this assessment").fill(name)
    page.get_by_label("Size of the organization").select_option(size)
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#progress")).to_be_visible()
    found = re.search(r"/assessments/(\d+)/questions/", page.url)
    assert found, f"not on a question: {page.url}"
    return int(found[1])


def question_id(page: Page) -> str:
    """The sub-practice ID of the question on the page, as HICP numbers it (1.S.A)."""
    return page.locator(".question .practice").inner_text().split(" · ", 1)[0]


def answer(page: Page, label: str, why_not: str = "") -> None:
    """Choose an answer and wait for the page to say it was saved (HTMX, no page load)."""
    if why_not:
        page.get_by_label("If it doesn't apply to you: why not?").fill(why_not)
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator("#save-status")).to_contain_text(f"Saved: {label}.")
    expect(page.locator("#answer-form .choice[aria-pressed=true]")).to_have_text(label)


def invite(page: Page, org_id: int, email: str, role: str) -> str:
    """Invite someone from the members page; returns the link to pass on (shown once)."""
    page.goto(f"/orgs/{org_id}/members/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Role", exact=True).select_option(label=role)
    page.get_by_role("button", name="Create the invitation").click()
    expect(page.get_by_role("heading", name=f"Invitation for {email}")).to_be_visible()
    return page.get_by_label("Invitation link").input_value()


def join_by_invitation(page: Page, link: str, username: str) -> None:
    """Open an invitation link signed out, and create an account there to join."""
    page.goto(link)
    expect(page.get_by_role("heading", name=re.compile(r"^Join "))).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def csrf_token(page: Page) -> str:
    """The CSRF cookie: HttpOnly, yet any member can read their own in the browser's tools."""
    return next(c["value"] for c in page.context.cookies() if c.get("name") == "csrftoken")
