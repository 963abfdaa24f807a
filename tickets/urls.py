"""Ticket routes (CONTRACT.md §7), mounted under /api/v1/.

`{ticket_id}` only matches `TKT-` + 32 hex digits (any case, surrounding spaces trimmed), so the
literal paths `tickets/purchase/`, `tickets/my-tickets/` and `tickets/attended-events/` never
reach the ticket views.
"""

from django.urls import path, register_converter

from tickets.qr import normalize_ticket_id
from tickets.views import tickets


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
]
