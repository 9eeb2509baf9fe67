"""Django app configuration of the hicp web app."""

from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hicp.web.core"
    label = "core"
    verbose_name = "hicp"
    default_auto_field = "django.db.models.BigAutoField"
