"""Throttle scopes of the money path (CONTRACT.md §1.10)."""

from cafa.api.throttling import IPThrottle, UserScopedThrottle


class PurchaseThrottle(UserScopedThrottle):
    scope = "purchase"


class PaymentPollThrottle(IPThrottle):
    scope = "payment_poll"
