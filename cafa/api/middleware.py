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
