"""Django settings, read from the environment: safe by default, convenient only when asked.

Environment variables:
    HICP_DEBUG=1            development: debug pages, a built-in secret key, plain-HTTP cookies
    HICP_SECRET_KEY         required unless HICP_DEBUG=1 or the tests are running (HICP_TESTING=1)
    HICP_DATA_DIR           where the SQLite database lives (default: the user's data directory)
    DATABASE_URL            postgres://user:pass@host/db to use PostgreSQL instead of SQLite
    HICP_PUBLIC_URL         the address people use, e.g. https://hicp.example.org: its host is
                            allowed, its origin trusted for sign-in forms, and with https
                            cookies are Secure-only and HSTS is sent
    HICP_TRUSTED_PROXIES    comma-separated addresses or networks of TLS-terminating proxies
                            (e.g. 10.0.0.5,127.0.0.1): only requests from these may set the
                            client's address and scheme with X-Forwarded-For / -Proto
    HICP_ALLOWED_HOSTS      comma-separated host names (default: 127.0.0.1,localhost)
    HICP_SECURE_COOKIES=0   allow session cookies over plain HTTP outside debug mode (not advised;
                            ignored when HICP_PUBLIC_URL is https)
    HICP_SSL_REDIRECT=1     redirect HTTP to HTTPS (when no proxy does it)
    HICP_LOG_FORMAT=json    one JSON object per log line, for a log collector (default: plain)
    HICP_ACCESS_LOG=1       one log record per request (default: on with json, off with plain)
    HICP_DEMO_NO_MFA=1      set by `hicp serve --demo` on a loopback address only: the demo
                            user (and no one else) may skip enrolling a second factor
    HICP_ATTACHMENT_MAX_MB  largest evidence file people may attach to a question, in whole
                            megabytes (default: 20); files are kept in DATA_DIR/attachments
    HICP_SMTP_HOST          mail server for invitation e-mails; unset: no e-mail is sent and the
                            page shows the invitation link to pass on by hand
    HICP_SMTP_PORT          its port (default: 587; 465 means TLS from the start)
    HICP_SMTP_USER          user name on the mail server, if it needs one
    HICP_SMTP_PASSWORD      its password
    HICP_SMTP_TLS=0         send without encryption (only to a relay on the same machine)
    HICP_MAIL_FROM          sender address, e.g. "hicp <hicp@clinic.example>" (required with
                            HICP_SMTP_HOST)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hicp.web.proxy import parse_networks


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def user_data_dir() -> Path:
    """The per-user data directory of the platform (no third-party dependency for one path)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "hicp"


DEBUG = _flag("HICP_DEBUG")
TESTING = _flag("HICP_TESTING")
HICP_DEMO_NO_MFA = _flag("HICP_DEMO_NO_MFA")

SECRET_KEY = os.environ.get("HICP_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "HICP_SECRET_KEY is not set. Set it to a long random value (for example the output "
            "of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set "
            "HICP_DEBUG=1 for local development only."
        )
    SECRET_KEY = "hicp-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("HICP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]


def _public_url(value: str) -> tuple[str, str] | None:
    """HICP_PUBLIC_URL as (scheme, host[:port]); a clear error for anything else."""
    value = value.strip().rstrip("/")
    if not value:
        return None
    parsed = urlsplit(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname or parsed.path:
        raise ImproperlyConfigured(
            f"HICP_PUBLIC_URL={value!r} is not a web address people can use; give the scheme "
            "and host only, like https://hicp.example.org or https://hicp.example.org:8443"
        )
    return parsed.scheme, parsed.netloc.lower()


PUBLIC_URL = _public_url(os.environ.get("HICP_PUBLIC_URL", ""))
if PUBLIC_URL:
    _scheme, _netloc = PUBLIC_URL
    _host = urlsplit(f"{_scheme}://{_netloc}").hostname or ""
    ALLOWED_HOSTS.append(_host)
    # Django checks a form's Origin header against the request's own host and scheme, which
    # behind a proxy are only right when the proxy is trusted; this names the origin outright.
    CSRF_TRUSTED_ORIGINS = [f"{_scheme}://{_netloc}"]

try:
    HICP_TRUSTED_PROXIES = parse_networks(os.environ.get("HICP_TRUSTED_PROXIES", ""))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None

DATA_DIR = Path(os.environ.get("HICP_DATA_DIR") or user_data_dir())

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hicp.web.core",
]

MIDDLEWARE = [
    "hicp.web.health.HealthMiddleware",  # first: probes need no host check, redirect or session
    "hicp.web.logs.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hicp.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hicp.web.core.mfa.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hicp.web.urls"
WSGI_APPLICATION = "hicp.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "hicp.sqlite3",
        "OPTIONS": {
            # IMMEDIATE takes the write lock when a transaction starts: SQLite ignores
            # select_for_update, so this is what serialises two saves of one assessment.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "organization-list"
LOGOUT_REDIRECT_URL = "login"

# Sessions: eight hours, then sign in again; cookies out of reach of scripts and other sites.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = _flag("HICP_SECURE_COOKIES", default=True)
    if PUBLIC_URL and PUBLIC_URL[0] == "https":
        SESSION_COOKIE_SECURE = True  # people reach it over HTTPS only: cookies never travel bare
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = _flag("HICP_SSL_REDIRECT")

# E-mail carries invitation links only. Without HICP_SMTP_HOST nothing is ever sent (the dummy
# backend) and the members page shows each link to pass on by hand; HICP_MAIL_ENABLED tells it.
_smtp_host = os.environ.get("HICP_SMTP_HOST", "").strip()
HICP_MAIL_ENABLED = bool(_smtp_host)
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
if HICP_MAIL_ENABLED:
    _smtp_port = os.environ.get("HICP_SMTP_PORT", "").strip() or "587"
    if not (_smtp_port.isascii() and _smtp_port.isdigit()):
        raise ImproperlyConfigured("HICP_SMTP_PORT must be a port number, like 587.")
    DEFAULT_FROM_EMAIL = os.environ.get("HICP_MAIL_FROM", "").strip()
    if not DEFAULT_FROM_EMAIL:
        raise ImproperlyConfigured(
            "HICP_SMTP_HOST is set but HICP_MAIL_FROM is not. Set it to the address invitations "
            'come from, for example "hicp <hicp@clinic.example>".'
        )
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp_host
    EMAIL_PORT = int(_smtp_port)
    EMAIL_HOST_USER = os.environ.get("HICP_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("HICP_SMTP_PASSWORD", "")
    _smtp_tls = _flag("HICP_SMTP_TLS", default=True)
    EMAIL_USE_SSL = _smtp_tls and EMAIL_PORT == 465  # port 465 speaks TLS from the first byte
    EMAIL_USE_TLS = _smtp_tls and not EMAIL_USE_SSL  # elsewhere STARTTLS
    EMAIL_TIMEOUT = 20  # seconds; a slow server must not hold the page for long

# An uploaded assessment file is a few hundred kilobytes at most.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"


def _whole_megabytes(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of megabytes, like 20.")
    return int(value) * 1024 * 1024


# Evidence files attached to questions (attachment_files.py). Never under STATIC_ROOT or any
# URL: only the download view serves them, after checking the reader's role.
ATTACHMENT_ROOT = DATA_DIR / "attachments"
ATTACHMENT_MAX_BYTES = _whole_megabytes("HICP_ATTACHMENT_MAX_MB", 20)

# Errors and warnings go to standard error in every mode: outside debug, Django's default
# configuration would log a server error nowhere, and an operator must be able to see it.
LOG_FORMAT = os.environ.get("HICP_LOG_FORMAT", "plain").strip().lower() or "plain"
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("HICP_LOG_FORMAT must be plain or json.")
HICP_ACCESS_LOG = _flag("HICP_ACCESS_LOG", default=LOG_FORMAT == "json")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "json": {"()": "hicp.web.logs.JsonFormatter"},
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "hicp": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
