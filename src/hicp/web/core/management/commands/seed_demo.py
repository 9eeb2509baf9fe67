"""`seed_demo`: a clearly marked demo health system with facilities, answers and a tracked plan.

What a newcomer should see at once: a parent organization rolling up three facilities (one not
assessed yet), a clinic with two assessment cycles (so the trend shows), an action plan with
owners, due dates, statuses and a comment. Everything is named "— sample data".
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from hicp.assessment.models import Status
from hicp.errors import HicpError
from hicp.web.core import plan_selectors, plan_services, rollup_services, selectors, services
from hicp.web.core.models import ActionItem, Assessment, Organization

DEMO_NAME = "Demo clinic — sample data"
PARENT_NAME = "Demo health system — sample data"
HOSPITAL_NAME = "Demo community hospital — sample data"
UNASSESSED_NAME = "Demo urgent care — sample data"
# The examples in a source checkout (src/hicp/web/core/management/commands -> repository root).
EXAMPLES = Path(__file__).resolve().parents[6] / "examples"
DEFAULT_FILE = EXAMPLES / "small-clinic.yaml"
HOSPITAL_FILE = EXAMPLES / "community-hospital.yaml"
# The clinic's previous cycle: a year earlier, with a few practices less far along.
EARLIER = dt.date(2025, 10, 15)
WEAKER = {Status.IMPLEMENTED: Status.PARTIAL, Status.PARTIAL: Status.NOT_IMPLEMENTED}


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
                _seed(user, path)
        except HicpError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Created {DEMO_NAME!r}."))
        if created:
            shown = "(from HICP_DEMO_PASSWORD)" if "HICP_DEMO_PASSWORD" in os.environ else password
            self.stdout.write(f"Sign in as {username!r} with password {shown}")
        else:
            self.stdout.write(f"Sign in as the existing user {username!r}.")


def _seed(user: AbstractBaseUser, clinic_file: Path) -> None:
    parent = services.create_organization(user, PARENT_NAME)
    clinic = rollup_services.add_facility(user, parent, DEMO_NAME)
    current = services.import_yaml(
        user,
        clinic,
        name="Example clinic self-assessment",
        text=clinic_file.read_text(encoding="utf-8"),
        filename=clinic_file.name,
    )
    _earlier_cycle(user, clinic, current)
    _track_plan(user, current)
    if HOSPITAL_FILE.is_file():
        hospital = rollup_services.add_facility(user, parent, HOSPITAL_NAME)
        services.import_yaml(
            user,
            hospital,
            name="Example hospital self-assessment",
            text=HOSPITAL_FILE.read_text(encoding="utf-8"),
            filename=HOSPITAL_FILE.name,
        )
    rollup_services.add_facility(user, parent, UNASSESSED_NAME)


def _earlier_cycle(user: AbstractBaseUser, clinic: Organization, current: Assessment) -> None:
    """The same clinic a year before: the same questions, some answers a step weaker."""
    document = selectors.document_of(current).assessment
    earlier = services.create_assessment(
        user,
        clinic,
        name="Example clinic self-assessment (previous year)",
        tier=document.organization.tier,
        date=EARLIER,
    )
    for number, (sub_id, answer) in enumerate(sorted(document.answers.items())):
        if answer.status is None:
            continue
        status = answer.status
        if number % 2 == 0:
            status = WEAKER.get(status, status)
        changes = {"status": status.value, "justification": answer.justification}
        earlier, _ = services.record_answer(user, earlier, earlier.version, sub_id, changes)
    # The current cycle stays the latest: it is what the dashboard shows first.
    Assessment.objects.filter(pk=current.pk).update(updated_at=timezone.now())


def _track_plan(user: AbstractBaseUser, assessment: Assessment) -> None:
    """Give the first plan items an owner, a date and a status, and one a comment."""
    items = plan_selectors.plan_items(assessment)
    today = timezone.localdate()
    statuses = (ActionItem.Status.DONE, ActionItem.Status.IN_PROGRESS, ActionItem.Status.BLOCKED)
    for offset, (item, status) in enumerate(zip(items, statuses, strict=False)):
        plan_services.update_action_item(
            user,
            assessment,
            item.sub_id,
            1,
            {
                "owner": user,
                "due_date": today + dt.timedelta(days=14 * (offset + 1)),
                "status": status,
            },
        )
    if len(items) >= 3:
        plan_services.add_comment(
            user,
            assessment,
            items[2].sub_id,
            "Waiting for the IT company's quote before we can go ahead (sample comment).",
        )
