"""Behind a TLS-terminating proxy: sign-in works, HSTS is sent, the client's address counts.

The app is driven through its real WSGI stack (the TrustedProxies wrapper around Django), since
Django's test client would skip the wrapper that these rules live in.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from hicp.web.core import throttle
from hicp.web.proxy import TrustedProxies, parse_networks
from tests.web.conftest import PASSWORD, MakeUser

PROXY = "10.0.0.5"
PUBLIC = "https://hicp.example.org"


@dataclass
class Seen:
    environ: dict[str, Any] = field(default_factory=dict)


def _echo(seen: Seen) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.environ = dict(environ)
        start_response("200 OK", [])
        return [b""]

    return app


def _through(peer: str, headers: dict[str, str], trusted: str = f"{PROXY},127.0.0.1") -> Seen:
    seen = Seen()
    environ: dict[str, Any] = {"REMOTE_ADDR": peer}
    environ.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    setup_testing_defaults(environ)
    TrustedProxies(_echo(seen), parse_networks(trusted))(environ, lambda *a: None)
    return seen


# --- The wrapper ------------------------------------------------------------------------------


def test_a_trusted_proxy_sets_the_clients_address_and_scheme() -> None:
    seen = _through(PROXY, {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"})
    assert seen.environ["REMOTE_ADDR"] == "198.51.100.7"
    assert seen.environ["wsgi.url_scheme"] == "https"


def test_an_address_the_client_forged_to_the_left_of_the_chain_is_ignored() -> None:
    # The proxy appends the address it saw; whatever the client wrote stands to its left.
    seen = _through(PROXY, {"X-Forwarded-For": "1.2.3.4, 198.51.100.7"})
    assert seen.environ["REMOTE_ADDR"] == "198.51.100.7"


def test_trusted_proxies_in_a_chain_are_skipped_to_reach_the_client() -> None:
    seen = _through(PROXY, {"X-Forwarded-For": "198.51.100.7, 127.0.0.1"})
    assert seen.environ["REMOTE_ADDR"] == "198.51.100.7"


def test_forwarded_headers_from_an_untrusted_peer_are_ignored_and_removed() -> None:
    seen = _through(
        "203.0.113.9", {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    )
    assert seen.environ["REMOTE_ADDR"] == "203.0.113.9"
    assert seen.environ["wsgi.url_scheme"] == "http"
    assert "HTTP_X_FORWARDED_FOR" not in seen.environ
    assert "HTTP_X_FORWARDED_PROTO" not in seen.environ


def test_a_network_of_proxies_may_be_trusted() -> None:
    seen = _through("10.1.2.3", {"X-Forwarded-For": "198.51.100.7"}, trusted="10.1.0.0/16")
    assert seen.environ["REMOTE_ADDR"] == "198.51.100.7"


def test_garbage_in_the_chain_keeps_the_proxys_own_address() -> None:
    seen = _through(PROXY, {"X-Forwarded-For": "198.51.100.7, not-an-address"})
    assert seen.environ["REMOTE_ADDR"] == PROXY


def test_an_unreadable_proxy_setting_names_the_entry() -> None:
    with pytest.raises(ValueError, match=r"HICP_TRUSTED_PROXIES: 'proxy\.local'"):
        parse_networks("10.0.0.5, proxy.local")


# --- Settings ---------------------------------------------------------------------------------


def _settings_with(env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'hicp.web.settings'; "
        f"from django.conf import settings; print(repr({expression}))"
    )
    return subprocess.run(  # noqa: S603 - this interpreter with a fixed program
        [sys.executable, "-c", code],
        env={"HICP_TESTING": "1", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_public_url_sets_hosts_trusted_origins_and_secure_cookies() -> None:
    run = _settings_with(
        {"HICP_PUBLIC_URL": PUBLIC + "/", "HICP_SECURE_COOKIES": "0"},
        "(settings.ALLOWED_HOSTS, settings.CSRF_TRUSTED_ORIGINS, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_HSTS_SECONDS > 0)",
    )
    assert run.returncode == 0, run.stderr
    hosts, origins, session_secure, csrf_secure, hsts = eval(run.stdout)  # noqa: S307 - our repr
    assert "hicp.example.org" in hosts
    assert origins == [PUBLIC]
    assert session_secure and csrf_secure and hsts


@pytest.mark.parametrize("value", ["hicp.example.org", "ftp://hicp.example.org", f"{PUBLIC}/app"])
def test_a_public_url_that_is_not_scheme_and_host_is_refused_with_an_example(value: str) -> None:
    run = _settings_with({"HICP_PUBLIC_URL": value}, "settings.ALLOWED_HOSTS")
    assert run.returncode != 0
    assert "HICP_PUBLIC_URL" in run.stderr and "https://hicp.example.org" in run.stderr


# --- Through the real app -------------------------------------------------------------------


@dataclass
class Browser:
    """Just enough of a browser to sign in through a WSGI app: cookies, forms and headers."""

    app: Any
    peer: str
    forwarded_for: str
    cookies: SimpleCookie = field(default_factory=SimpleCookie)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        body = urlencode(form or {}).encode()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "REMOTE_ADDR": self.peer,
            "HTTP_HOST": "hicp.example.org",
            "HTTP_X_FORWARDED_FOR": self.forwarded_for,
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_ORIGIN": PUBLIC,
            "HTTP_REFERER": f"{PUBLIC}/sign-in/",
            "HTTP_COOKIE": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items()),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        setup_testing_defaults(environ)
        status: list[str] = []
        headers: list[tuple[str, str]] = []

        def start_response(s: str, h: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(s)
            headers.extend(h)

        content = b"".join(self.app(environ, start_response))
        for name, value in headers:
            if name.lower() == "set-cookie":
                self.cookies.load(value)
        return int(status[0].split()[0]), dict(headers), content

    def sign_in(self, username: str, password: str) -> tuple[int, dict[str, str], bytes]:
        _, _, page = self.request("GET", "/sign-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "the sign-in page has a CSRF token"
        return self.request(  # type: ignore[no-any-return]
            "POST",
            "/sign-in/",
            {"csrfmiddlewaretoken": token[1].decode(), "username": username, "password": password},
        )


@pytest.fixture
def behind_proxy(settings: Any) -> Iterator[Any]:
    # As Django's test client does: a request must not close the test's database connection,
    # which holds the test's transaction (PostgreSQL would then fail every later query).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["hicp.example.org"]
    settings.CSRF_TRUSTED_ORIGINS = [PUBLIC]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True  # it must not loop: the proxy says the request is HTTPS
    settings.HICP_MFA_ENFORCE_ENROLMENT = False
    yield TrustedProxies(get_wsgi_application(), parse_networks(PROXY))
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_signing_in_through_a_trusted_tls_proxy_works_and_sends_hsts(
    behind_proxy: Any, make_user: MakeUser
) -> None:
    make_user("alice")
    status, headers, _ = Browser(behind_proxy, PROXY, "198.51.100.7").sign_in("alice", PASSWORD)
    assert status == 302, "signed in and sent on, not refused (403) or redirected to HTTPS"
    assert headers["Location"] != "/sign-in/"
    assert "max-age=" in headers["Strict-Transport-Security"]


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(
    behind_proxy: Any, make_user: MakeUser
) -> None:
    make_user("alice")
    make_user("bob")
    mallory = Browser(behind_proxy, PROXY, "198.51.100.66")
    for _ in range(throttle.LIMIT + 1):
        mallory.sign_in("someone", "wrong password")
    _, _, refused = mallory.sign_in("alice", PASSWORD)
    assert throttle.SIGN_IN_LOCKED.encode() in refused, "the failing address is locked"
    status, _, _ = Browser(behind_proxy, PROXY, "198.51.100.7").sign_in("bob", PASSWORD)
    assert status == 302, "another client behind the same proxy still signs in"
