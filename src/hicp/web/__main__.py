"""`python -m hicp.web COMMAND`: Django's management commands with hicp's settings.

For example `python -m hicp.web migrate`, `python -m hicp.web seed_demo` and
`python -m hicp.web runserver 127.0.0.1:8000`.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hicp.web.settings")
    try:
        execute_from_command_line([f"{sys.executable} -m hicp.web", *sys.argv[1:]])
    except ImproperlyConfigured as exc:  # e.g. no HICP_SECRET_KEY: one message, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
