"""`GET /api/v1/health/`: is the database and the cache answering?

503 whenever a part fails. `status` says how bad it is: `degraded` when only the cache is down (the
API still serves every request, without rate limits and a little slower), `error` when the database is
down (most requests fail); `degraded` lists the parts that fail.
"""

import contextlib
import logging
import uuid

from django.core.cache import cache
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache_ok() -> bool:
    key, value = f"health:{uuid.uuid4().hex}", "ok"
    # The fail-soft Redis cache hides its errors from callers; asked strictly, it raises them.
    with getattr(cache, "strict", contextlib.nullcontext)():
        cache.set(key, value, timeout=5)
        found = cache.get(key)
        cache.delete(key)
    return found == value


def _probe(check) -> str:
    try:
        return "ok" if check() else "error"
    except Exception:  # a health check reports failures, it never raises them
        logger.exception("health check %s failed", check.__name__)
        return "error"


class HealthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.ChoiceField(choices=["ok", "degraded", "error"]),
                "database": serializers.CharField(),
                "cache": serializers.CharField(),
                "degraded": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        parts = {"database": _probe(_database_ok), "cache": _probe(_cache_ok)}
        failing = [name for name, state in parts.items() if state != "ok"]
        status = "error" if "database" in failing else "degraded" if failing else "ok"
        if failing:
            logger.warning("health status=%s degraded=%s", status, ",".join(failing))
        body = {"status": status, **parts, "degraded": failing}
        return Response(body, status=503 if failing else 200)
