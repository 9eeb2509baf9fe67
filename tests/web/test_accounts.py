"""Signing up, signing in, and the security settings every page is served with."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.web.conftest import PASSWORD, MakeUser


@pytest.mark.django_db
def test_sign_up_creates_an_argon2_hashed_user_and_signs_them_in() -> None:
    client = Client()
    response = client.post(
        reverse("sign-up"),
        {"username": "maria", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("organization-list")
    user = User.objects.get(username="maria")
    assert user.password.startswith("argon2")
    assert client.get(reverse("organization-list")).status_code == 200


@pytest.mark.django_db
def test_sign_up_refuses_a_short_password_and_says_why() -> None:
    response = Client().post(
        reverse("sign-up"), {"username": "maria", "password1": "abc", "password2": "abc"}
    )
    assert response.status_code == 200
    assert b"too short" in response.content
    assert not User.objects.filter(username="maria").exists()


def test_sign_in_with_the_right_password_leads_to_the_organizations(make_user: MakeUser) -> None:
    make_user("sam")
    client = Client()
    response = client.post(reverse("login"), {"username": "sam", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("organization-list")
    assert client.get(reverse("organization-list")).status_code == 200


def test_sign_in_with_a_wrong_password_is_refused(make_user: MakeUser) -> None:
    make_user("sam")
    response = Client().post(reverse("login"), {"username": "sam", "password": "wrong"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_pages_need_a_signed_in_user(db: None) -> None:
    response = Client().get(reverse("organization-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_out_ends_the_session(make_user: MakeUser) -> None:
    client = Client()
    client.force_login(make_user("sam"))
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("organization-list")).status_code == 302


def test_every_page_has_a_strict_content_security_policy(db: None) -> None:
    response = Client().get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_load_css_and_htmx_from_our_own_static_files(db: None) -> None:
    html = Client().get(reverse("login")).content.decode()
    assert "/static/hicp/app.css" in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "<style" not in html
    assert "<script>" not in html and " style=" not in html


def test_sessions_expire_and_cookies_stay_out_of_reach_of_scripts_and_other_sites() -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_SECURE is True  # tests run without HICP_DEBUG
    assert settings.SECURE_HSTS_SECONDS > 0
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_post_without_the_csrf_token_is_refused(make_user: MakeUser) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("sam"))
    response = client.post(reverse("organization-list"), {"name": "Sneaky"})
    assert response.status_code == 403
