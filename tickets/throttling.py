"""Throttles of the promo check and the waiting list (CONTRACT.md §1.10)."""

from cafa.api.throttling import UserScopedThrottle


class PromoValidateThrottle(UserScopedThrottle):
    """`promo_validate`, 10/min per user by default: codes cannot be guessed by trying many."""

    scope = "promo_validate"


class WaitlistThrottle(UserScopedThrottle):
    """`waitlist` (joining), 20/hour per user by default."""

    scope = "waitlist"
