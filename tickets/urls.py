"""Ticket routes (CONTRACT.md §7); filled by the tickets-delivery work."""

urlpatterns = []
