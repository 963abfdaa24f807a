"""Only the event's owner sees its dashboards (CONTRACT.md §8): others get the same 404 as for an
unknown event. Every dashboard answers in a fixed number of queries, whatever the ticket count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.services.checkin import check_in

pytestmark = pytest.mark.django_db

DASHBOARDS = ["analytics/", "attendees/", "attendees/export/", "checkin-history/"]
BUDGETS = {"analytics/": 6, "attendees/": 4, "attendees/export/": 2, "checkin-history/": 2}


@pytest.mark.parametrize("suffix", DASHBOARDS)
def test_another_organizer_gets_404(make_event, make_organizer, client_for, suffix):
    event = make_event()
    stranger = client_for(make_organizer())

    foreign = stranger.get(f"/api/v1/events/{event.slug}/{suffix}")
    unknown = stranger.get(f"/api/v1/events/no-such-event/{suffix}")

    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
    assert foreign.json()["error"] == "Event not found"


def test_the_web_analytics_alias_is_owner_only_too(make_event, make_organizer, client_for):
    event = make_event()
    assert client_for(make_organizer()).get(f"/api/v1/events/my-events/{event.pk}/analytics/").status_code == 404


@pytest.mark.parametrize("suffix", [*DASHBOARDS, "checkin/"])
def test_anonymous_callers_get_401(api_client, make_event, suffix):
    event = make_event()
    call = api_client.post if suffix == "checkin/" else api_client.get
    assert call(f"/api/v1/events/{event.slug}/{suffix}").status_code == 401


@pytest.fixture
def event_with_sales(make_event, sell, organizer):
    """`event_with_sales(n)`: an event with `n` issued tickets over two types, a third of them checked in."""

    def make(count):
        event = make_event(ticket_types=[{"name": "A", "price": 20}, {"name": "B", "price": 80}])
        types = list(event.ticket_types.all())
        tickets = []
        for number in range(count // 3):
            tickets += sell(types[number % 2], 3).tickets.all()
        for ticket in tickets[::3]:
            check_in(event=event, scanned_value=ticket.ticket_id, scanner=organizer)
        return event

    return make


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("suffix", DASHBOARDS)
def test_query_count_does_not_grow_with_tickets(organizer_client, event_with_sales, suffix):
    small, large = event_with_sales(3), event_with_sales(30)

    few = _queries(organizer_client, f"/api/v1/events/{small.slug}/{suffix}")
    many = _queries(organizer_client, f"/api/v1/events/{large.slug}/{suffix}")

    assert few == many <= BUDGETS[suffix]


def test_check_in_query_budget(organizer_client, event_with_sales, django_assert_max_num_queries):
    event = event_with_sales(30)
    ticket = event.tickets.filter(status="active").first()

    # event, ticket, lock, update, log, stats + the test transaction's SAVEPOINT/RELEASE pair
    with django_assert_max_num_queries(8):
        response = organizer_client.post(f"/api/v1/events/{event.slug}/checkin/", {"ticket_id": ticket.ticket_id})

    assert response.status_code == 200
