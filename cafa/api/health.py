"""`GET /api/v1/health/`: is the database and the cache answering?"""

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
            {"status": serializers.CharField(), "database": serializers.CharField(), "cache": serializers.CharField()},
        )
    )
    def get(self, request):
        parts = {"database": _probe(_database_ok), "cache": _probe(_cache_ok)}
        healthy = all(state == "ok" for state in parts.values())
        return Response({"status": "ok" if healthy else "error", **parts}, status=200 if healthy else 503)
