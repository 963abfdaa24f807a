"""Paystack: a thin client over `httpx.Client` (CONTRACT §6, §10; DESIGN §4).

Amounts are minor units (pesewas). Every failure talking to Paystack surfaces as `ProviderError`;
a webhook that is not Paystack's surfaces as `InvalidSignature`. No httpx exception escapes.
"""

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote

import httpx

from .base import (
    AccountNotResolved,
    ChargeResult,
    Initialization,
    InvalidSignature,
    ProviderError,
    ProviderEvent,
    ResolvedAccount,
    webhook_dedup_key,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Paystack-Signature"
RecipientKind = Literal["ghipss", "mobile_money"]

# Paystack `data.status` -> ChargeResult vocabulary; anything unknown is treated as still in progress.
_CHARGE_STATUS = {
    "success": "success",
    "failed": "failed",
    "abandoned": "abandoned",
    "reversed": "reversed",
    "ongoing": "pending",
    "pending": "pending",
    "processing": "pending",
    "queued": "pending",
}
_MAX_BANK_PAGES = 20
# Answers of GET /bank/resolve that mean "no such account" (a bad number or bank code), not an outage.
_UNRESOLVED_STATUSES = (400, 404, 422)


class PaystackProvider:
    """The live provider. One `httpx.Client` (Bearer secret, timeouts, connect retries) per instance."""

    name = "paystack"

    def __init__(
        self, secret_key: str, base_url: str = "https://api.paystack.co", transport: httpx.BaseTransport | None = None
    ) -> None:
        self._secret = secret_key
        self._client = httpx.Client(
            base_url=base_url,
            transport=transport if transport is not None else httpx.HTTPTransport(retries=2),
            timeout=httpx.Timeout(20.0, connect=5.0),
            headers={"Authorization": f"Bearer {secret_key}", "Accept": "application/json"},
        )

    # -- charges ---------------------------------------------------------------------------------

    def initialize(
        self, *, reference: str, amount_minor: int, currency: str, email: str, callback_url: str, metadata: dict
    ) -> Initialization:
        """Start a transaction (POST /transaction/initialize) and return the checkout page to send the buyer to."""
        body = {
            "reference": reference,
            "amount": amount_minor,
            "currency": currency,
            "email": email,
            "callback_url": callback_url,
            "metadata": metadata,
        }
        data = self._request("POST", "/transaction/initialize", body=body)
        if not data.get("authorization_url"):
            raise self._fail("POST", "/transaction/initialize", "response carries no authorization_url")
        return Initialization(
            authorization_url=data["authorization_url"],
            access_code=data.get("access_code"),
            reference=data.get("reference") or reference,
        )

    def verify(self, reference: str) -> ChargeResult:
        """Paystack's word on one charge (GET /transaction/verify/{reference})."""
        data = self._request("GET", f"/transaction/verify/{quote(reference, safe='')}")
        if not data.get("status"):
            raise self._fail("GET", "/transaction/verify", "response carries no transaction status")
        try:
            return charge_result(data, reference=reference)
        except ValueError as error:
            raise self._fail("GET", "/transaction/verify", str(error)) from None

    def refund(self, *, reference: str, amount_minor: int | None = None) -> dict:
        """Refund a charge in full, or `amount_minor` of it (POST /refund). Returns Paystack's refund `data`."""
        body: dict[str, Any] = {"transaction": reference}
        if amount_minor is not None:
            body["amount"] = amount_minor
        return self._request("POST", "/refund", body=body)

    # -- webhooks --------------------------------------------------------------------------------

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Check `X-Paystack-Signature` (hex HMAC-SHA512 of the raw body) and return the event it carries."""
        return parse_signed_event(body, headers, self._secret)

    def read_event(self, payload: dict) -> ProviderEvent:
        """An event stored as received (its signature was checked then)."""
        return event_from_payload(payload)

    # -- payouts ---------------------------------------------------------------------------------

    def create_recipient(
        self, *, kind: RecipientKind, name: str, account_number: str, bank_code: str, currency: str = "GHS"
    ) -> dict:
        """Create a transfer recipient (POST /transferrecipient); the returned `data` carries `recipient_code`."""
        if kind not in ("ghipss", "mobile_money"):
            raise ValueError(f"unknown recipient kind {kind!r}")
        body = {"type": kind, "name": name, "account_number": account_number, "bank_code": bank_code}
        data = self._request("POST", "/transferrecipient", body={**body, "currency": currency})
        if not data.get("recipient_code"):
            raise self._fail("POST", "/transferrecipient", "response carries no recipient_code")
        return data

    def transfer(
        self, *, amount_minor: int, recipient_code: str, reference: str, reason: str, currency: str = "GHS"
    ) -> dict:
        """Send money from the Paystack balance (POST /transfer). `data.status` may be pending, otp, success…"""
        body = {
            "source": "balance",
            "amount": amount_minor,
            "recipient": recipient_code,
            "reference": reference,
            "reason": reason,
            "currency": currency,
        }
        return self._request("POST", "/transfer", body=body)

    def verify_transfer(self, reference: str) -> dict:
        """Current state of a transfer (GET /transfer/verify/{reference}); returns Paystack's `data`."""
        return self._request("GET", f"/transfer/verify/{quote(reference, safe='')}")

    def list_banks(self, kind: RecipientKind) -> list[dict]:
        """GHS banks (`ghipss`) or mobile-money networks (`mobile_money`) as `[{name, code, type, slug}]`."""
        params: dict[str, Any] = {"currency": "GHS", "type": kind, "perPage": 100, "use_cursor": "true"}
        banks: list[dict] = []
        seen: set[str] = set()
        for _ in range(_MAX_BANK_PAGES):
            body = self._request("GET", "/bank", params=params, envelope=True)
            banks.extend(
                {"name": b.get("name"), "code": b.get("code"), "type": b.get("type") or kind, "slug": b.get("slug")}
                for b in body.get("data") or []
                if isinstance(b, dict)
            )
            cursor = (body.get("meta") or {}).get("next")
            if not cursor or cursor in seen:
                break
            seen.add(cursor)
            params = {**params, "next": cursor}
        return banks

    def resolve_account(self, *, account_number: str, bank_code: str) -> ResolvedAccount:
        """Name enquiry (GET /bank/resolve): who holds this account. Mobile money uses the network's code."""
        params = {"account_number": account_number, "bank_code": bank_code}
        try:
            data = self._request("GET", "/bank/resolve", params=params)
        except ProviderError as error:
            if error.status_code in _UNRESOLVED_STATUSES:
                raise AccountNotResolved(str(error), status_code=error.status_code) from error
            raise
        name = str(data.get("account_name") or "").strip()
        if not name:
            raise self._fail("GET", "/bank/resolve", "response carries no account_name")
        return ResolvedAccount(account_number=str(data.get("account_number") or account_number), account_name=name)

    # -- plumbing --------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the underlying HTTP client."""
        self._client.close()

    def _request(
        self, method: str, path: str, *, body: dict | None = None, params: dict | None = None, envelope: bool = False
    ) -> Any:
        """One call; returns `data` (or the whole body with `envelope`) or raises `ProviderError`."""
        try:
            response = self._client.request(method, path, json=body, params=params)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._fail(method, path, f"{type(exc).__name__}: could not reach Paystack") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        message = answer.get("message") if isinstance(answer, dict) else None
        if not response.is_success:
            raise self._fail(method, path, message or f"HTTP {response.status_code}", response.status_code)
        if not isinstance(answer, dict):
            raise self._fail(method, path, "response is not a JSON object", response.status_code)
        if answer.get("status") is not True:
            raise self._fail(method, path, message or "request refused", response.status_code)
        if envelope:
            return answer
        return answer.get("data") if isinstance(answer.get("data"), dict) else {}

    @staticmethod
    def _fail(method: str, path: str, message: str, status_code: int | None = None) -> ProviderError:
        logger.warning("paystack %s %s failed (status=%s): %s", method, path, status_code, message)
        return ProviderError(message, status_code=status_code)


def sign(body: bytes, secret: str) -> str:
    """The hex HMAC-SHA512 of `body` keyed with `secret`, as Paystack signs its webhooks."""
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def charge_result(data: dict, *, reference: str = "") -> ChargeResult:
    """Paystack's transaction object (verify's `data`, a `charge.*` webhook's `data`) as a ChargeResult.

    Raises ValueError when the amount is not a whole number of pesewas.
    """
    raw_status = str(data.get("status") or "").lower()
    status = _CHARGE_STATUS.get(raw_status)
    if status is None:
        logger.warning("paystack charge %s: unknown status %r treated as pending", reference, raw_status)
        status = "pending"
    try:
        amount_minor = int(data.get("amount") or 0)
    except (TypeError, ValueError):
        raise ValueError(f"bad amount {data.get('amount')!r}") from None
    return ChargeResult(
        reference=data.get("reference") or reference,
        status=status,
        amount_minor=amount_minor,
        currency=data.get("currency") or "",
        channel=data.get("channel"),
        paid_at=data.get("paid_at") or data.get("paidAt"),
        card=_card(data),
        gateway_response=data.get("gateway_response"),
        raw=data,
    )


def _card(data: dict) -> dict | None:
    """`{brand, last4, exp_month, exp_year}` of a card payment, else None."""
    authorization = data.get("authorization") or {}
    if data.get("channel") != "card" or not authorization.get("last4"):
        return None
    return {
        "brand": (authorization.get("brand") or authorization.get("card_type") or "").strip() or None,
        "last4": authorization.get("last4"),
        "exp_month": authorization.get("exp_month"),
        "exp_year": authorization.get("exp_year"),
    }


def event_from_payload(payload: dict) -> ProviderEvent:
    """A Paystack event body (`{"event": ..., "data": {...}}`) as a ProviderEvent; InvalidSignature if it is not one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
        raise InvalidSignature("body is not a Paystack event")
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    event = payload["event"]
    charge = None
    if event.startswith("charge."):
        try:
            charge = charge_result(data)
        except ValueError as error:
            raise InvalidSignature(f"charge event with a {error}") from None
    return ProviderEvent(event=event, data=data, dedup_key=webhook_dedup_key(event, data), raw=payload, charge=charge)


def parse_signed_event(body: bytes, headers: Mapping[str, str], secret: str) -> ProviderEvent:
    """A webhook event whose signature matches `secret` (constant-time compare), else InvalidSignature."""
    received = _header(headers, SIGNATURE_HEADER)
    if not received:
        raise InvalidSignature("missing signature")
    raw = body.encode() if isinstance(body, str) else bytes(body)
    if not hmac.compare_digest(sign(raw, secret).encode(), received.strip().encode("utf-8", "replace")):
        raise InvalidSignature("signature mismatch")
    try:
        payload = json.loads(raw)
    except ValueError:
        raise InvalidSignature("body is not JSON") from None
    return event_from_payload(payload)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup for Django `HttpHeaders`, `request.META`, httpx headers or a plain dict."""
    value = headers.get(name)
    if value:
        return value
    wanted = {name.lower(), "http_" + name.lower().replace("-", "_")}
    return next((v for k, v in headers.items() if isinstance(k, str) and k.lower() in wanted), None)
