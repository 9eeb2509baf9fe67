"""Sign-in throttling: five failures per username or address in 15 minutes lock it for 15."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from hicp.web.core import throttle
from hicp.web.core.throttle import LIMIT, ThrottleCounter
from tests.web.conftest import PASSWORD, MakeUser

WRONG = "not the password"
LOCKED = throttle.SIGN_IN_LOCKED.encode()


def _sign_in(
    client: Client, username: str, password: str, address: str = "192.0.2.10"
) -> tuple[int, bytes]:
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code, response.content


def _fail(username: str, times: int = LIMIT, address: str = "192.0.2.10") -> None:
    for _ in range(times):
        status, content = _sign_in(Client(), username, WRONG, address)
        assert status == 200 and LOCKED not in content


def _move_clock(minutes: float) -> None:
    """Age every counter by ``minutes``, as if that much time had passed."""
    delta = dt.timedelta(minutes=minutes)
    ThrottleCounter.objects.update(
        window_start=F("window_start") - delta, locked_until=F("locked_until") - delta
    )


def _signed_in(client: Client) -> bool:
    return client.get(reverse("organization-list")).status_code == 200


def test_the_sixth_sign_in_after_five_failures_is_refused_even_with_the_right_password(
    make_user: MakeUser,
) -> None:
    make_user("sam")
    _fail("sam")
    client = Client()

    status, content = _sign_in(client, "sam", PASSWORD)

    assert status == 429
    assert LOCKED in content
    assert not _signed_in(client)


def test_five_failures_still_answer_wrong_password_and_the_sixth_is_the_first_refusal(
    make_user: MakeUser,
) -> None:
    make_user("sam")
    _fail("sam", LIMIT - 1)
    status, content = _sign_in(Client(), "sam", WRONG)
    assert (status, LOCKED in content) == (200, False)
    assert b"correct username and password" in content
    assert _sign_in(Client(), "sam", WRONG)[0] == 429


def test_an_unknown_username_is_refused_with_the_same_message_as_a_real_one(
    make_user: MakeUser,
) -> None:
    make_user("sam")
    _fail("sam", address="192.0.2.1")
    _fail("nobody-by-this-name", address="192.0.2.2")

    known = _sign_in(Client(), "sam", PASSWORD, "192.0.2.1")
    unknown = _sign_in(Client(), "nobody-by-this-name", PASSWORD, "192.0.2.2")

    def page(content: bytes, username: bytes) -> bytes:
        """The page less what differs by design: the CSRF token and the username typed."""
        content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
        return content.replace(username, b"USERNAME")

    assert known[0] == unknown[0] == 429
    assert page(known[1], b"sam") == page(unknown[1], b"nobody-by-this-name")
    assert LOCKED in known[1]


def test_failures_from_one_address_lock_every_username_from_that_address(
    make_user: MakeUser,
) -> None:
    make_user("sam")
    for n in range(LIMIT):
        _fail(f"guess-{n}", times=1, address="198.51.100.7")

    assert _sign_in(Client(), "sam", PASSWORD, "198.51.100.7")[0] == 429
    client = Client()
    assert _sign_in(client, "sam", PASSWORD, "198.51.100.8")[0] == 302  # another address
    assert _signed_in(client)


def test_failures_for_one_username_from_many_addresses_lock_that_username(
    make_user: MakeUser,
) -> None:
    make_user("sam")
    for n in range(LIMIT):
        _fail("sam", times=1, address=f"203.0.113.{n + 1}")
    assert _sign_in(Client(), "sam", PASSWORD, "203.0.113.99")[0] == 429


def test_the_username_counts_whatever_its_case(make_user: MakeUser) -> None:
    make_user("sam")
    for n, spelling in enumerate(["sam", "Sam", "SAM", " sam", "sAm"]):
        _fail(spelling, times=1, address=f"203.0.113.{n + 1}")
    assert _sign_in(Client(), "sam", PASSWORD, "203.0.113.99")[0] == 429


def test_the_lock_ends_after_fifteen_minutes(make_user: MakeUser) -> None:
    make_user("sam")
    _fail("sam")
    _move_clock(14)
    assert _sign_in(Client(), "sam", PASSWORD)[0] == 429

    _move_clock(1.01)
    client = Client()
    assert _sign_in(client, "sam", PASSWORD)[0] == 302
    assert _signed_in(client)


def test_after_the_lock_ends_five_more_attempts_are_allowed(make_user: MakeUser) -> None:
    make_user("sam")
    _fail("sam")
    _move_clock(16)
    _fail("sam", LIMIT)  # asserts none of these five is refused
    assert _sign_in(Client(), "sam", PASSWORD)[0] == 429


def test_failures_older_than_fifteen_minutes_do_not_count(make_user: MakeUser) -> None:
    make_user("sam")
    _fail("sam", LIMIT - 1)
    _move_clock(16)
    _fail("sam", LIMIT - 1)
    assert _sign_in(Client(), "sam", PASSWORD)[0] == 302


def test_a_successful_sign_in_clears_the_usernames_count_but_not_the_addresses(
    make_user: MakeUser,
) -> None:
    make_user("sam")
    _fail("sam", LIMIT - 1)
    assert _sign_in(Client(), "sam", PASSWORD)[0] == 302

    assert not ThrottleCounter.objects.filter(scope="sign-in:user").exists()
    address = ThrottleCounter.objects.get(scope="sign-in:address")
    assert address.failures == LIMIT - 1
    _fail("someone-else", times=1)
    assert _sign_in(Client(), "sam", PASSWORD)[0] == 429  # the address reached five


def test_an_empty_form_is_not_counted_as_a_failed_sign_in(db: None) -> None:
    for _ in range(LIMIT + 1):
        status, _ = _sign_in(Client(), "", "")
        assert status == 200
    assert not ThrottleCounter.objects.exists()


def test_counters_keep_neither_the_username_nor_the_address_in_clear(db: None) -> None:
    _fail("my-secret-password-typed-as-username", times=1, address="192.0.2.55")
    keys = " ".join(ThrottleCounter.objects.values_list("key", flat=True))
    assert "my-secret" not in keys
    assert "192.0.2.55" not in keys
    assert ThrottleCounter.objects.count() == 2


def test_counters_whose_window_and_lock_are_over_are_deleted(db: None) -> None:
    _fail("old", times=LIMIT)
    _fail("recent", times=1, address="192.0.2.99")
    _move_clock(16)
    _fail("new", times=1, address="192.0.2.77")  # any failure purges

    remaining = set(ThrottleCounter.objects.values_list("scope", "failures"))
    assert remaining == {("sign-in:user", 1), ("sign-in:address", 1)}


def test_purge_keeps_a_counter_whose_lock_is_still_running(db: None) -> None:
    now = timezone.now()
    ThrottleCounter.objects.create(
        scope="sign-in:user",
        key="k",
        window_start=now - dt.timedelta(hours=1),
        locked_until=now + dt.timedelta(minutes=1),
    )
    assert throttle.purge(now) == 0
    assert throttle.purge(now + dt.timedelta(minutes=2)) == 1


@pytest.mark.parametrize(
    ("remote", "counted_as"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", "unknown"),
    ],
)
def test_client_addresses_count_ipv6_by_their_64_network(remote: str, counted_as: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    assert throttle.client_address(request) == counted_as
