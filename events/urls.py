"""Routes of CONTRACT.md §4-§5, mounted under /api/v1/. Literal segments come before `<event>`.

`catalogue` holds every route of at most two segments (the public catalogue's among them): it is mounted
before the other apps' routes, since each route tried before a match costs time on the hottest path, and
no route of another app has two segments under `events/`. `urlpatterns` holds the rest, mounted in turn.
"""

from django.urls import path

from events.views import organizer, public, ticket_types

catalogue = [
    path("event-categories/", public.CategoryListView.as_view(), name="event-categories"),
    path("events/", public.PublicEventListView.as_view(), name="events"),
    path("events/past/", public.PastEventListView.as_view(), name="events-past"),
    path("events/create/", organizer.EventCreateView.as_view(), name="event-create"),
    path("events/my-events/", organizer.MyEventListView.as_view(), name="my-events"),
    path("events/<str:event>/", public.PublicEventDetailView.as_view(), name="event-detail"),
]

urlpatterns = [
    path("events/my-events/<str:event>/", organizer.MyEventDetailView.as_view(), name="my-event-detail"),
    path("events/my-events/<str:event>/edit/", organizer.EventUpdateView.as_view(), name="my-event-edit"),
    path("events/<str:event>/update/", organizer.EventUpdateView.as_view(), name="event-update"),
    path("events/<str:event>/delete/", organizer.EventDeleteView.as_view(), name="event-delete"),
    path("events/<str:event>/tickets/", ticket_types.TicketTypeCreateView.as_view(), name="ticket-types"),
    path(
        "events/<str:event>/tickets/create/",
        ticket_types.TicketTypeCreateView.as_view(),
        name="ticket-type-create",
    ),
    path(
        "events/<str:event>/tickets/<int:ticket_type_id>/",
        ticket_types.TicketTypeView.as_view(),
        name="ticket-type",
    ),
    path(
        "events/<str:event>/tickets/<int:ticket_type_id>/edit/",
        ticket_types.TicketTypeUpdateView.as_view(),
        name="ticket-type-edit",
    ),
    path(
        "events/<str:event>/tickets/<int:ticket_type_id>/delete/",
        ticket_types.TicketTypeDeleteView.as_view(),
        name="ticket-type-delete",
    ),
]
