"""The provider chosen from settings: Paystack with a secret key, the built-in sandbox when
PAYMENTS_SANDBOX chose it, else none (payments/checks.py then refuses to start the process).

A payment is settled, refunded and reconciled by the provider it was made with (`for_payment`), so
Stripe payments of the legacy endpoints live beside Paystack's.
"""

import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from payments.providers.base import ChargeResult, InvalidSignature, PaymentProvider, ProviderError, to_minor_units
from payments.providers.checkout_session import CheckoutSessionProvider, ProviderNotConfigured

logger = logging.getLogger(__name__)

__all__ = [
    "ChargeResult",
    "InvalidSignature",
    "PaymentProvider",
    "ProviderError",
    "ProviderNotConfigured",
    "checkout_sessions",
    "close_checkout",
    "for_payment",
    "get",
    "sandbox_enabled",
    "stripe_provider",
    "to_minor_units",
]

NO_PROVIDER = (
    "No payment provider is configured: set PAYSTACK_SECRET_KEY to take real payments, or "
    "PAYMENTS_SANDBOX=true for the keyless sandbox, in which no money moves and every ticket is free."
)


def sandbox_enabled() -> bool:
    """The sandbox runs only where it was chosen and no Paystack key is set (a key always wins)."""
    return settings.PAYMENTS_SANDBOX and not settings.PAYSTACK_SECRET_KEY


def get() -> PaymentProvider:
    """The configured provider (one Paystack client per key, reused across requests)."""
    if settings.PAYSTACK_SECRET_KEY:
        return _paystack(settings.PAYSTACK_SECRET_KEY, settings.PAYSTACK_BASE_URL)
    if settings.PAYMENTS_SANDBOX:
        from payments.providers.sandbox import SandboxProvider

        return SandboxProvider()
    raise ImproperlyConfigured(NO_PROVIDER)


@lru_cache(maxsize=2)
def _paystack(secret_key: str, base_url: str):
    from payments.providers.paystack import PaystackProvider

    return PaystackProvider(secret_key, base_url)


# --- Per payment: Paystack (/api/v1/) and Stripe (/api/payments/, CONTRACT.md §13) coexist ---------------


def for_payment(payment) -> PaymentProvider:
    """The provider a payment was made with (it records its name), whatever `get()` would choose today."""
    configured = get()
    if payment.provider == configured.name:
        return configured
    if payment.provider == "stripe":
        return stripe_provider()
    if payment.provider == "sandbox":
        from payments.providers.sandbox import SandboxProvider

        return SandboxProvider()
    return _paystack(settings.PAYSTACK_SECRET_KEY, settings.PAYSTACK_BASE_URL)


def stripe_provider():
    """The Stripe client for the configured keys (reused across requests)."""
    return _stripe(settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET)


@lru_cache(maxsize=2)
def _stripe(secret_key: str, webhook_secret: str):
    from payments.providers.stripe import StripeProvider

    return StripeProvider(secret_key, webhook_secret)


def stripe_sandbox_allowed() -> bool:
    """Without a Stripe key the legacy checkout may use the sandbox only where the sandbox is allowed at all.

    `PAYMENTS_SANDBOX` (on by default only with DEBUG) is the deployment's explicit switch for the sandbox.
    """
    return sandbox_enabled() and bool(getattr(settings, "PAYMENTS_SANDBOX", settings.DEBUG))


def checkout_sessions() -> CheckoutSessionProvider:
    """Who hosts the legacy checkout page: Stripe with a key, else the sandbox where it is allowed."""
    if settings.STRIPE_SECRET_KEY:
        return stripe_provider()
    if stripe_sandbox_allowed():
        from payments.providers.sandbox_sessions import SandboxCheckoutSessions

        return SandboxCheckoutSessions()
    raise ProviderNotConfigured("Card payments are not configured on this server.")


def close_checkout(payment) -> None:
    """Stop the provider's hosted checkout taking money for a payment we closed (Stripe: expire its session).

    Best effort: the session's own expiry is the backstop, and a payment that still lands is settled by
    the completion service as a late success.
    """
    if not payment.checkout_session_id:
        return
    provider = for_payment(payment)
    if not isinstance(provider, CheckoutSessionProvider):
        return
    try:
        provider.expire_checkout_session(payment.checkout_session_id)
    except ProviderError as error:
        logger.warning("could not expire the checkout session of %s: %s", payment.payment_id, error)
