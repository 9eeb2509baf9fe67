"""Health endpoints for a load balancer: /health/live (the process answers) and /health/ready
(it can serve: the database answers and its schema is this version's).

They are answered before any other middleware, so a probe by IP address needs no allowed host,
no HTTPS redirect and no session, and a probe never touches the audit log. They say nothing
about the installation beyond ok or why not; the details go to the server's log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

LIVE = "/health/live"
READY = "/health/ready"

log = logging.getLogger("hicp.health")
_schema_current = False  # once this version's schema is in place, it stays so for the process


def _not_ready() -> str | None:
    """Why this process cannot serve, or None when it can."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db import Error as DatabaseError
    from django.db.migrations.executor import MigrationExecutor

    global _schema_current
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _schema_current:
            executor = MigrationExecutor(connection)  # reads every migration file: not per probe
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                return "the database schema is older than this version: run `hicp migrate`"
            _schema_current = True
    except DatabaseError as exc:
        log.warning("readiness: the database does not answer: %s", exc)
        return "the database does not answer"
    return None


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == LIVE:
            return JsonResponse({"status": "ok"})
        if request.path == READY:
            return self.ready()
        return self.get_response(request)

    def ready(self) -> HttpResponse:
        reason = _not_ready()
        if reason:
            return JsonResponse({"status": "unavailable", "reason": reason}, status=503)
        return JsonResponse({"status": "ok"})
