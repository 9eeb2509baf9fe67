"""Trusting a TLS-terminating proxy: the client's address and scheme, from named proxies only.

Behind a load balancer every request arrives from the proxy over plain HTTP. Django then sees
the wrong scheme (so CSRF's origin check fails, HSTS is never sent and an HTTPS redirect loops)
and the wrong address (so throttling would lump every client together). Forwarded headers fix
that, but anyone can send them, so they are believed only when the peer is one of
HICP_TRUSTED_PROXIES, and removed otherwise so nothing further in may believe them by mistake.

This is a WSGI wrapper rather than a Django setting because it must work the same for waitress
and gunicorn, and must run before Django's own middleware (security redirects, CSRF).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
    "HTTP_X_REAL_IP",
)


def parse_networks(value: str, *, setting: str = "HICP_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """``10.0.0.5,127.0.0.1,10.1.0.0/16`` as networks; a ValueError names the entry it cannot
    read. A bare address is a network of one."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{setting}: {entry!r} is not an IP address or network; list the proxies' "
                "addresses separated by commas, like 10.0.0.5,127.0.0.1 or 10.0.0.0/24"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:51234
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    """WSGI middleware: take the client's address and scheme from a trusted proxy's headers.

    The client is the right-most X-Forwarded-For entry that is not itself a trusted proxy:
    entries further left were written by the client or by proxies nobody vouches for, so a
    forged ``X-Forwarded-For: 1.2.3.4`` from a client cannot choose the address it is counted
    under. The scheme is the last X-Forwarded-Proto value (the one the nearest proxy wrote).
    """

    def __init__(self, app: WSGIApp, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    def is_trusted(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return address is not None and any(address in network for network in self.trusted)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        peer = _address(str(environ.get("REMOTE_ADDR") or ""))
        if self.is_trusted(peer):
            self._apply(environ)
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)  # used above or not trusted: nothing further in reads them
        return self.app(environ, start_response)

    def _apply(self, environ: dict[str, Any]) -> None:
        hops = [h for h in str(environ.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break  # garbage in the chain: keep the proxy's own address rather than guess
            if not self.is_trusted(address):
                environ["REMOTE_ADDR"] = str(address)
                break
        protos = str(environ.get("HTTP_X_FORWARDED_PROTO") or "").split(",")
        scheme = protos[-1].strip().lower()
        if scheme in {"http", "https"}:
            environ["wsgi.url_scheme"] = scheme
            if scheme == "https":
                environ["HTTPS"] = "on"
