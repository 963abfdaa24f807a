"""Stripe Checkout for the legacy endpoints (CONTRACT.md §13, DESIGN.md §4), on the official `stripe` SDK.

Amounts are minor units of the charged currency (cents: Stripe cannot charge GHS, so the caller
converts). Every failure talking to Stripe surfaces as `ProviderError` (`status_code` None when no
answer came, Stripe's own status otherwise), a webhook that is not Stripe's as `InvalidSignature`; no
stripe exception escapes.

Stripe knows a payment by its Checkout Session, we know it by our reference: the session carries the
reference in its metadata, and the payment row keeps the session's id, which `verify` and `refund`
read back (the interface hands providers our reference only).
"""

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

import httpx
import stripe

from payments.models import Payment
from payments.providers.base import ChargeResult, InvalidSignature, ProviderError, ProviderEvent
from payments.providers.checkout_session import CheckoutSession, LineItem

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Stripe-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# Card details live on the PaymentIntent's latest charge; one retrieve brings them along.
EXPAND_CHARGE = ["payment_intent.latest_charge"]
FAILED_INTENT_STATUSES = ("requires_payment_method", "canceled")


class StripeProvider:
    """The live Stripe client: one `StripeClient` (secret key, httpx with timeouts, network retries).

    Stripe only hosts the legacy checkout: it opens and expires sessions, verifies, refunds and reads
    webhooks; it starts no `initialize` charges, transfers or name enquiries (those stay Paystack's).
    """

    name = "stripe"

    def __init__(
        self,
        secret_key: str,
        webhook_secret: str,
        *,
        max_network_retries: int = 2,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        self._webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            secret_key,
            http_client=http_client or stripe.HTTPXClient(timeout=TIMEOUT, allow_sync_methods=True),
            max_network_retries=max_network_retries,
        )

    # -- checkout sessions -----------------------------------------------------------------------

    def create_checkout_session(
        self,
        *,
        reference: str,
        currency: str,
        line_items: list[LineItem],
        email: str,
        success_url: str,
        cancel_url: str,
        client_reference_id: str,
        metadata: dict,
        idempotency_key: str,
        expires_at: datetime,
    ) -> CheckoutSession:
        """Open a Checkout Session (POST /v1/checkout/sessions); a retry with the same key returns the same one."""
        tags = {"reference": reference, **metadata}
        params = {
            "mode": "payment",
            "line_items": [_line_item(item, currency) for item in line_items],
            "customer_email": email,
            "client_reference_id": client_reference_id,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": int(expires_at.timestamp()),
            "metadata": tags,
            "payment_intent_data": {"metadata": tags},  # so the payment in Stripe's dashboard names the order
        }
        session = self._call(
            "create checkout session",
            self._client.v1.checkout.sessions.create,
            params,
            options={"idempotency_key": idempotency_key},
        )
        if not session.get("id") or not session.get("url"):
            raise ProviderError("Stripe answered without a session id or URL", status_code=None)
        return CheckoutSession(session_id=session["id"], url=session["url"])

    def expire_checkout_session(self, session_id: str) -> None:
        """Stop the session taking money (POST …/expire). An already expired session is fine; a paid one refuses."""
        try:
            self._client.v1.checkout.sessions.expire(session_id)
            return
        except stripe.InvalidRequestError as error:
            refusal = error  # only an open session can be expired: find out which state it is in
        except stripe.StripeError as error:
            raise _failure("expire checkout session", error) from error
        if self._session(session_id).get("status") != "expired":
            raise ProviderError(f"The checkout session cannot be expired: {refusal.user_message}", status_code=400)

    # -- the PaymentProvider calls ---------------------------------------------------------------

    def verify(self, reference: str) -> ChargeResult:
        """Stripe's word on the payment: its Checkout Session, with the charge's card details."""
        return charge_from_session(self._session(_session_id(reference), expand=EXPAND_CHARGE))

    def refund(self, *, reference: str, amount_minor: int | None = None) -> dict:
        """Refund the session's payment in full, or `amount_minor` of it (POST /v1/refunds), once per amount."""
        intent = _id(self._session(_session_id(reference)).get("payment_intent"))
        if not intent:
            raise ProviderError("The checkout session has no payment to refund", status_code=400)
        params: dict = {"payment_intent": intent, "metadata": {"reference": reference}}
        if amount_minor is not None:
            params["amount"] = amount_minor
        key = f"refund-{reference}-{amount_minor if amount_minor is not None else 'full'}"
        return self._call("refund", self._client.v1.refunds.create, params, options={"idempotency_key": key})

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Check `Stripe-Signature` (HMAC-SHA256 of "t.body", 300 s tolerance) and read the event it carries.

        Without a webhook secret nothing is accepted: an empty key would let anyone sign an event.
        """
        if not self._webhook_secret:
            raise InvalidSignature("STRIPE_WEBHOOK_SECRET is not set")
        signature = next((value for key, value in headers.items() if key.lower() == SIGNATURE_HEADER.lower()), None)
        try:
            stripe.WebhookSignature.verify_header(body, signature, self._webhook_secret, SIGNATURE_TOLERANCE_SECONDS)
            payload = json.loads(body)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
            raise InvalidSignature(str(error)) from None
        return event_from_payload(payload)

    def read_event(self, payload: dict) -> ProviderEvent:
        """A Stripe event stored as received (its signature was checked then)."""
        return event_from_payload(payload)

    # -- plumbing --------------------------------------------------------------------------------

    def _session(self, session_id: str, expand: list[str] | None = None) -> dict:
        params = {"expand": expand} if expand else None
        return self._call("retrieve checkout session", self._client.v1.checkout.sessions.retrieve, session_id, params)

    @staticmethod
    def _call(what: str, method, *args, **kwargs) -> dict:
        """One SDK call as a plain dict, or ProviderError."""
        try:
            return method(*args, **kwargs).to_dict(for_json=True)
        except stripe.StripeError as error:
            raise _failure(what, error) from error


def _failure(what: str, error: stripe.StripeError) -> ProviderError:
    status = None if isinstance(error, stripe.APIConnectionError) else error.http_status
    message = error.user_message or type(error).__name__
    logger.warning("stripe %s failed (status=%s): %s", what, status, message)
    return ProviderError(message, status_code=status)


def _session_id(reference: str) -> str:
    session_id = Payment.objects.filter(reference=reference).values_list("checkout_session_id", flat=True).first()
    if not session_id:
        raise ProviderError("No Stripe Checkout Session is known for this reference", status_code=404)
    return session_id


def _line_item(item: LineItem, currency: str) -> dict:
    return {
        "quantity": item.quantity,
        "price_data": {
            "currency": currency.lower(),
            "unit_amount": item.unit_amount_minor,
            "product_data": {"name": item.name},
        },
    }


def _id(value) -> str | None:
    """An expandable field: the id string, or the expanded object's id."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


# -- translating Stripe's objects into the provider-neutral vocabulary ----------------------------


def charge_from_session(session: dict) -> ChargeResult:
    """A Checkout Session (expanded or not) as the provider's verdict on the charge."""
    intent = session.get("payment_intent") if isinstance(session.get("payment_intent"), dict) else {}
    charge = intent.get("latest_charge") if isinstance(intent.get("latest_charge"), dict) else {}
    details = charge.get("payment_method_details") or {}
    card = details.get("card") or {}
    status = _charge_status(session, intent, charge)
    return ChargeResult(
        reference=(session.get("metadata") or {}).get("reference") or "",
        status=status,
        amount_minor=int(session.get("amount_total") or 0),
        currency=str(session.get("currency") or "").upper(),
        channel=details.get("type"),
        paid_at=_timestamp(charge.get("created")) if status == "success" else None,
        card={key: card.get(key) for key in ("brand", "last4", "exp_month", "exp_year")} if card else None,
        gateway_response=(intent.get("last_payment_error") or {}).get("message"),
        raw=session,
        transaction_id=_id(session.get("payment_intent")),
    )


def _charge_status(session: dict, intent: dict, charge: dict) -> str:
    if charge.get("refunded"):
        return "reversed"
    if session.get("payment_status") == "paid":
        return "success"
    if session.get("status") == "expired":
        return "abandoned"
    if session.get("status") == "complete" and intent.get("status") in FAILED_INTENT_STATUSES:
        return "failed"  # a delayed payment method (bank debit) that did not go through
    return "pending"  # open, or complete with a delayed payment still on its way


def _timestamp(epoch) -> str | None:
    return datetime.fromtimestamp(int(epoch), tz=UTC).isoformat() if epoch else None


# Stripe's Checkout Session events -> the neutral charge events (`charge.success` only once it is paid).
SESSION_EVENTS = {
    "checkout.session.completed": "charge.pending",
    "checkout.session.async_payment_succeeded": "charge.pending",
    "checkout.session.async_payment_failed": "charge.failed",
    "checkout.session.expired": "charge.expired",
}


def event_from_payload(payload: dict) -> ProviderEvent:
    """A Stripe Event object as a ProviderEvent; InvalidSignature if it is not one.

    Checkout Session events carry the session as the charge: `checkout.session.completed` is a success
    only once `payment_status` is `paid` (a delayed payment method completes the session first and
    reports later through `async_payment_*`). `charge.refunded` carries the refunded charge. Other
    types are stored as `stripe.<type>` and not acted on.
    """
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("id"), str)
        or not isinstance(payload.get("type"), str)
    ):
        raise InvalidSignature("body is not a Stripe event")
    stripe_type = payload["type"]
    obj = (payload.get("data") or {}).get("object")
    obj = obj if isinstance(obj, dict) else {}
    charge, kind = None, f"stripe.{stripe_type}"
    try:
        if stripe_type in SESSION_EVENTS:
            charge = charge_from_session(obj)
            kind = "charge.success" if charge.succeeded else SESSION_EVENTS[stripe_type]
        elif stripe_type == "charge.refunded":
            charge, kind = refunded_charge(obj), "charge.refunded"
    except (TypeError, ValueError) as error:
        raise InvalidSignature(f"{stripe_type} event with a bad amount: {error}") from None
    return ProviderEvent(event=kind, data=obj, dedup_key=f"{stripe_type}:{payload['id']}", raw=payload, charge=charge)


def refunded_charge(charge: dict) -> ChargeResult:
    """A `charge.refunded` Charge: `reversed` once wholly refunded (a partial refund leaves it a success).

    The charge names our payment by its PaymentIntent (`transaction_id`), and by our reference when its
    metadata carries one.
    """
    return ChargeResult(
        reference=(charge.get("metadata") or {}).get("reference") or "",
        status="reversed" if charge.get("refunded") else "success",
        amount_minor=int(charge.get("amount") or 0),
        currency=str(charge.get("currency") or "").upper(),
        raw=charge,
        transaction_id=_id(charge.get("payment_intent")),
    )
