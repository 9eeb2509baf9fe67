"""Django settings, read from the environment: safe by default, convenient only when asked.

Environment variables:
    HICP_DEBUG=1            development: debug pages, a built-in secret key, plain-HTTP cookies
    HICP_SECRET_KEY         required unless HICP_DEBUG=1 or the tests are running (HICP_TESTING=1)
    HICP_DATA_DIR           where the SQLite database lives (default: the user's data directory)
    DATABASE_URL            postgres://user:pass@host/db to use PostgreSQL instead of SQLite
    HICP_ALLOWED_HOSTS      comma-separated host names (default: 127.0.0.1,localhost)
    HICP_SECURE_COOKIES=0   allow session cookies over plain HTTP outside debug mode (not advised)
    HICP_SSL_REDIRECT=1     redirect HTTP to HTTPS (when no proxy does it)
    HICP_DEMO_NO_MFA=1      set by `hicp serve --demo` on a loopback address only: the demo
                            user (and no one else) may skip enrolling a second factor
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


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
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = _flag("HICP_SSL_REDIRECT")

# An uploaded assessment file is a few hundred kilobytes at most.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
