"""Facilities roll-up benchmark: a service provider's page of many clinics, against the core alone.

    python bench/rollup_bench.py [--facilities 200] [--repeat 5] [--seed 7]

Builds a throwaway SQLite database in a temporary folder: one parent organization with N
facilities, each with one medium-tier assessment (36 questions, all answered, a third with
notes and owners) and a few action items. Then, each as the median of --repeat runs:

- baseline: parse and score the N assessment documents with the core alone (no database):
  the work any roll-up must do at least once per document.
- roll-up, cold: ``rollup.roll_up`` with its score cache emptied first (queries + parse + score
  + sort), as on the first view after a start or after every facility saved an answer.
- roll-up, warm: the same with the cache filled, as on a repeated view.
- page, cold and warm: the whole facilities page through Django's test client (sign-in,
  scoping, template rendering of N rows and the chart).
- full report context: parse + ``build_context`` per document, what the roll-up would cost had
  it used the report context instead of scoring only.

Printed: milliseconds, each step's ratio to the baseline, and the queries one roll-up makes.
Compare ratios between runs and machines, not seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

STATUSES = ("implemented", "partial", "planned", "not_implemented", "unknown")


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(name: str, seconds: float, baseline: float) -> None:
    print(f"{name:<44} {seconds * 1000:9.1f} ms   ratio {seconds / baseline:6.2f}x")


def document(name: str, rng: random.Random) -> str:
    """A medium-tier assessment with every question answered, some with notes and owners."""
    import datetime as dt

    from hicp.assessment.store import new_assessment_text
    from hicp.catalog import Tier, default_catalog

    text = new_assessment_text(
        default_catalog(), name=name, tier=Tier.MEDIUM, date=dt.date(2026, 9, 1)
    )
    lines = []
    for line in text.splitlines():
        if line == "    status:":
            status = rng.choices(STATUSES, weights=(5, 3, 1, 3, 1))[0]
            line = f"    status: {status}"
            if rng.random() < 0.33:
                line += (
                    '\n    owner: "IT lead"\n    notes: >-\n'
                    "      Checked with the practice manager; the vendor confirmed the setting.\n"
                    "      Evidence is kept in the shared drive under Security/2026."
                )
        lines.append(line)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="hicp-rollup-bench-")
    try:
        run(args, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, data_dir: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="hicp.web.settings",
        HICP_TESTING="1",
        HICP_DATA_DIR=data_dir,
        HICP_ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from hicp.assessment.scoring import score
    from hicp.assessment.store import parse
    from hicp.catalog import default_catalog
    from hicp.reports.context import build_context
    from hicp.web.core import rollup, services
    from hicp.web.core.models import ActionItem, Assessment, Organization

    settings.HICP_MFA_ENFORCE_ENROLMENT = False
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)  # noqa: S311  (made-up answers, reproducible)
    user = User.objects.create_user("bench", password="bench-only-password")  # noqa: S106
    parent = services.create_organization(user, "Meridian Care Partners")
    facilities = Organization.objects.bulk_create(
        Organization(name=f"Clinic {i:03d}", parent=parent) for i in range(args.facilities)
    )
    texts = [document(f.name, rng) for f in facilities]
    assessments = Assessment.objects.bulk_create(
        Assessment(organization=f, name="2026 self-assessment", yaml_text=t, created_by=user)
        for f, t in zip(facilities, texts, strict=True)
    )
    ActionItem.objects.bulk_create(
        ActionItem(assessment=a, sub_id=sub_id, status=rng.choice(("to_do", "done")))
        for a in assessments
        for sub_id in ("1.M.A", "2.M.A", "7.M.A")
    )
    catalog = default_catalog()
    path = Path("bench.yaml")

    print(
        f"facilities roll-up: {args.facilities} facilities, medium tier (36 questions), "
        f"median of {args.repeat}, Python {sys.version.split()[0]}\n"
    )
    baseline = median_seconds(
        lambda: [score(catalog, parse(t, path, catalog).assessment) for t in texts], args.repeat
    )
    row("baseline: parse + score each document", baseline, baseline)

    def cold() -> object:
        rollup.clear_cache()
        return rollup.roll_up(parent)

    row("roll-up, cold (no cached scores)", median_seconds(cold, args.repeat), baseline)
    rollup.roll_up(parent)
    row("roll-up, warm", median_seconds(lambda: rollup.roll_up(parent), args.repeat), baseline)

    client = Client()
    client.force_login(user)
    url = reverse("facilities", args=[parent.pk])
    if client.get(url).status_code != 200:
        raise SystemExit("the facilities page did not answer 200")

    def page_cold() -> object:
        rollup.clear_cache()
        return client.get(url)

    row("facilities page, cold", median_seconds(page_cold, args.repeat), baseline)
    row("facilities page, warm", median_seconds(lambda: client.get(url), args.repeat), baseline)
    full = median_seconds(
        lambda: [build_context(catalog, parse(t, path, catalog).assessment) for t in texts],
        args.repeat,
    )
    row("(for comparison) parse + full report context", full, baseline)

    rollup.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        rollup.roll_up(parent)
    print(f"\nqueries in one roll-up: {len(queries)}")


if __name__ == "__main__":
    main()
