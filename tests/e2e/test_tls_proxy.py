"""A team's deployment: Chromium signs up and signs in through a real TLS-terminating proxy.

nginx (Debian's) terminates TLS with a certificate made for the test and forwards to `hicp
serve` on loopback, adding X-Forwarded-For and X-Forwarded-Proto, as a load balancer would.
The server is told its public address and that the proxy is trusted; then sign-in forms pass
the origin check, HSTS is sent, cookies are Secure and HICP_SSL_REDIRECT=1 does not loop.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e import steps
from tests.e2e.conftest import Server, running_server

NGINX_HINT = "Install Debian's nginx (`apt-get install nginx`) for the TLS proxy test."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made with the openssl command line."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("the TLS proxy test makes its certificate with the openssl command")
    request = "req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
    names = "subjectAltName=DNS:localhost"
    subprocess.run(  # noqa: S603 - fixed arguments
        [openssl, *request.split(), "-addext", names, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


NGINX_CONF = """
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).is_file()), None
    )
    if found:
        return found
    if os.environ.get("HICP_E2E_REQUIRED", "").strip() in {"1", "true", "yes", "on"}:
        pytest.fail(f"HICP_E2E_REQUIRED=1, but there is no nginx. {NGINX_HINT}", pytrace=False)
    pytest.skip(NGINX_HINT)


@pytest.fixture(scope="module")
def proxied(nginx: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Server]]:
    """The public https:// address of a `hicp serve` behind nginx, and the server."""
    folder = tmp_path_factory.mktemp("tls-proxy")
    port = _free_port()
    public = f"https://localhost:{port}"
    with running_server(
        tmp_path_factory.mktemp("hicp-proxied-data"),
        HICP_PUBLIC_URL=public,
        HICP_TRUSTED_PROXIES="127.0.0.1",
        HICP_SSL_REDIRECT="1",
    ) as server:
        cert, key = _certificate(folder)
        conf = folder / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(folder=folder, port=port, cert=cert, key=key, upstream=server.url)
        )
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [nginx, "-c", str(conf), "-p", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        error = (folder / "error.log").read_text(errors="replace")
                        pytest.fail(f"nginx did not start:\n{error}", pytrace=False)
                    time.sleep(0.1)
            yield public, server
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_people_sign_up_and_sign_in_through_a_tls_proxy(
    browser: Browser, proxied: tuple[str, Server]
) -> None:
    public, _server = proxied
    context = browser.new_context(base_url=public, ignore_https_errors=True)
    try:
        page = context.new_page()
        steps.sign_up(page, "proxied-user")  # a POST form: the origin check passes
        response = page.goto("/orgs/")
        assert response is not None and response.ok
        assert "max-age=" in (response.headers.get("strict-transport-security") or "")
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["sessionid"]["secure"], "the session cookie is sent over HTTPS only"

        page.get_by_role("button", name="Sign out").click()
        page.goto("/sign-in/")
        page.get_by_label("Username").fill("proxied-user")
        page.get_by_label("Password").fill(steps.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()
        assert page.url.startswith(public), "no redirect loop and no detour to plain HTTP"
    finally:
        context.close()
