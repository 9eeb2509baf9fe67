"""An installation that upgrades keeps every row of every table the web app owns.

The database is first built with the `core` migrations as they stood before the
split into apps (0006), one row is written to each of its tables through the
historical models, and then every later migration is applied. The split must be
state-only for existing tables, so each row must still be there, under the same
table name and primary key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor

OLD_STATE = [("core", "0006_evidence_job_again")]


def _value_for(field: models.Field[Any, Any], made: dict[str, Any]) -> Any:
    if isinstance(field, models.ForeignKey):
        return made[field.related_model._meta.label_lower]
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.DateTimeField):
        return dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    if isinstance(field, models.DateField):
        return dt.date(2026, 1, 2)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.IntegerField):
        return 1
    if isinstance(field, models.JSONField):
        return {"kept": True}
    if isinstance(field, models.EmailField):
        return "kept@example.org"
    if isinstance(field, models.CharField | models.TextField):
        return "kept"[: field.max_length or 4]
    raise AssertionError(f"no sample value for {field.model.__name__}.{field.name}")


def _one_row_per_model(apps: Any) -> dict[str, int]:
    """Write one row per `core` model, parents first; return table -> primary key."""
    user_model = apps.get_model("auth", "User")
    made: dict[str, Any] = {"auth.user": user_model.objects.create(username="kept")}
    pending = list(apps.get_app_config("core").get_models())
    written: dict[str, int] = {}
    while pending:
        progressed = False
        for model in list(pending):
            needs = {
                f.related_model._meta.label_lower
                for f in model._meta.concrete_fields
                if isinstance(f, models.ForeignKey) and not f.null
            }
            if not needs <= made.keys():
                continue
            values = {
                f.name: _value_for(f, made)
                for f in model._meta.concrete_fields
                if not f.primary_key and not (f.null and isinstance(f, models.ForeignKey))
            }
            row = model.objects.create(**values)
            made[model._meta.label_lower] = row
            written[model._meta.db_table] = row.pk
            pending.remove(model)
            progressed = True
        assert progressed, f"cannot order {[m.__name__ for m in pending]}"
    return written


@pytest.mark.django_db(transaction=True)
def test_upgrading_from_the_single_core_app_keeps_every_row_of_every_table() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(OLD_STATE)
    executor.loader.build_graph()
    old_apps = executor.loader.project_state(OLD_STATE).apps
    written = _one_row_per_model(old_apps)
    assert len(written) >= 10, written  # every core table took a row

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, pk in written.items():
            assert table in tables, f"{table} disappeared on upgrade"
            # The table name comes from the models, never from input.
            query = f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE id = %s"  # noqa: S608
            cursor.execute(query, [pk])
            assert cursor.fetchone() == (1,), f"row {pk} of {table} lost on upgrade"
