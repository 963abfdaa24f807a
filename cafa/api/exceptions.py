"""The one error envelope (CONTRACT.md §1.9) for every exception raised under /api/.

Services raise `DomainError` subclasses carrying their status, headline and extra keys;
this module turns those, DRF's own exceptions and Django's 404/500 into the envelope.
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

ENVELOPE_KEYS = {"error", "message", "detail", "details", "status_code", "success"}

HEADLINES = {
    400: "Bad Request",
    401: "Authentication Failed",
    403: "Permission Denied",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Payment provider error",
    503: "Service Unavailable",
}


class DomainError(exceptions.APIException):
    """A business rule said no. Subclasses set `status_code`, `error` and a default message."""

    status_code = status.HTTP_400_BAD_REQUEST
    error = "Bad Request"
    default_detail = "The request cannot be completed."

    def __init__(self, message=None, *, error=None, status_code=None, **extra):
        super().__init__(detail=message or self.default_detail)
        if error is not None:
            self.error = error
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra


class LockTimeout(DomainError):
    """A row this request must lock stayed locked by others for too long (see `cafa.locking`).

    Nothing was changed (the transaction rolled back), so the client may simply try again.
    """

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    error = "Service Unavailable"
    default_detail = "Too many requests are changing the same thing right now. Try again in a moment."

    def __init__(self, message=None, **extra):
        extra.setdefault("retry_after", 1)
        super().__init__(message, **extra)


# PostgreSQL's SQLSTATE for "lock_timeout expired" (55P03 lock_not_available).
LOCK_NOT_AVAILABLE = "55P03"


def is_lock_timeout(error: BaseException) -> bool:
    """Whether a database error means a lock wait ran out of time."""
    cause = getattr(error, "__cause__", None)
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return isinstance(error, DatabaseError) and code == LOCK_NOT_AVAILABLE


def envelope(*, status_code, error, message, details=None, **extra):
    """Build the contract's error body."""
    body = {
        "error": error,
        "message": message,
        "detail": message,
        "details": details or {},
        "status_code": status_code,
    }
    body.update(extra)
    return body


def flatten_errors(detail):
    """Flatten DRF error detail into {field: [str, ...]} with nested errors as "sub: text"."""
    if isinstance(detail, list):
        return {"non_field_errors": _messages(detail)}
    if not isinstance(detail, dict):
        return {"non_field_errors": [str(detail)]}
    return {field: _messages(value) for field, value in detail.items()}


def _messages(value, prefix=""):
    if isinstance(value, dict):
        out = []
        for key, sub in value.items():
            label = "" if key == "non_field_errors" else f"{key}: "
            out.extend(_messages(sub, prefix + label))
        return out
    if isinstance(value, list):
        out = []
        for index, item in enumerate(value):
            if isinstance(item, dict | list) and item:
                label = f"{index + 1}: " if isinstance(item, dict) else ""
                out.extend(_messages(item, prefix + label))
            elif item not in ({}, []):
                out.append(f"{prefix}{item}")
        return out
    return [f"{prefix}{value}"]


def _validation_body(exc):
    details = flatten_errors(exc.detail)
    field, texts = next(((f, t) for f, t in details.items() if t), ("non_field_errors", ["Invalid input."]))
    message = texts[0] if field == "non_field_errors" else f"{field}: {texts[0]}"
    mirrored = {key: value for key, value in details.items() if key not in ENVELOPE_KEYS}
    return envelope(status_code=400, error="Validation Error", message=message, details=details, **mirrored)


def _plain_message(detail):
    if isinstance(detail, dict):
        return str(detail.get("detail") or next(iter(detail.values()), "")), detail.get("code")
    if isinstance(detail, list):
        return (str(detail[0]) if detail else ""), None
    return str(detail), getattr(detail, "code", None)


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every handled exception leaves as the envelope."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # never echo Django's "No <Model> matches the given query."
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif is_lock_timeout(exc):  # any lock wait under `SET LOCAL lock_timeout`, not only cafa.locking's own
        exc = LockTimeout()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unhandled: Django's handler500 answers with the 500 envelope
    code = response.status_code
    if isinstance(exc, DomainError):
        body = envelope(status_code=code, error=exc.error, message=str(exc.detail), **exc.extra)
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
    elif isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc)
    else:
        message, token_code = _plain_message(exc.detail)
        extra = {"code": token_code} if token_code in {"token_not_valid", "user_inactive", "user_not_found"} else {}
        if isinstance(exc, exceptions.Throttled):
            wait = math.ceil(exc.wait or 1)
            message = f"Request was throttled. Try again in {wait} seconds."
            extra["retry_after"] = wait
            response["Retry-After"] = str(wait)
        body = envelope(status_code=code, error=HEADLINES.get(code, "Error"), message=message, **extra)
    response.data = body
    return response


def _json_error(code, message):
    return JsonResponse(envelope(status_code=code, error=HEADLINES[code], message=message), status=code)


def _under_api(request) -> bool:
    return request.path.startswith("/api/")


# No view of its own: any method on any unknown /api/ path is a 404, never a CSRF refusal (a
# POST there carries no CSRF token, and there is nothing to protect).
@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Catch-all for unknown paths under /api/ (works in DEBUG too)."""
    return _json_error(404, "The requested resource was not found.")


def handler400(request, exception=None):
    """Django's 400 handler (a bad Host header, too many form fields...): JSON under /api/."""
    if _under_api(request):
        return _json_error(400, "The request could not be understood.")
    return defaults.bad_request(request, exception)


def handler403(request, exception=None):
    """Django's 403 handler (PermissionDenied outside DRF): JSON under /api/."""
    if _under_api(request):
        return _json_error(403, "You do not have permission to perform this action.")
    return defaults.permission_denied(request, exception)


def handler404(request, exception=None):
    """Django's 404 handler: JSON under /api/, the default page elsewhere."""
    if _under_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def handler500(request):
    """Django's 500 handler: JSON under /api/ (never a traceback), the default page elsewhere."""
    if _under_api(request):
        return _json_error(500, "Something went wrong on our side. Please try again.")
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON under /api/; the admin keeps Django's page.

    The API authenticates by bearer token only, so no API view checks CSRF today; this keeps the
    answer JSON should one ever do.
    """
    if _under_api(request):
        return _json_error(403, f"CSRF verification failed. {reason}".strip())
    return csrf.csrf_failure(request, reason=reason)


class SuccessFlagMixin:
    """For endpoints whose bodies carry `success`: their error envelopes say `success: false` too."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(response.data, dict):
            response.data = {"success": False, **response.data}
        return response
