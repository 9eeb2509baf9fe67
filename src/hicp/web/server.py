"""What the command line does with the web app: configure Django, migrate, seed, serve, admin.

`hicp serve` and `hicp admin` call these functions; the CLI modules import this one lazily so
that `hicp --help` never loads Django. Every expected failure is a HicpError (exit code 2).

Rules of `hicp serve`:
- A loopback address (127.0.0.0/8, ::1, localhost) is served without further set-up. Without
  HICP_SECRET_KEY a random key is made for the process, so sessions end when the server stops,
  and session cookies may travel over plain HTTP (HICP_SECURE_COOKIES=0), since loopback
  traffic never leaves the machine. Set HICP_SECURE_COOKIES=1 behind a local TLS proxy.
- Any other address needs HICP_SECRET_KEY: other machines can reach it, so the key that signs
  their sessions must be one the operator set, keeps and can rotate.
- Static files are collected into STATIC_ROOT (HICP_DATA_DIR/static) at start and served by
  WhiteNoise wrapped around the WSGI application, so no separate web server (and no
  `runserver --insecure`) is needed.
"""

from __future__ import annotations

import io
import ipaddress
import os
import secrets
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hicp.errors import HicpError, NotFoundError, Problem

DEMO_USERNAME = "demo"


class AdminError(HicpError):
    """A request of `hicp serve` or `hicp admin` that cannot be carried out as given."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (so nothing else on the network can connect)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str) -> None:
    """Refuse to listen beyond this machine unless the operator set the secret key."""
    if is_loopback(host) or os.environ.get("HICP_SECRET_KEY"):
        return
    raise AdminError(
        f"refusing to listen on {host}: other machines could reach it, and HICP_SECRET_KEY is "
        "not set. The secret key signs every session cookie, so a server reachable from the "
        "network needs one you set and keep. Set HICP_SECRET_KEY to a long random value (for "
        "example the output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
        "or serve on 127.0.0.1."
    )


def configure(
    data_dir: Path | None,
    *,
    loopback: bool = False,
    demo: bool = False,
    migrate: bool | None = None,
    check: bool = True,
) -> None:
    """Point Django at ``data_dir`` (or the settings' default), set it up and prepare the database.

    Without HICP_SECRET_KEY a random per-process key is used: the admin commands sign nothing,
    and a loopback server's sessions then last until it stops. ``loopback`` lets session
    cookies travel over plain HTTP unless HICP_SECURE_COOKIES says otherwise; with ``demo`` as
    well, the demo user may sign in without a second factor (see settings.HICP_DEMO_NO_MFA).

    ``migrate``: None applies migrations to the embedded SQLite database (one machine, nothing
    to coordinate) but only checks a shared database, where `hicp migrate` is its own step so
    that N servers starting at once do not race to change one schema; True migrates anyway.
    ``check=False`` leaves the database alone (for `hicp migrate`, which reports what it does).
    """
    if data_dir is not None:
        os.environ["HICP_DATA_DIR"] = str(data_dir.expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hicp.web.settings")
    if not os.environ.get("HICP_SECRET_KEY"):
        os.environ["HICP_SECRET_KEY"] = secrets.token_urlsafe(50)
    if loopback:
        os.environ.setdefault("HICP_SECURE_COOKIES", "0")
    if demo and loopback:
        os.environ["HICP_DEMO_NO_MFA"] = "1"

    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except (ImproperlyConfigured, ValueError) as exc:  # ValueError: an unusable DATABASE_URL
        raise AdminError(f"the web app's settings are not usable: {exc}") from None
    if not check:
        return
    if migrate or (migrate is None and is_embedded()):
        migrate_database()
        return
    waiting = pending_migrations()
    if waiting:
        shown = ", ".join(waiting[:3]) + (
            f" and {len(waiting) - 3} more" if len(waiting) > 3 else ""
        )
        raise AdminError(
            f"the database ({database_description()}) needs {len(waiting)} schema change(s) "
            f"before this version can use it ({shown}). Run `hicp migrate` once, from one "
            "machine, then start the servers and workers."
        )


def is_embedded() -> bool:
    """Whether the database is the embedded SQLite file (as opposed to a shared server)."""
    from django.conf import settings

    return str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3")


def _database_error(exc: Exception) -> AdminError:
    return AdminError(f"cannot prepare the database ({database_description()}): {exc}".strip())


def pending_migrations() -> list[str]:
    """The migrations not yet applied to the database, as app.name."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db import Error as DatabaseError
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        targets = executor.loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
    except DatabaseError as exc:
        raise _database_error(exc) from None
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def migrate_database() -> list[str]:
    """Apply every pending migration; the ones applied (empty when it was up to date)."""
    from django.core.management import call_command
    from django.db import Error as DatabaseError

    waiting = pending_migrations()
    if waiting:
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except DatabaseError as exc:
            raise _database_error(exc) from None
    return waiting


def database_description() -> str:
    """Where the data lives, for messages: the SQLite file, or the server and database name."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if is_embedded():
        return str(db["NAME"])
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} database {db.get('NAME')!r} on {db.get('HOST')}"


# --- Demo data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSignIn:
    """How to sign in to the demo organization.

    ``password`` is set when it was made here (and is shown once); otherwise ``note`` says
    which password applies.
    """

    created: bool
    username: str
    password: str | None
    note: str


def seed_demo(*, fresh_password: bool = False) -> DemoSignIn:
    """Run the `seed_demo` management command once and say how to sign in.

    The password is HICP_DEMO_PASSWORD, or a random one that is shown here only once. With
    ``fresh_password``, a demo that already exists gets a new random password (unless
    HICP_DEMO_PASSWORD is set), so `make run` can always say how to sign in.
    """
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from hicp.web.core.management.commands.seed_demo import DEMO_NAME
    from hicp.web.core.models import Organization

    users = get_user_model().objects
    if Organization.objects.filter(name=DEMO_NAME).exists():
        demo_user = users.filter(username=DEMO_USERNAME).first()
        if os.environ.get("HICP_DEMO_PASSWORD"):
            return DemoSignIn(False, DEMO_USERNAME, None, "the value of HICP_DEMO_PASSWORD")
        if fresh_password and demo_user is not None:
            password = secrets.token_urlsafe(12)
            demo_user.set_password(password)
            demo_user.save(update_fields=["password"])
            return DemoSignIn(False, DEMO_USERNAME, password, "")
        return DemoSignIn(False, DEMO_USERNAME, None, "with the password shown when it was made")
    if users.filter(username=DEMO_USERNAME).exists():
        password, note = None, "the existing user's password (unchanged)"
    elif os.environ.get("HICP_DEMO_PASSWORD"):
        password, note = None, "the value of HICP_DEMO_PASSWORD"
    else:
        password, note = secrets.token_urlsafe(12), ""
    previous = os.environ.get("HICP_DEMO_PASSWORD")
    if password is not None:
        os.environ["HICP_DEMO_PASSWORD"] = password
    try:
        # Its own output repeats what DemoSignIn says; the caller prints that once.
        call_command("seed_demo", username=DEMO_USERNAME, stdout=io.StringIO())
    except CommandError as exc:
        raise AdminError(f"cannot load the demo data: {exc}") from None
    finally:
        if previous is None:
            os.environ.pop("HICP_DEMO_PASSWORD", None)
        else:
            os.environ["HICP_DEMO_PASSWORD"] = previous
    return DemoSignIn(True, DEMO_USERNAME, password, note)


# --- Serving -----------------------------------------------------------------------------


def _static_headers(headers: Any, path: str, url: str) -> None:
    # Static responses bypass Django's middleware; keep the one header that matters for them.
    headers["X-Content-Type-Options"] = "nosniff"


def application() -> Callable[..., Iterable[bytes]]:
    """The WSGI application with /static/ served from STATIC_ROOT by WhiteNoise.

    Static files are collected first (unchanged files are skipped), so files of every app,
    ours and third-party, are served without DEBUG and without a separate web server.
    """
    from django.conf import settings
    from django.core.management import call_command
    from whitenoise import WhiteNoise

    from hicp.web.wsgi import application as django_application

    call_command("collectstatic", interactive=False, verbosity=0)
    return WhiteNoise(  # type: ignore[no-any-return]
        django_application,
        root=str(settings.STATIC_ROOT),
        prefix=settings.STATIC_URL,
        add_headers_function=_static_headers,
    )


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def run(host: str, port: int, on_ready: Callable[[str], None], *, workers: int = 1) -> None:
    """Serve until Ctrl-C or SIGTERM; ``on_ready`` gets the URL once listening.

    One process: waitress (any platform). Several: gunicorn (Linux and macOS), each worker a
    process of its own with a few threads, so pages and saves use every core. Port 0 asks the
    system for a free port; the URL names the port actually taken.
    """
    from hicp.web.core.evidence_jobs import fail_interrupted_jobs

    fail_interrupted_jobs()  # background imports of a previous run died with it
    app = application()
    if workers > 1:
        _run_gunicorn(app, host, port, workers, on_ready)
    else:
        _run_waitress(app, host, port, on_ready)


def _run_waitress(
    app: Callable[..., Iterable[bytes]], host: str, port: int, on_ready: Callable[[str], None]
) -> None:
    from django.conf import settings
    from waitress import create_server

    # waitress drops forwarded headers unless it trusts the peer itself, and it can trust only
    # one address; hicp.web.proxy decides instead (several proxies, networks) and drops the
    # headers of everyone else, so waitress must pass them on when proxies are configured.
    keep_forwarded = bool(settings.HICP_TRUSTED_PROXIES)
    try:
        server = create_server(
            app,
            host=host,
            port=port,
            ident="hicp",
            clear_untrusted_proxy_headers=not keep_forwarded,
        )
    except OSError as exc:
        raise AdminError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listening = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)
    ]
    on_ready(_url(host, int(listening[0][1])))

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


GUNICORN_THREADS = 4  # per worker process: requests mostly wait on the database


def _run_gunicorn(
    app: Callable[..., Iterable[bytes]],
    host: str,
    port: int,
    workers: int,
    on_ready: Callable[[str], None],
) -> None:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # gunicorn does not run on Windows
        raise AdminError(
            "--workers above 1 needs gunicorn, which runs on Linux and macOS only; on this "
            "machine serve with one process (leave out --workers)."
        ) from None
    from django.db import connections

    # The workers are forked from this process: a database connection opened here (migrations,
    # demo data) must not be shared by all of them.
    connections.close_all()
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def when_ready(arbiter: Any) -> None:
        on_ready(_url(host, int(arbiter.LISTENERS[0].sock.getsockname()[1])))

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": [bind],
                "workers": workers,
                "worker_class": "gthread",
                "threads": GUNICORN_THREADS,
                # hicp.web.proxy decides which proxies to believe; gunicorn must believe none.
                "forwarded_allow_ips": "",
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "hicp",
                "when_ready": when_ready,
                "graceful_timeout": 20,
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Callable[..., Iterable[bytes]]:
            return app

    master = os.getpid()
    try:
        Gunicorn().run()
    except SystemExit as exc:
        if os.getpid() != master:
            raise  # a worker process ending: it must not go on as if it were the command
        if exc.code not in (0, None):
            raise AdminError(
                f"gunicorn stopped (exit code {exc.code}); see its messages above"
            ) from None


# --- Administration ----------------------------------------------------------------------


def _problems(messages: Iterable[str]) -> list[Problem]:
    return [Problem(message) for message in messages]


def create_user(username: str, password: str, *, email: str = "") -> None:
    """A new user whose password passes every validator in AUTH_PASSWORD_VALIDATORS."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise AdminError(f"a user named {username!r} already exists; nothing was changed")
    user = user_model(username=username, email=email)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        messages = [f"{field}: {m}" for field, ms in exc.message_dict.items() for m in ms]
        raise AdminError(f"cannot create user {username!r}", _problems(messages)) from None
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AdminError(
            "the password was refused; nothing was changed", _problems(exc.messages)
        ) from None
    user.set_password(password)
    user.save()


def create_organization(name: str, *, owner: str, parent_id: int | None = None) -> Any:
    """A new organization (or facility of ``parent_id``) owned by the user named ``owner``."""
    from django.contrib.auth import get_user_model

    from hicp.web.core import services
    from hicp.web.core.models import Organization

    name = name.strip()
    if not name:
        raise AdminError("the organization needs a name")
    max_length = Organization._meta.get_field("name").max_length
    if max_length is not None and len(name) > max_length:
        raise AdminError(f"the name is longer than {max_length} characters")
    user = get_user_model().objects.filter(username=owner).first()
    if user is None:
        raise NotFoundError(
            f"no user named {owner!r}; create it first with `hicp admin create-user {owner}`"
        )
    parent = None
    if parent_id is not None:
        parent = Organization.objects.filter(pk=parent_id).first()
        if parent is None:
            raise NotFoundError(f"no organization with id {parent_id}")
    return services.create_organization(user, name, parent=parent)
