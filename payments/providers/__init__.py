"""Which provider takes, settles and reads a payment.

`get()` is the provider of new `/api/v1/` checkouts: Paystack with a secret key, the built-in sandbox
when PAYMENTS_SANDBOX chose it, else none (payments/checks.py then refuses to start the process).
`checkout_sessions()` hosts the legacy Stripe checkout (CONTRACT.md §13): Stripe with its key, else the
sandbox where it runs. Afterwards a payment, and a stored webhook event, are always handled by the
provider that recorded its name (`named`), so Stripe and Paystack payments live side by side.
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
    "named",
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
        return _sandbox()
    raise ImproperlyConfigured(NO_PROVIDER)


def named(name: str) -> PaymentProvider:
    """The provider called `name` (a payment's or a stored event's `provider`), whatever `get()` chooses today.

    A provider whose keys are gone still reads its stored events; its calls then fail as ProviderError.
    """
    if name == "stripe":
        return stripe_provider()
    if name == "sandbox":
        return _sandbox()
    if name == "paystack":
        return get() if settings.PAYSTACK_SECRET_KEY else _paystack("", settings.PAYSTACK_BASE_URL)
    raise ProviderError(f"No payment provider is called {name!r}")


def for_payment(payment) -> PaymentProvider:
    """The provider a payment was made with."""
    return named(payment.provider)


def stripe_provider():
    """The Stripe client for the configured keys (reused across requests)."""
    return _stripe(settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET)


def checkout_sessions() -> CheckoutSessionProvider:
    """Who hosts the legacy checkout page: Stripe with a key, else the sandbox where it runs."""
    if settings.STRIPE_SECRET_KEY:
        return stripe_provider()
    if sandbox_enabled():
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


def _sandbox():
    from payments.providers.sandbox import SandboxProvider

    return SandboxProvider()


@lru_cache(maxsize=2)
def _paystack(secret_key: str, base_url: str):
    from payments.providers.paystack import PaystackProvider

    return PaystackProvider(secret_key, base_url)


@lru_cache(maxsize=2)
def _stripe(secret_key: str, webhook_secret: str):
    from payments.providers.stripe import StripeProvider

    return StripeProvider(secret_key, webhook_secret)
