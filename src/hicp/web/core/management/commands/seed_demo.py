"""`seed_demo`: a clearly marked demo organization with the example clinic's answers."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hicp.errors import HicpError
from hicp.web.core import services
from hicp.web.core.models import Organization

DEMO_NAME = "Demo clinic — sample data"
# The example in a source checkout (src/hicp/web/core/management/commands -> repository root).
DEFAULT_FILE = Path(__file__).resolve().parents[6] / "examples" / "small-clinic.yaml"


class Command(BaseCommand):
    help = (
        f"Create the organization {DEMO_NAME!r} with the example clinic's assessment, owned by a "
        "demo user. The password is HICP_DEMO_PASSWORD, or a random one printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="demo")
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} not found; pass --file with an assessment file")
        if Organization.objects.filter(name=DEMO_NAME).exists():
            self.stdout.write(f"{DEMO_NAME!r} already exists; nothing to do.")
            return
        user_model = get_user_model()
        username: str = options["username"]
        password = os.environ.get("HICP_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        try:
            with transaction.atomic():
                user, created = user_model.objects.get_or_create(username=username)
                if created:
                    user.set_password(password)
                    user.save()
                organization = services.create_organization(user, DEMO_NAME)
                services.import_yaml(
                    user,
                    organization,
                    name="Example clinic self-assessment",
                    text=path.read_text(encoding="utf-8"),
                    filename=path.name,
                )
        except HicpError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Created {DEMO_NAME!r}."))
        if created:
            shown = "(from HICP_DEMO_PASSWORD)" if "HICP_DEMO_PASSWORD" in os.environ else password
            self.stdout.write(f"Sign in as {username!r} with password {shown}")
        else:
            self.stdout.write(f"Sign in as the existing user {username!r}.")
