"""Signals the events app sends; apps above it connect receivers (events never imports them)."""

from django.dispatch import Signal

# Sent once, inside the transaction that cancels an event, with `event_id`. CONTRACT.md §17: the waiting
# list (not built yet) connects here to turn every entry of the event into `cancelled` (and release any
# seats its offers hold), in the same transaction.
event_cancelled = Signal()
