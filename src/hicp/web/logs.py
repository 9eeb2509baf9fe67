"""The server's log: one line per event, as plain text or as JSON for a log collector.

HICP_LOG_FORMAT=json writes each record as one JSON object (time, level, logger, message and
any fields passed in ``extra``), which log collectors index without parsing rules. The access
log (one record per request: method, path, status, duration, client address, user id) is on
with JSON and off for plain text unless HICP_ACCESS_LOG=1, so `make run` stays quiet.
Query strings are left out: they may carry tokens and names.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

access_log = logging.getLogger("hicp.access")

# LogRecord's own attributes; anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = bool(getattr(settings, "HICP_ACCESS_LOG", False))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "client": request.META.get("REMOTE_ADDR", ""),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response
