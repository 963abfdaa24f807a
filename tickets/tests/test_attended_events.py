"""T4 `tickets/attended-events/`: the caller's checked-in tickets, latest first check-in first (CONTRACT.md §7.4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets.models import Ticket, TicketStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/attended-events/"


def check_in(ticket, at):
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.USED, checked_in_at=at, check_in_count=1)


def test_attended_events_list_checked_in_tickets_newest_first(user, make_user, client_for, buy_tickets, make_event):
    now = timezone.now()
    first = buy_tickets(user, event=make_event(title="Afrochella")).tickets.get()
    second = buy_tickets(user, event=make_event(title="Taste of Ghana")).tickets.get()
    buy_tickets(user)  # not checked in
    someone_else = buy_tickets(make_user()).tickets.get()
    check_in(first, now - timedelta(days=2))
    check_in(second, now - timedelta(hours=1))
    check_in(someone_else, now)

    response = client_for(user).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["page_size"] == 10
    assert [item["ticket_id"] for item in body["results"]] == [second.ticket_id, first.ticket_id]
    item = body["results"][0]
    assert item == {
        "event": {
            "id": second.event_id,
            "title": "Taste of Ghana",
            "slug": second.event.slug,
            "featured_image": None,
            "category": "Music",
            "venue_name": second.event.venue_name,
            "venue_city": "Accra",
            "event_date": second.event.start_date.isoformat(),
        },
        "ticket_id": second.ticket_id,
        "ticket_type": second.ticket_type.name,
        "attended_date": item["attended_date"],
        "amount_paid": 50.0,
    }
    assert item["attended_date"].endswith("Z")


def test_attended_events_pages_and_errors(user, client_for, api_client):
    client = client_for(user)
    empty = client.get(URL).json()
    assert empty["count"] == 0 and empty["total_pages"] == 1 and empty["results"] == []
    beyond = client.get(URL, {"page": 2})
    assert beyond.status_code == 404 and beyond.json()["message"] == "Invalid page."
    assert api_client.get(URL).status_code == 401


def test_attended_events_cost_a_fixed_number_of_queries(
    user, client_for, buy_tickets, make_event, django_assert_max_num_queries
):
    for number in range(6):
        ticket = buy_tickets(user, event=make_event()).tickets.get()
        check_in(ticket, timezone.now() - timedelta(minutes=number))
    with django_assert_max_num_queries(4):
        response = client_for(user).get(URL)
    assert len(response.json()["results"]) == 6
