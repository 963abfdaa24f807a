"""`Idempotency-Key` on the purchase endpoints (CONTRACT.md §6.2).

The first request with a key claims a row of `IdempotentRequest` (unique per user, endpoint and
key) before any work is done, so a concurrent repeat finds the claim and is told to retry instead
of reserving twice. The finished answer is stored on the row for 24 hours and replayed for a
repeat with the same body; 5xx answers release the claim so the client may try again.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cafa.api.exceptions import DomainError
from payments.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_FOR = timedelta(hours=24)
STALE_CLAIM = timedelta(minutes=2)  # a claim never finished (the process died) stops blocking the key
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(DomainError):
    status_code = 409
    error = "Idempotency key reused"
    default_detail = "This Idempotency-Key was already used with a different request body."


class RequestInProgress(DomainError):
    status_code = 409
    error = "Request in progress"
    default_detail = "A request with this Idempotency-Key is still being processed. Retry in a moment."


class _Replay(Exception):
    """Carries the stored answer out of `initial()`; never reaches the exception handler."""

    def __init__(self, response):
        self.response = response


def valid_key(value: str) -> bool:
    """1-255 printable ASCII characters."""
    return 0 < len(value) <= MAX_KEY_LENGTH and all(" " <= char <= "~" for char in value)


def fingerprint(data) -> str:
    """SHA-256 of the parsed body, independent of key order and whitespace."""
    if hasattr(data, "lists"):  # a QueryDict from a form or multipart body
        data = dict(data.lists())
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def purge_expired(now=None) -> int:
    """Delete stored answers older than 24 hours; returns how many went."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    return IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()[0]


def claim(*, user, endpoint: str, key: str, body_fingerprint: str) -> IdempotentRequest:
    """Claim the key for this request, or raise: replay of a stored answer, reused key, in progress."""
    scope = IdempotentRequest.objects.filter(user=user, endpoint=endpoint, key=key)
    now = timezone.now()
    scope.filter(
        Q(created_at__lt=now - KEPT_FOR) | Q(status_code__isnull=True, created_at__lt=now - STALE_CLAIM)
    ).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(user=user, endpoint=endpoint, key=key, fingerprint=body_fingerprint)
    except IntegrityError:
        existing = scope.first()
    if existing is None:  # released by a failing first request in the meantime
        raise RequestInProgress() from None
    if existing.fingerprint != body_fingerprint:
        raise IdempotencyKeyReused()
    if existing.status_code is None:
        raise RequestInProgress()
    response = Response(existing.response_body, status=existing.status_code)
    response[REPLAYED_HEADER] = "true"
    raise _Replay(response)


def store(record: IdempotentRequest, response) -> None:
    """Keep a finished answer (2xx-4xx) for replays; a 5xx releases the key instead."""
    if response.status_code >= 500:
        release(record)
        return
    body = json.loads(JSONRenderer().render(response.data)) if response.data is not None else None
    IdempotentRequest.objects.filter(pk=record.pk).update(status_code=response.status_code, response_body=body)


def release(record: IdempotentRequest) -> None:
    IdempotentRequest.objects.filter(pk=record.pk, status_code__isnull=True).delete()


class IdempotentMixin:
    """For APIViews whose POST accepts `Idempotency-Key`. Put it first in the bases.

    Set `idempotency_endpoint` to a stable name of the endpoint (keys are scoped per endpoint).
    Authentication, permissions and throttles run first; their refusals are never stored.
    """

    idempotency_endpoint: str = ""

    def initial(self, request, *args, **kwargs):
        self._idempotent_record = None
        super().initial(request, *args, **kwargs)
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST":
            return
        if not valid_key(key):
            raise exceptions.ValidationError({HEADER: ["Use 1 to 255 printable ASCII characters."]})
        self._idempotent_record = claim(
            user=request.user, endpoint=self.idempotency_endpoint, key=key, body_fingerprint=fingerprint(request.data)
        )

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        try:
            response = super().handle_exception(exc)
        except Exception:
            if getattr(self, "_idempotent_record", None) is not None:
                release(self._idempotent_record)
            raise
        if isinstance(exc, RequestInProgress):
            response["Retry-After"] = "1"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "_idempotent_record", None)
        if record is not None:
            self._idempotent_record = None
            store(record, response)
        return response
