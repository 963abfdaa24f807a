"""The provider chosen from settings: Paystack with a secret key, else the built-in sandbox."""

from functools import lru_cache

from django.conf import settings

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


def sandbox_enabled() -> bool:
    return not settings.PAYSTACK_SECRET_KEY


def get() -> PaymentProvider:
    """The configured provider (one Paystack client per key, reused across requests)."""
    if sandbox_enabled():
        from payments.providers.sandbox import SandboxProvider

        return SandboxProvider()
    return _paystack(settings.PAYSTACK_SECRET_KEY, settings.PAYSTACK_BASE_URL)


@lru_cache(maxsize=2)
def _paystack(secret_key: str, base_url: str):
    from payments.providers.paystack import PaystackProvider

    return PaystackProvider(secret_key, base_url)
