"""What the stock code tells the waiting list, so that reservations never import it (the waiting list
builds its offers with reservations). Sent synchronously inside the sender's transaction: what a
receiver writes commits or rolls back with the change that caused it.

- `seats_freed(purchase)`: a purchase stopped holding its seats (released unpaid, or refunded).
- `tickets_issued(purchase)`: a purchase's tickets were issued (it was paid, or free).
"""

from django.dispatch import Signal

seats_freed = Signal()
tickets_issued = Signal()
