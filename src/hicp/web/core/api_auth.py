"""API tokens: making, revoking and checking the keys that sign requests to the REST API.

A token reads ``hicp_<prefix>_<secret>``: the prefix (12 hex characters, not secret) finds the
row, and only the SHA-256 digest of the whole token is stored. The secret holds 256 random
bits, so a fast hash is enough (a slow password hash guards guessable secrets, not these);
the token is shown once, when it is made, and cannot be recovered from the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from hicp.web.core.models import ApiToken

SCHEME = "hicp"
PREFIX_BYTES = 6  # 12 hex characters
SECRET_BYTES = 32
# last_used_at is a hint for owners deciding what to revoke; writing it on every request would
# turn every read into a write, so it is refreshed at most this often.
TOUCH_EVERY = dt.timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def create_api_token(user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row, and the token itself (show it once, never store it)."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    token = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    row = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", prefix=prefix, digest=_digest(token)
    )
    return row, token


def revoke_api_token(user: AbstractBaseUser, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens; False if they have no such (unrevoked) token."""
    revoked = ApiToken.objects.filter(pk=token_id, user_id=user.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return revoked == 1


def user_for_token(token: str) -> AbstractBaseUser | None:
    """The active user a valid, unrevoked token belongs to; None for anything else."""
    scheme, _, rest = token.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != SCHEME or len(prefix) != 2 * PREFIX_BYTES or not secret:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if row is None or not hmac.compare_digest(row.digest, _digest(token.strip())):
        return None
    if not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class BearerToken(HttpBearer):
    """``Authorization: Bearer hicp_…``: the only way into the API.

    Session cookies are deliberately not accepted, so a page on another site can never make a
    signed-in browser call the API (no CSRF exposure).
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_token(token)
