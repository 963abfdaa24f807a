"""Throttle scopes of the money path (CONTRACT.md §1.10)."""

from cafa.api.throttling import IPThrottle, ScopedThrottle, UserScopedThrottle


class PurchaseThrottle(UserScopedThrottle):
    scope = "purchase"


class PaymentPollThrottle(IPThrottle):
    scope = "payment_poll"


class ResendTicketsThrottle(ScopedThrottle):
    """`resend_tickets`: per payment (keyed with the caller too, so strangers cannot use up an owner's quota)."""

    scope = "resend_tickets"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"{view.kwargs['payment_id']}:{request.user.pk}"}
