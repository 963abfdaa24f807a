"""The provider chosen from settings: Paystack with a secret key, the built-in sandbox when
PAYMENTS_SANDBOX chose it, else none (payments/checks.py then refuses to start the process)."""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from payments.providers.base import ChargeResult, InvalidSignature, PaymentProvider, ProviderError, to_minor_units

__all__ = [
    "ChargeResult",
    "InvalidSignature",
    "PaymentProvider",
    "ProviderError",
    "get",
    "sandbox_enabled",
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
