"""Hosted checkout sessions (Stripe Checkout, CONTRACT.md §13): a payment page the provider holds for us.

A session provider also answers the `PaymentProvider` calls (verify, refund, webhooks) for the payments
it took; the session adds what a Stripe integrator expects: line items, success and cancel pages, a
provider-side expiry and an explicit expire.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from payments.providers.base import ProviderError

# Stripe replaces this in the success URL with the session's id (its documented template variable).
SESSION_ID_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"


class ProviderNotConfigured(ProviderError):
    """No provider may take this payment here: no key, and the sandbox is not allowed."""


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_amount_minor: int
    quantity: int = 1


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str


@runtime_checkable
class CheckoutSessionProvider(Protocol):
    name: str

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
    ) -> CheckoutSession: ...

    def expire_checkout_session(self, session_id: str) -> None: ...
