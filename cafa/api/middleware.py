"""Request guards that must run before any view parses a body."""

from django.conf import settings
from django.http import JsonResponse

from cafa.api.exceptions import envelope


class RequestSizeLimitMiddleware:
    """Refuse bodies above MAX_REQUEST_BODY_BYTES with a 413 envelope before reading them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            limit_mb = settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)
            body = envelope(
                status_code=413, error="Payload Too Large", message=f"The request body exceeds {limit_mb} MB."
            )
            return JsonResponse(body, status=413)
        return self.get_response(request)


class NullCharacterGuardMiddleware:
    """Refuse a NUL character anywhere in an /api/ path or query string with a 400 envelope.

    PostgreSQL cannot store or compare text holding NUL, so a slug, a reference or a search term
    carrying one would otherwise fail deep inside a query. Form and serializer fields already
    refuse it in bodies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and self._has_null(request):
            body = envelope(
                status_code=400,
                error="Bad Request",
                message="The request contains a NUL character, which is never valid here.",
            )
            return JsonResponse(body, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_null(request) -> bool:
        if "\x00" in request.path:
            return True
        return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())
