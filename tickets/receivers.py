"""The tickets app's answers to signals: its own stock changes (tickets.signals) and the events app's.

Connected in TicketsConfig.ready. Each runs inside the sender's transaction.
"""

from django.dispatch import receiver

from events.signals import event_cancelled, ticket_type_stock_added
from tickets.services import waitlist
from tickets.signals import seats_freed, tickets_issued


@receiver(seats_freed, dispatch_uid="tickets.waitlist_after_seats_freed")
def serve_waiting_list(sender, purchase, **kwargs):
    """Seats came back (cancel, failure, lapse, refund): settle the offer they held, offer them to the queue."""
    waitlist.after_seats_freed(purchase=purchase)


@receiver(tickets_issued, dispatch_uid="tickets.waitlist_after_tickets_issued")
def accept_paid_offer(sender, purchase, **kwargs):
    """An offer's purchase was paid: its entry is accepted."""
    waitlist.after_tickets_issued(purchase=purchase)


@receiver(event_cancelled, dispatch_uid="tickets.waitlist_after_event_cancelled")
def cancel_waiting_list(sender, event_id, **kwargs):
    """An event was cancelled: every waiting-list entry of it is cancelled, in the same transaction."""
    waitlist.cancel_waitlist_for_event(event=event_id)


@receiver(ticket_type_stock_added, dispatch_uid="tickets.waitlist_after_stock_added")
def offer_added_stock(sender, ticket_type_id, **kwargs):
    """The organizer raised a type's quantity: the queue gets the new seats first."""
    waitlist.after_stock_added(ticket_type_id=ticket_type_id)
