"""Signals the events app sends; apps above it connect receivers (events never imports them).

- `ticket_type_stock_added(ticket_type_id)`: an organizer raised a ticket type's quantity; sent inside
  the updating transaction, after the save (the tickets app offers the new seats to its waiting list).
- `event_cancelled(event_id)`: sent once, inside the transaction that cancels an event; the waiting
  list (CONTRACT.md §17) turns every entry of the event into `cancelled` and releases the seats its
  offers hold, in the same transaction.
"""

from django.dispatch import Signal

ticket_type_stock_added = Signal()
event_cancelled = Signal()
