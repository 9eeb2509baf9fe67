"""Repeatable Office files: XLSX and DOCX are zip archives whose entries carry a write time."""

from __future__ import annotations

import datetime as dt
import io
import zipfile


def pin_timestamps(data: bytes, day: dt.date) -> bytes:
    """Rewrite a zip with every entry dated ``day`` so one context always gives one file."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            target.writestr(entry, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
