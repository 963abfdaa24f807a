"""The sandbox provider: the whole purchase flow with no keys and no money.

Its checkout page (`payments/sandbox/<reference>/`) records the buyer's choice; a successful
payment is announced by a `charge.success` webhook signed exactly like Paystack's and handled by
the same webhook code, so everything after the checkout page is the production path.
"""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from payments.models import SandboxCharge
from payments.providers.base import ChargeResult, Initialization, ProviderError, ProviderEvent
from payments.providers.paystack import SIGNATURE_HEADER, event_from_payload, parse_signed_event, sign
from payments.providers.sandbox_signing import sandbox_secret
from payments.providers.sandbox_transfers import SandboxTransfers

SANDBOX_CARD = {"brand": "visa", "last4": "4081", "exp_month": "12", "exp_year": "2030"}
OUTCOMES = ("success", "failed", "abandoned")
# The page's Cancel button (`abandoned`) is the buyer's final word. It is stored as `cancelled`
# because a charge nobody has acted on reads `abandoned`, as an unpaid Paystack transaction does.
STORED_OUTCOMES = {"success": "success", "failed": "failed", "abandoned": "cancelled"}
GATEWAY_RESPONSES = {
    "success": "Approved",
    "failed": "Declined",
    "cancelled": "The buyer cancelled the payment",
    "abandoned": "The transaction was not completed",
}
SETTLED_OUTCOMES = ("success", "reversed")


def _record_charge(*, reference: str, **fields) -> None:
    """What the sandbox knows of a charge, as update_or_create would write it but in one statement (an
    upsert) inside the caller's transaction: a checkout pays for every round trip. A reference seen before
    (a retried legacy session) has its details replaced and keeps its outcome."""
    SandboxCharge.objects.bulk_create(
        [SandboxCharge(reference=reference, **fields)],
        update_conflicts=True,
        unique_fields=["reference"],
        update_fields=[*fields, "updated_at"],
    )


class SandboxProvider(SandboxTransfers):
    name = "sandbox"

    def initialize(self, *, reference, amount_minor, currency, email, callback_url, metadata) -> Initialization:
        _record_charge(
            reference=reference, amount_minor=amount_minor, currency=currency, email=email, callback_url=callback_url
        )
        url = settings.PUBLIC_API_URL + reverse("sandbox-checkout", kwargs={"reference": reference})
        return Initialization(authorization_url=url, access_code=None, reference=reference)

    def verify(self, reference: str) -> ChargeResult:
        charge = SandboxCharge.objects.filter(reference=reference).first()
        if charge is None:
            raise ProviderError("Transaction reference not found", status_code=404)
        paid = charge.outcome == "success"
        return ChargeResult(
            reference=reference,
            status=charge.outcome,
            amount_minor=charge.amount_minor,
            currency=charge.currency,
            channel="card" if paid else None,
            paid_at=charge.updated_at.isoformat() if paid else None,
            card=SANDBOX_CARD if paid else None,
            gateway_response=GATEWAY_RESPONSES.get(charge.outcome),
            raw={"reference": reference, "status": charge.outcome},
        )

    def refund(self, *, reference: str, amount_minor: int | None = None) -> dict:
        SandboxCharge.objects.filter(reference=reference).update(outcome="reversed")
        return {"status": "processed", "transaction": {"reference": reference}}

    def parse_webhook(self, body: bytes, headers) -> ProviderEvent:
        return parse_signed_event(body, headers, sandbox_secret())

    def read_event(self, payload: dict) -> ProviderEvent:
        return event_from_payload(payload)  # the sandbox speaks Paystack's event format

    def record_outcome(self, reference: str, outcome: str) -> SandboxCharge:
        """The checkout page's buttons: remember what the buyer chose (a paid charge stays paid)."""
        charge = SandboxCharge.objects.get(reference=reference)
        if charge.outcome in SETTLED_OUTCOMES:
            return charge
        charge.outcome = STORED_OUTCOMES[outcome]
        charge.save(update_fields=["outcome", "updated_at"])
        return charge

    def signed_charge_success(self, charge: SandboxCharge) -> tuple[bytes, dict]:
        """A `charge.success` body and headers, exactly as Paystack would deliver them."""
        payload = {
            "event": "charge.success",
            "data": {
                "id": int(hashlib.sha256(charge.reference.encode()).hexdigest()[:12], 16),
                "reference": charge.reference,
                "status": "success",
                "amount": charge.amount_minor,
                "currency": charge.currency,
                "channel": "card",
                "paid_at": datetime.now(UTC).isoformat(),
                "gateway_response": "Approved",
                "customer": {"email": charge.email},
                "authorization": {**SANDBOX_CARD, "channel": "card", "card_type": "visa"},
            },
        }
        body = json.dumps(payload).encode()
        return body, {SIGNATURE_HEADER: sign(body, sandbox_secret())}
