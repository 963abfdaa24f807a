"""`Idempotency-Key` on the purchase endpoints (CONTRACT.md §6.2): the `idempotent` view decorator.

The first request with a key claims a row of `IdempotentRequest` (unique per user, endpoint and
key) before any work is done, so a concurrent repeat finds the claim and is told to retry instead
of reserving twice. The finished answer is stored on the row for 24 hours and replayed for a
repeat with the same body; 5xx answers release the claim so the client may try again.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cafa.db import guard_integrity_error
from payments.exceptions import IdempotencyKeyReused, RequestInProgress
from payments.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_FOR = timedelta(hours=24)
STALE_CLAIM = timedelta(minutes=2)  # a claim never finished (the process died) stops blocking the key
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredAnswer:
    """The answer given to the first request with a key, to replay."""

    status_code: int
    body: object

    def replay(self) -> Response:
        response = Response(self.body, status=self.status_code)
        response[REPLAYED_HEADER] = "true"
        return response


def valid_key(value: str) -> bool:
    """1-255 printable ASCII characters."""
    return 0 < len(value) <= MAX_KEY_LENGTH and all(" " <= char <= "~" for char in value)


def fingerprint(data) -> str:
    """SHA-256 of the parsed body, independent of key order and whitespace."""
    if hasattr(data, "lists"):  # a QueryDict from a form or multipart body
        data = dict(data.lists())
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def expired_records(now=None, *, older_than: timedelta = KEPT_FOR):
    """Stored answers older than `older_than` (24 hours unless an operator asks for longer)."""
    return IdempotentRequest.objects.filter(created_at__lt=(now or timezone.now()) - max(older_than, KEPT_FOR))


def purge_expired(now=None, *, older_than: timedelta = KEPT_FOR) -> int:
    """Delete stored answers older than 24 hours (or `older_than`, never less); returns how many went."""
    return expired_records(now, older_than=older_than).delete()[0]


def claim(*, user, endpoint: str, key: str, body_fingerprint: str) -> IdempotentRequest | StoredAnswer:
    """Claim the key for this request, or return the answer stored for it.

    A new key costs one INSERT. A record that has lapsed (older than 24 hours, or a claim never finished
    within STALE_CLAIM) counts as absent. Raises IdempotencyKeyReused (another body) or RequestInProgress
    (the first request still runs).
    """
    scope = IdempotentRequest.objects.filter(user=user, endpoint=endpoint, key=key)
    claimed = _insert_claim(user=user, endpoint=endpoint, key=key, fingerprint=body_fingerprint)
    if claimed is not None:
        return claimed
    existing = scope.first()
    if existing is not None and _lapsed(existing, timezone.now()):
        scope.filter(pk=existing.pk).delete()
        claimed = _insert_claim(user=user, endpoint=endpoint, key=key, fingerprint=body_fingerprint)
        if claimed is not None:
            return claimed
        existing = scope.first()
    if existing is None:  # released by a failing first request in the meantime
        raise RequestInProgress()
    if existing.fingerprint != body_fingerprint:
        raise IdempotencyKeyReused()
    if existing.status_code is None:
        raise RequestInProgress()
    return StoredAnswer(status_code=existing.status_code, body=existing.response_body)


def _insert_claim(**fields) -> IdempotentRequest | None:
    """The new claim, or None when the key is already recorded."""
    try:
        with guard_integrity_error():
            return IdempotentRequest.objects.create(**fields)
    except IntegrityError:
        return None


def _lapsed(record: IdempotentRequest, now) -> bool:
    if record.created_at < now - KEPT_FOR:
        return True
    return record.status_code is None and record.created_at < now - STALE_CLAIM


def store(record: IdempotentRequest, response) -> None:
    """Keep a finished answer (2xx-4xx) for replays; a 5xx releases the key instead."""
    if response.status_code >= 500:
        release(record)
        return
    body = json.loads(JSONRenderer().render(response.data)) if response.data is not None else None
    IdempotentRequest.objects.filter(pk=record.pk).update(status_code=response.status_code, response_body=body)


def release(record: IdempotentRequest) -> None:
    IdempotentRequest.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def idempotent(endpoint: str):
    """Decorate a view's `post(self, request)`: with an `Idempotency-Key`, it runs once per key.

    `endpoint` is a stable name of the endpoint (keys are scoped per user and endpoint). Whatever the
    view answers, refusals included, is stored and replayed; the view's own exception handling renders
    refusals, so a replay is byte for byte the first answer. Authentication, permissions and throttles
    run before `post`, so their refusals are never stored.
    """

    def decorate(post):
        @functools.wraps(post)
        def run_once(view, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                return post(view, request, *args, **kwargs)
            if not valid_key(key):
                raise exceptions.ValidationError({HEADER: ["Use 1 to 255 printable ASCII characters."]})
            claimed = claim(user=request.user, endpoint=endpoint, key=key, body_fingerprint=fingerprint(request.data))
            if isinstance(claimed, StoredAnswer):
                return claimed.replay()
            try:
                response = _answer(view, post, request, *args, **kwargs)
            except BaseException:
                release(claimed)  # an unexpected error (a 500): the client may try again
                raise
            store(claimed, response)
            return response

        return run_once

    return decorate


def _answer(view, post, request, *args, **kwargs) -> Response:
    """The view's answer, a refusal rendered by the view's exception handling as the client gets it."""
    try:
        return post(view, request, *args, **kwargs)
    except Exception as error:
        return view.handle_exception(error)
