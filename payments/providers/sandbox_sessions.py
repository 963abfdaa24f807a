"""The sandbox standing in for Stripe Checkout when no Stripe key is set (CONTRACT.md §13 intro).

The session's page is the sandbox checkout page of §6.14 and its id looks like Stripe's
(`cs_sandbox_<hex>`); Pay there completes the payment through the sandbox's signed webhook, so the
legacy flow runs end to end on `make run` and in tests with no keys and no money.
"""

import secrets

from payments.providers.checkout_session import SESSION_ID_PLACEHOLDER, CheckoutSession
from payments.providers.sandbox import SandboxProvider


class SandboxCheckoutSessions(SandboxProvider):
    def create_checkout_session(
        self,
        *,
        reference,
        currency,
        line_items,
        email,
        success_url,
        cancel_url,
        client_reference_id,
        metadata,
        idempotency_key,
        expires_at,
    ) -> CheckoutSession:
        """A sandbox charge for the line items' total; Pay on its page returns the buyer to `success_url`."""
        session_id = f"cs_sandbox_{secrets.token_hex(16)}"
        started = self.initialize(
            reference=reference,
            amount_minor=sum(item.unit_amount_minor * item.quantity for item in line_items),
            currency=currency,
            email=email,
            callback_url=success_url.replace(SESSION_ID_PLACEHOLDER, session_id),
            metadata=metadata,
        )
        return CheckoutSession(session_id=session_id, url=started.authorization_url)

    def expire_checkout_session(self, session_id: str) -> None:
        """Nothing to stop: a sandbox payment after the reservation ended is settled as a late success."""
