"""Tests of the Django web app; importing this package configures Django for them only.

The core's tests never import Django. Set DATABASE_URL=postgres://... to run these tests on
PostgreSQL instead of SQLite.
"""

import os
import tempfile
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hicp.web.settings")
os.environ["HICP_TESTING"] = "1"
os.environ.setdefault("HICP_DATA_DIR", str(Path(tempfile.gettempdir()) / "hicp-web-tests"))
django.setup()
