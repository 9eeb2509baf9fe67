"""Two-step sign-in: enrolment, the code after the password, backup codes, and who must enrol."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hicp.web.core import mfa, throttle
from hicp.web.core.models import Organization
from hicp.web.core.roles import Role
from hicp.web.core.throttle import LIMIT, ThrottleCounter
from tests.web.conftest import PASSWORD, MakeUser, SignIn, add_member

ENROL, VERIFY = reverse("mfa-enrol"), reverse("mfa-verify")
ORGS = reverse("organization-list")


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The device's code, computed from its key; ``steps_ahead`` gives a later, unused one."""
    if steps_ahead == 0:
        return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    later = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    later.time = time.time() + steps_ahead * device.step
    return f"{later.token():06d}"


def _enrol(client: Client) -> tuple[TOTPDevice, list[str], str]:
    """Enrol the signed-in user as a person would; returns the device, backup codes and page."""
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user__pk=client.session["_auth_user_id"], confirmed=False)
    response = client.post(ENROL, {"code": _code(device)})
    assert response.status_code == 200, response.content
    page = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    device.refresh_from_db()
    return device, codes, page


@pytest.fixture
def enrolled(make_user: MakeUser, sign_in: SignIn) -> tuple[User, TOTPDevice, list[str]]:
    user = make_user("erin")
    device, codes, _ = _enrol(sign_in(user))
    return user, device, codes


def _password_step(username: str) -> tuple[Client, str]:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client, response["Location"]


def _next_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return _code(device, steps_ahead=1)


# --- enrolment ---------------------------------------------------------------------------------


def test_the_enrolment_page_shows_the_key_as_text_and_an_inline_svg_qr_code(
    make_user: MakeUser, sign_in: SignIn
) -> None:
    response = sign_in(make_user("erin")).get(ENROL)
    page = response.content.decode()
    device = TOTPDevice.objects.get(user__username="erin")

    assert response.status_code == 200
    assert not device.confirmed
    assert "otpauth://totp/hicp%3Aerin?secret=" in page
    secret = mfa.otpauth_url(device).split("secret=")[1].split("&")[0]
    assert secret[:4] + " " + secret[4:8] in page  # the key, grouped for typing
    assert '<svg role="img" aria-label="QR code of your setup key"' in page
    assert "<script" not in page.replace('<script src="/static/', "")
    assert not re.search(r'(src|href)="https?://', page)  # nothing fetched from elsewhere
    assert "no-store" in response["Cache-Control"]


def test_reloading_the_enrolment_page_shows_the_same_key(
    make_user: MakeUser, sign_in: SignIn
) -> None:
    client = sign_in(make_user("erin"))
    client.get(ENROL)
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user__username="erin").count() == 1


def test_enrolment_with_a_code_from_the_key_turns_it_on_and_shows_ten_backup_codes_once(
    make_user: MakeUser, sign_in: SignIn
) -> None:
    client = sign_in(make_user("erin"))

    device, codes, page = _enrol(client)

    assert device.confirmed
    assert len(set(codes)) == 10
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert "shown only this once" in page
    again = client.get(ENROL).content.decode()
    assert "Two-step sign-in is on" in again
    assert "Backup codes left: 10" in again
    assert not any(code in again for code in codes)
    assert client.get(ORGS).status_code == 200  # the enrolling session counts as verified


def test_a_wrong_code_does_not_confirm_enrolment(make_user: MakeUser, sign_in: SignIn) -> None:
    client = sign_in(make_user("erin"))
    client.get(ENROL)
    device = TOTPDevice.objects.get(user__username="erin")
    wrong = f"{(int(_code(device)) + 1) % 10**6:06d}"

    response = client.post(ENROL, {"code": wrong})

    assert response.status_code == 422
    assert b"That code is not right" in response.content
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()


# --- the code after the password ---------------------------------------------------------------


def test_after_enrolment_signing_in_needs_a_code_before_any_other_page(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    user, device, _ = enrolled
    client, location = _password_step(user.username)
    assert location.startswith(VERIFY)

    for page in (ORGS, reverse("home"), ENROL):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": _next_code(device), "next": ORGS})
    assert response.status_code == 302
    assert response["Location"] == ORGS
    assert client.get(ORGS).status_code == 200


def test_a_wrong_code_is_refused_and_the_session_stays_unverified(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    user, device, _ = enrolled
    client, _ = _password_step(user.username)
    wrong = f"{(int(_next_code(device)) + 1) % 10**6:06d}"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 422
    assert b"That code is not right" in response.content
    assert client.get(ORGS)["Location"].startswith(VERIFY)


def test_a_code_already_used_is_refused(enrolled: tuple[User, TOTPDevice, list[str]]) -> None:
    user, device, _ = enrolled
    code = _next_code(device)
    first, _ = _password_step(user.username)
    assert first.post(VERIFY, {"code": code}).status_code == 302

    second, _ = _password_step(user.username)
    assert second.post(VERIFY, {"code": code}).status_code == 422


def test_a_backup_code_works_once(enrolled: tuple[User, TOTPDevice, list[str]]) -> None:
    user, _, codes = enrolled
    first, _ = _password_step(user.username)
    typed = f"{codes[0][:4].upper()} {codes[0][4:]}"  # as someone copies it off paper

    assert first.post(VERIFY, {"code": typed}).status_code == 302
    assert first.get(ORGS).status_code == 200
    assert StaticToken.objects.count() == 9

    second, _ = _password_step(user.username)
    response = second.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 422
    assert second.get(ORGS)["Location"].startswith(VERIFY)


def test_accepting_the_code_gives_the_session_a_new_id(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    user, device, _ = enrolled
    client, _ = _password_step(user.username)
    before = client.cookies["sessionid"].value
    client.post(VERIFY, {"code": _next_code(device)})
    assert client.cookies["sessionid"].value != before


def test_the_code_step_keeps_where_the_user_was_going_but_never_leaves_the_site(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    user, device, _ = enrolled
    client, _ = _password_step(user.username)
    wanted = reverse("sign-up") + "?from=here"
    redirect = client.get(wanted)["Location"]
    assert redirect == f"{VERIFY}?{urlencode({'next': wanted})}"
    assert client.get(redirect).status_code == 200

    response = client.post(VERIFY, {"code": _next_code(device), "next": "https://evil.example/"})
    assert response["Location"] == ORGS


def test_an_htmx_request_owing_a_code_is_redirected_by_htmx(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    client, _ = _password_step(enrolled[0].username)
    response = client.get(ORGS, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(VERIFY)


def test_sign_out_works_while_a_code_is_owed(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    client, _ = _password_step(enrolled[0].username)
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(ORGS)["Location"].startswith(reverse("login"))


def test_someone_with_only_the_password_cannot_enrol_another_device(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    client, _ = _password_step(enrolled[0].username)
    response = client.post(ENROL, {"code": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.count() == 1


# --- wrong codes are throttled -----------------------------------------------------------------


def _wait_out_the_devices_back_off(device: TOTPDevice) -> None:
    """django-otp refuses codes for 1, 2, 4 … seconds after a wrong one; skip that wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)


def test_five_wrong_codes_lock_the_code_step_even_for_the_right_code(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    user, device, _ = enrolled
    client, _ = _password_step(user.username)
    wrong = f"{(int(_next_code(device)) + 1) % 10**6:06d}"
    for _ in range(LIMIT):
        _wait_out_the_devices_back_off(device)
        assert client.post(VERIFY, {"code": wrong}).status_code == 422

    _wait_out_the_devices_back_off(device)
    response = client.post(VERIFY, {"code": _next_code(device)})

    assert response.status_code == 429
    assert throttle.CODES_LOCKED.encode() in response.content
    assert client.get(ORGS)["Location"].startswith(VERIFY)


def test_the_code_lock_ends_after_fifteen_minutes(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    user, device, _ = enrolled
    client, _ = _password_step(user.username)
    wrong = f"{(int(_next_code(device)) + 1) % 10**6:06d}"
    for _ in range(LIMIT):
        _wait_out_the_devices_back_off(device)
        client.post(VERIFY, {"code": wrong})
    assert ThrottleCounter.objects.filter(scope="code:user", locked_until__isnull=False).exists()

    ThrottleCounter.objects.update(locked_until=None)  # as if fifteen minutes had passed
    _wait_out_the_devices_back_off(device)
    assert client.post(VERIFY, {"code": _next_code(device)}).status_code == 302


def test_a_code_sent_during_the_devices_back_off_is_not_counted_as_wrong(
    enrolled: tuple[User, TOTPDevice, list[str]],
) -> None:
    user, device, _ = enrolled
    client, _ = _password_step(user.username)
    wrong = f"{(int(_next_code(device)) + 1) % 10**6:06d}"
    assert client.post(VERIFY, {"code": wrong}).status_code == 422

    response = client.post(VERIFY, {"code": wrong})  # within django-otp's one-second back-off

    assert response.status_code == 429
    assert b"Wait a few seconds" in response.content
    assert ThrottleCounter.objects.get(scope="code:user").failures == 1


# --- who must enrol ----------------------------------------------------------------------------


@pytest.fixture
def enforced(settings: Any) -> None:
    settings.HICP_MFA_ENFORCE_ENROLMENT = True


@pytest.mark.usefixtures("enforced")
def test_an_owner_without_a_device_is_sent_from_the_dashboard_to_enrolment(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    dashboard = reverse("organization-dashboard", args=[organization.pk])

    response = client.get(dashboard)

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?{urlencode({'next': dashboard})}"
    page = client.get(response["Location"]).content.decode()
    assert "You are an owner or admin of an organization" in page


@pytest.mark.usefixtures("enforced")
@pytest.mark.parametrize(
    ("role", "must_enrol"),
    [
        (Role.OWNER, True),
        (Role.ADMIN, True),
        (Role.ASSESSOR, False),
        (Role.CONTRIBUTOR, False),
        (Role.VIEWER, False),
    ],
)
def test_owners_and_admins_of_any_organization_must_enrol_and_others_need_not(
    role: Role,
    must_enrol: bool,
    organization: Organization,
    make_user: MakeUser,
    sign_in: SignIn,
) -> None:
    member = make_user("member")
    add_member(member, organization, role)
    response = sign_in(member).get(ORGS)
    assert (response.status_code == 302 and response["Location"].startswith(ENROL)) == must_enrol


@pytest.mark.usefixtures("enforced")
def test_an_owner_who_must_enrol_can_still_enrol_and_sign_out(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    client = sign_in(owner)
    assert client.post(reverse("logout")).status_code == 302

    client = sign_in(owner)
    _enrol(client)
    dashboard = reverse("organization-dashboard", args=[organization.pk])
    assert client.get(dashboard).status_code == 200


def test_enrolment_is_enforced_unless_the_setting_switches_it_off(
    owner: User, organization: Organization, settings: Any
) -> None:
    del settings.HICP_MFA_ENFORCE_ENROLMENT  # as in production: not set at all
    assert mfa.enrolment_required(owner)
    settings.HICP_MFA_ENFORCE_ENROLMENT = False
    assert not mfa.enrolment_required(owner)


def test_the_mfa_pages_take_no_object_ids() -> None:
    """So the cross-tenant test (test_scoping.py) has nothing of theirs to enumerate."""
    patterns = {p.name: p for p in get_resolver().url_patterns if isinstance(p, URLPattern)}
    for name in ("login", "mfa-verify", "mfa-enrol"):
        assert patterns[name].pattern.converters == {}
