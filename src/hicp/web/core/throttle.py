"""Attempt throttling: failed sign-ins and wrong codes counted per key in the database.

The rules: LIMIT failures of one kind for one key (a username, a client address, a user)
within WINDOW lock that key for LOCK, starting at the failure that reached the limit. While a
key is locked nothing is checked, so a correct password or code is refused too. The refusal
reads the same whatever the key and whether the account exists. Counters live in the database,
not the per-process cache, so every worker process sees the same counts; stale ones are deleted
on the next failure of any kind.

Keys are stored as keyed hashes: a "username" is often a password typed into the wrong box, and
addresses are personal data, so neither is kept in clear.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

LIMIT = 5
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)

SIGN_IN_LOCKED = (
    "Too many failed sign-in attempts. For your security, signing in is paused for "
    "15 minutes. Please try again later."
)
CODES_LOCKED = (
    "Too many wrong codes. For your security, entering codes is paused for 15 minutes. "
    "Please try again later, or sign out."
)


class ThrottleCounter(models.Model):
    """Recent failures of one kind (``scope``) for one hashed key, and the lock they caused.

    Defined here rather than in models.py so throttling stays one module; it is registered
    when this module is imported (by the sign-in views and middleware, hence by the URLconf
    that every management command's checks load), with the app label ``core``.
    """

    scope = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "core"
        constraints = (
            models.UniqueConstraint(fields=("scope", "key"), name="one_counter_per_scope_key"),
        )

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}: {self.failures} failures"


def _digest(scope: str, value: str) -> str:
    return salted_hmac(
        "hicp.web.core.throttle", f"{scope}\0{value}", algorithm="sha256"
    ).hexdigest()


def client_address(request: HttpRequest) -> str:
    """The peer's address; an IPv6 address counts as its /64, which one host usually holds.

    REMOTE_ADDR only: forwarded headers can be forged by anyone, so behind a reverse proxy every
    client shares the proxy's address (see the proxy's own rate limits).
    """
    raw = str(request.META.get("REMOTE_ADDR") or "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class Gate:
    """The counters one attempt is checked against; it may go ahead only if none is locked.

    ``personal`` names the scope that a success clears (the user's own count); the address's
    count is never cleared by a success, or one valid account would reset it for guessing.
    """

    keys: tuple[tuple[str, str], ...]
    personal: str

    def locked(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        match = models.Q()
        for scope, key in self.keys:
            match |= models.Q(scope=scope, key=key)
        return ThrottleCounter.objects.filter(match, locked_until__gt=now).exists()

    def fail(self, now: dt.datetime | None = None) -> None:
        now = now or timezone.now()
        with transaction.atomic():
            for scope, key in self.keys:
                _count_failure(scope, key, now)
            purge(now)

    def succeeded(self) -> None:
        ThrottleCounter.objects.filter(
            scope=self.personal, key__in=[key for scope, key in self.keys if scope == self.personal]
        ).delete()


def _count_failure(scope: str, key: str, now: dt.datetime) -> None:
    counter, _ = ThrottleCounter.objects.select_for_update().get_or_create(
        scope=scope, key=key, defaults={"window_start": now}
    )
    if counter.window_start <= now - WINDOW:
        counter.failures, counter.window_start = 0, now
    counter.failures += 1
    if counter.failures >= LIMIT:
        # The lock starts a fresh count: once it ends, LIMIT more attempts are allowed.
        counter.locked_until = now + LOCK
        counter.failures, counter.window_start = 0, now
    counter.save()


def purge(now: dt.datetime | None = None) -> int:
    """Delete counters whose window and lock are both over; returns how many went."""
    now = now or timezone.now()
    deleted, _ = (
        ThrottleCounter.objects.filter(window_start__lte=now - WINDOW)
        .filter(models.Q(locked_until__isnull=True) | models.Q(locked_until__lte=now))
        .delete()
    )
    return deleted


def _gate(request: HttpRequest, kind: str, personal_value: str) -> Gate:
    personal, address = f"{kind}:user", f"{kind}:address"
    return Gate(
        keys=(
            (personal, _digest(personal, personal_value)),
            (address, _digest(address, client_address(request))),
        ),
        personal=personal,
    )


def sign_in_gate(request: HttpRequest, username: str) -> Gate:
    """Password sign-ins: per username as typed (case-folded, known or not) and per address."""
    return _gate(request, "sign-in", username.strip().casefold())


def code_gate(request: HttpRequest, user: AbstractBaseUser) -> Gate:
    """One-time codes (sign-in and enrolment): per user and per address."""
    return _gate(request, "code", str(user.pk))
