"""WSGI entry point for a production server (gunicorn hicp.web.wsgi)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from hicp.web.proxy import TrustedProxies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hicp.web.settings")

application = get_wsgi_application()
if settings.HICP_TRUSTED_PROXIES:
    application = TrustedProxies(application, settings.HICP_TRUSTED_PROXIES)
