"""An event's own side of a cancellation (CONTRACT.md §5.3): its status. The refunds are payouts' work."""

from django.utils import timezone

from cafa.locking import lock_rows
from events import public_cache
from events.models import Event, TicketType
from events.signals import event_cancelled


def mark_cancelled(*, event_id: int, reason: str) -> bool:
    """Mark the event cancelled, once: it leaves the public lists and sells nothing more.

    Runs inside the caller's transaction. Every ticket type of the event is locked first, the lock a
    reservation and a late payment success take before they look at stock, so none of them can slip
    past the cancellation unseen: each either commits before it (and the refunds find it) or sees the
    event cancelled. Returns True when this call cancelled the event, False when it already was.
    """
    lock_rows(TicketType.objects.filter(event_id=event_id))
    now = timezone.now()
    newly = bool(
        Event.objects.filter(pk=event_id, cancelled_at__isnull=True).update(
            cancelled_at=now, cancellation_reason=reason[:300], updated_at=now
        )
    )
    if newly:
        public_cache.events_changed(event_id)  # off the lists, its page says `cancelled`, once committed
        event_cancelled.send(sender=Event, event_id=event_id)
    return newly
