"""LibreOffice for the tests that need it: found, or a skip (a failure in CI) saying why.

`make test` on a fresh machine has no LibreOffice, so those tests skip with their reason there;
`.ci/run` installs it and sets HICP_LIBREOFFICE_REQUIRED=1, so in CI a missing LibreOffice fails
them instead of letting them skip quietly.
"""

from __future__ import annotations

import os
import shutil

import pytest

INSTALL_HINT = "Install it with `apt-get install libreoffice-writer-nogui` (.ci/run does)."


def libreoffice() -> str:
    """The LibreOffice command, or skip (fail when HICP_LIBREOFFICE_REQUIRED=1)."""
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if found:
        return found
    reason = f"LibreOffice is not installed. {INSTALL_HINT}"
    if os.environ.get("HICP_LIBREOFFICE_REQUIRED", "") not in ("", "0"):
        pytest.fail(f"HICP_LIBREOFFICE_REQUIRED=1, but {reason}", pytrace=False)
    pytest.skip(reason)
