"""What the payments app tells the apps above it (payouts), so that payments never imports them.

All three are sent synchronously: a receiver runs inside the sender's transaction, so what it writes
commits or rolls back with the payment, and an exception it raises fails the sender (a webhook is
then recorded as failed and retried by reconciliation).

- `sale_completed(purchase)`: a paid purchase was issued (inside the completion transaction).
- `sale_refunded(purchase)`: a completed purchase was refunded (inside the refund transaction).
- `transfer_event_received(event, data)`: a verified `transfer.*` provider event, as the provider's
  `data` (transfers are started by payouts; payments only receives and stores the webhook).
"""

from django.dispatch import Signal

sale_completed = Signal()
sale_refunded = Signal()
transfer_event_received = Signal()
