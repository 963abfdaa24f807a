"""What the events app tells the apps above it, so that events never imports them.

- `ticket_type_stock_added(ticket_type_id)`: an organizer raised a ticket type's quantity; sent inside
  the updating transaction, after the save (the tickets app offers the new seats to its waiting list).
"""

from django.dispatch import Signal

ticket_type_stock_added = Signal()
