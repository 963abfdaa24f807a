"""T1 `tickets/my-tickets/`: the caller's issued tickets, filtered, ordered and paginated (CONTRACT.md §7.1)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Category
from tickets.models import PurchaseStatus, Ticket, TicketStatus
from tickets.services.reservations import refund_purchase, release_reservation

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/my-tickets/"
ITEM_KEYS = {
    "ticket_id",
    "qr_code",
    "qr_payload",
    "event",
    "ticket_type",
    "attendee_info",
    "purchase_id",
    "purchase_date",
    "payment_reference",
    "amount_paid",
    "status",
    "is_checked_in",
    "checked_in_at",
    "check_in_count",
    "download_url",
}
EVENT_KEYS = {
    "id",
    "title",
    "slug",
    "featured_image",
    "category",
    "venue_name",
    "venue_city",
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "status",
}


def ids(response):
    return [item["ticket_id"] for item in response.json()["results"]]


def test_only_the_callers_issued_tickets_are_listed(user, make_user, client_for, buy_tickets, reserve_only):
    mine = buy_tickets(user, quantity=2, phone="+233241234567")
    reserve_only(user)  # a bare reservation
    lapsed = reserve_only(user)
    release_reservation(purchase=lapsed, status=PurchaseStatus.CANCELLED)  # cancelled before it was ever issued
    buy_tickets(make_user())  # someone else's

    response = client_for(user).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["page_size"] == 10 and body["total_pages"] == 1 and body["current_page"] == 1
    assert set(ids(response)) == set(mine.tickets.values_list("ticket_id", flat=True))
    item = body["results"][0]
    assert set(item) == ITEM_KEYS
    assert set(item["event"]) == EVENT_KEYS
    assert set(item["event"]["category"]) == {"id", "name", "slug"}
    assert item["event"]["status"] == "upcoming"
    assert item["ticket_type"] == {"id": mine.ticket_type_id, "name": mine.ticket_type.name, "price": 50.0}
    assert item["attendee_info"] == {"name": "Kofi Boateng", "email": user.email, "phone": "+233241234567"}
    assert item["purchase_id"] == mine.purchase_id
    assert item["purchase_date"].endswith("Z")
    assert item["amount_paid"] == 50.0
    assert item["status"] == "active"
    assert item["qr_code"].startswith("data:image/png;base64,") and item["qr_payload"].startswith("{")
    assert item["is_checked_in"] is False and item["checked_in_at"] is None and item["check_in_count"] == 0
    assert item["download_url"] == f"http://testserver/api/v1/tickets/{item['ticket_id']}/download/"


def test_tickets_report_used_expired_refunded_and_cancelled(user, client_for, buy_tickets, make_event, time_machine):
    soon = make_event(days=2)
    later = make_event(days=30)
    expiring = buy_tickets(user, event=soon).tickets.get()
    used = buy_tickets(user, event=later).tickets.get()
    refunded_purchase = buy_tickets(user, event=later)
    cancelled = buy_tickets(user, event=later).tickets.get()
    active = buy_tickets(user, event=later).tickets.get()
    Ticket.objects.filter(pk=used.pk).update(status=TicketStatus.USED, checked_in_at=timezone.now(), check_in_count=1)
    refund_purchase(purchase=refunded_purchase)
    Ticket.objects.filter(pk=cancelled.pk).update(status=TicketStatus.CANCELLED)  # the event was called off
    time_machine.move_to(timezone.now() + timedelta(days=5), tick=False)  # `soon` is over now
    client = client_for(user)

    reported = {item["ticket_id"]: item for item in client.get(URL).json()["results"]}
    assert reported[expiring.ticket_id]["status"] == "expired"
    assert reported[expiring.ticket_id]["event"]["status"] == "past"
    assert reported[expiring.ticket_id]["qr_code"] is not None
    assert reported[used.ticket_id]["is_checked_in"] is True and reported[used.ticket_id]["check_in_count"] == 1
    refunded = refunded_purchase.tickets.get().ticket_id
    assert reported[refunded]["status"] == "refunded" and reported[refunded]["qr_code"] is None
    assert (
        reported[cancelled.ticket_id]["status"] == "cancelled" and reported[cancelled.ticket_id]["qr_payload"] is None
    )

    expected = {
        "active": [active.ticket_id],
        "expired": [expiring.ticket_id],
        "used": [used.ticket_id],
        "refunded": [refunded],
        "cancelled": [cancelled.ticket_id],
    }
    for status, tickets in expected.items():
        assert ids(client.get(URL, {"status": status})) == tickets, status
    assert client.get(URL, {"status": "all"}).json()["count"] == 5


def test_search_category_and_event_filters(user, client_for, buy_tickets, make_event):
    sports = Category.objects.exclude(slug="music").first()
    jazz = buy_tickets(user, event=make_event(title="Accra Jazz Night", venue_city="Accra")).tickets.get()
    match = buy_tickets(
        user, event=make_event(title="Kotoko Derby", category=sports, venue_name="Baba Yara", venue_city="Kumasi")
    ).tickets.get()
    client = client_for(user)

    assert ids(client.get(URL, {"search": "jazz"})) == [jazz.ticket_id]
    assert ids(client.get(URL, {"search": "kumasi"})) == [match.ticket_id]
    assert ids(client.get(URL, {"search": "baba yara"})) == [match.ticket_id]
    assert ids(client.get(URL, {"search": jazz.ticket_id[-12:].lower()})) == [jazz.ticket_id]
    assert ids(client.get(URL, {"category": sports.slug})) == [match.ticket_id]
    assert ids(client.get(URL, {"category_id": sports.pk})) == [match.ticket_id]
    assert ids(client.get(URL, {"event": jazz.event.slug})) == [jazz.ticket_id]
    assert ids(client.get(URL, {"event": str(match.event_id)})) == [match.ticket_id]
    assert ids(client.get(URL, {"event": "no-such-event"})) == []


def test_ordering_by_purchase_and_event_date(user, client_for, buy_tickets, make_event, time_machine):
    far = buy_tickets(user, event=make_event(days=40)).tickets.get()
    time_machine.move_to(timezone.now() + timedelta(minutes=5), tick=False)
    near = buy_tickets(user, event=make_event(days=3)).tickets.get()
    client = client_for(user)

    assert ids(client.get(URL)) == [near.ticket_id, far.ticket_id]  # newest purchase first
    assert ids(client.get(URL, {"ordering": "purchase_date"})) == [far.ticket_id, near.ticket_id]
    assert ids(client.get(URL, {"ordering": "event_date"})) == [near.ticket_id, far.ticket_id]
    assert ids(client.get(URL, {"ordering": "-event_date"})) == [far.ticket_id, near.ticket_id]


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "lost"), ("ordering", "price"), ("category_id", "music")],
)
def test_bad_filter_values_are_400_keyed_by_parameter(user, client_for, param, value):
    response = client_for(user).get(URL, {param: value})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Validation Error" and body["status_code"] == 400
    assert param in body["details"] and body[param] == body["details"][param]
    assert body["message"].startswith(f"{param}: ")


def test_pages_default_to_10_and_clamp_at_100(user, client_for, buy_tickets, make_event):
    event = make_event()
    for _ in range(2):
        buy_tickets(user, event=event, quantity=6)
    client = client_for(user)

    first = client.get(URL).json()
    assert (first["count"], len(first["results"]), first["total_pages"]) == (12, 10, 2)
    assert first["next"] == "http://testserver/api/v1/tickets/my-tickets/?page=2"
    assert client.get(URL, {"page_size": 1000}).json()["page_size"] == 100
    beyond = client.get(URL, {"page": 3})
    assert beyond.status_code == 404
    assert beyond.json()["error"] == "Not Found" and beyond.json()["message"] == "Invalid page."


def test_anonymous_callers_get_the_401_envelope(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"] == "Authentication Failed"


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_list_costs_a_fixed_number_of_queries(
    user, client_for, buy_tickets, make_event, django_assert_max_num_queries, page_size
):
    for _ in range(5):
        buy_tickets(user, event=make_event(), quantity=10)
    client = client_for(user)
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"page_size": page_size, "status": "active", "ordering": "event_date"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
