"""Ticket routes (CONTRACT.md §7), mounted under /api/v1/.

`{ticket_id}` only matches `TKT-` + 32 hex digits (any case, surrounding spaces trimmed), so the
literal paths `tickets/purchase/`, `tickets/my-tickets/` and `tickets/attended-events/` never
reach the ticket views.
"""

from django.urls import path, register_converter

from tickets.qr import normalize_ticket_id
from tickets.views import promos, tickets, waitlist


class TicketIdConverter:
    regex = r"\s*[Tt][Kk][Tt]-[0-9A-Fa-f]{32}\s*"

    def to_python(self, value: str) -> str:
        return normalize_ticket_id(value)

    def to_url(self, value: str) -> str:
        return normalize_ticket_id(value)


register_converter(TicketIdConverter, "ticket_id")

urlpatterns = [
    path("tickets/", tickets.TicketCollectionView.as_view(), name="tickets"),
    path("tickets/my-tickets/", tickets.MyTicketListView.as_view(), name="my-tickets"),
    path("tickets/attended-events/", tickets.AttendedEventListView.as_view(), name="attended-events"),
    path("tickets/<ticket_id:ticket_id>/", tickets.TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<ticket_id:ticket_id>/download/", tickets.TicketDownloadView.as_view(), name="ticket-download"),
    # Promo codes (CONTRACT.md §16): the literal `validate/` is never a code id (ids are digits)
    path("events/<str:event>/promo-codes/", promos.PromoCodeListView.as_view(), name="promo-codes"),
    path(
        "events/<str:event>/promo-codes/validate/", promos.PromoCodeValidateView.as_view(), name="promo-code-validate"
    ),
    path("events/<str:event>/promo-codes/<int:promo_id>/", promos.PromoCodeDetailView.as_view(), name="promo-code"),
    # Waiting list (CONTRACT.md §17); leaving and accepting an offer are routed by payments
    path("events/<str:event>/waitlist/", waitlist.WaitlistJoinView.as_view(), name="waitlist-join"),
    path("events/<str:event>/waitlist/entries/", waitlist.EventWaitlistView.as_view(), name="event-waitlist"),
    path("waitlist/", waitlist.MyWaitlistView.as_view(), name="my-waitlist"),
]
