"""The API tokens page: each user's own tokens, made and shown once, revoked; nobody else's."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hicp.web.core.api_auth import create_api_token, user_for_token
from hicp.web.core.models import ApiToken
from tests.web.conftest import MakeUser, SignIn

TOKEN = re.compile(r"hicp_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def user(make_user: MakeUser) -> User:
    return make_user("tess")


def test_making_a_token_shows_it_once_with_a_warning_and_it_works(
    user: User, sign_in: SignIn
) -> None:
    client = sign_in(user)

    response = client.post(reverse("api-tokens"), {"name": "nightly export"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Copy your new token now. It is shown only this once" in page
    assert "no-store" in response["Cache-Control"]
    found = TOKEN.search(page)
    assert found is not None
    assert user_for_token(found.group(0)) == user
    later = client.get(reverse("api-tokens")).content.decode()
    assert "nightly export" in later and found.group(0) not in later


def test_a_token_needs_a_name(user: User, sign_in: SignIn) -> None:
    response = sign_in(user).post(reverse("api-tokens"), {"name": ""})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_lists_only_the_users_own_tokens(
    user: User, make_user: MakeUser, sign_in: SignIn
) -> None:
    create_api_token(user, "my script")
    create_api_token(make_user("other"), "someone else's script")

    page = sign_in(user).get(reverse("api-tokens")).content.decode()

    assert "my script" in page
    assert "someone else" not in page
    assert f'href="{reverse("api-tokens")}"' in page  # the account menu links here


def test_revoking_a_token_asks_first_then_stops_it_working(user: User, sign_in: SignIn) -> None:
    row, token = create_api_token(user, "my script")
    client = sign_in(user)
    url = reverse("api-token-revoke", args=[row.pk])

    assert "Revoke the token “my script”" in client.get(url).content.decode()
    assert user_for_token(token) == user

    response = client.post(url, follow=True)

    assert "is revoked: programs using it are refused now" in response.content.decode()
    assert user_for_token(token) is None
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_another_users_token_is_not_found_and_stays_valid(
    user: User, make_user: MakeUser, sign_in: SignIn
) -> None:
    row, token = create_api_token(make_user("other"), "their script")
    client = sign_in(user)
    url = reverse("api-token-revoke", args=[row.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404

    row.refresh_from_db()
    assert row.revoked_at is None
    assert user_for_token(token) is not None


def test_the_token_pages_need_a_signed_in_user(db: None) -> None:
    response = Client().get(reverse("api-tokens"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
