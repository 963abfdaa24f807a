"""Y7 `GET payments/` and Y8 `GET payments/{payment_id}/` (CONTRACT.md §6.10, §6.11)."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/payments/"


def detail_url(payment_id):
    return f"/api/v1/payments/{payment_id}/"


def on(day: int):
    return datetime(2026, 3, day, 12, 0, tzinfo=UTC)


def test_the_history_lists_the_callers_payments_newest_first_with_a_summary(
    make_payment, buyer, buyer_client, make_user
):
    older = make_payment(buyer, status="completed", quantity=2, created_at=on(1))
    newer = make_payment(buyer, status="pending", created_at=on(2))
    make_payment(buyer, status="failed", created_at=on(3))
    make_payment(make_user())  # someone else's

    response = buyer_client.get(LIST_URL, {"status": "completed"})

    body = response.json()
    assert response.status_code == 200
    assert {key: body[key] for key in ("count", "next", "previous", "current_page", "total_pages", "page_size")} == {
        "count": 1,
        "next": None,
        "previous": None,
        "current_page": 1,
        "total_pages": 1,
        "page_size": 10,
    }
    assert body["summary"] == {
        "total_spent": 105,
        "total_transactions": 3,
        "completed_transactions": 1,
        "pending_transactions": 1,
    }
    [item] = body["results"]
    assert item == {
        "payment_id": older.payment_id,
        "reference": older.reference,
        "purchase_id": older.purchase.purchase_id,
        "amount": 105,
        "discount": 0,
        "promo_code": None,
        "currency": "GHS",
        "payment_method": "card",
        "provider": "sandbox",
        "status": "completed",
        "created_at": "2026-03-01T12:00:00Z",
        "completed_at": item["completed_at"],
        "event": {
            "id": older.purchase.event.pk,
            "title": older.purchase.event.title,
            "slug": older.purchase.event.slug,
            "featured_image": None,
            "start_date": older.purchase.event.start_date.isoformat(),
        },
        "tickets": [
            {"ticket_id": ticket.ticket_id, "ticket_type": "Regular", "price": 50}
            for ticket in older.purchase.tickets.order_by("created_at", "id")
        ],
        "fees": {"subtotal": 100, "discount": 0, "service_fee": 5, "total_paid": 105},
    }
    everything = buyer_client.get(LIST_URL).json()
    assert [row["status"] for row in everything["results"]] == ["failed", "pending", "completed"]
    assert everything["results"][1]["payment_id"] == newer.payment_id


def test_filters_by_creation_date(make_payment, buyer, buyer_client):
    for day in (1, 2, 3, 4):
        make_payment(buyer, created_at=on(day))
    body = buyer_client.get(LIST_URL, {"date_from": "2026-03-02", "date_to": "2026-03-03"}).json()
    assert [row["created_at"][:10] for row in body["results"]] == ["2026-03-03", "2026-03-02"]
    assert body["summary"]["total_transactions"] == 4


@pytest.mark.parametrize(
    ("param", "value"), [("status", "paid"), ("date_from", "yesterday"), ("date_to", "2026-13-01")]
)
def test_a_malformed_filter_is_400_keyed_by_the_parameter(buyer_client, assert_error, param, value):
    body = assert_error(buyer_client.get(LIST_URL, {param: value}), 400, "Validation Error")
    assert list(body["details"]) == [param] and body[param]


def test_empty_filters_are_ignored(make_payment, buyer, buyer_client):
    make_payment(buyer)
    assert buyer_client.get(LIST_URL, {"status": "", "date_from": ""}).json()["count"] == 1


def test_pages_of_ten_by_default_and_at_most_a_hundred(make_payment, buyer, buyer_client, assert_error):
    for _ in range(12):
        make_payment(buyer)
    first = buyer_client.get(LIST_URL).json()
    assert (len(first["results"]), first["total_pages"]) == (10, 2)
    assert first["next"] == "http://testserver/api/v1/payments/?page=2"
    assert buyer_client.get(LIST_URL, {"page_size": 1000}).json()["page_size"] == 100
    assert_error(buyer_client.get(LIST_URL, {"page": 3}), 404, "Not Found")


def test_an_empty_history(buyer_client):
    body = buyer_client.get(LIST_URL).json()
    assert (body["count"], body["total_pages"], body["results"]) == (0, 1, [])
    assert body["summary"] == {
        "total_spent": 0,
        "total_transactions": 0,
        "completed_transactions": 0,
        "pending_transactions": 0,
    }


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_history_costs_a_fixed_number_of_queries(
    make_payment, make_event, buyer, buyer_client, django_assert_max_num_queries, page_size
):
    events = [make_event() for _ in range(3)]
    for number in range(page_size):
        ticket_type = events[number % 3].ticket_types.get(name="Regular")
        make_payment(buyer, quantity=1 + number % 3, ticket_type=ticket_type)

    with django_assert_max_num_queries(6):
        response = buyer_client.get(LIST_URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_anonymous_callers_are_401(assert_error):
    assert_error(APIClient().get(LIST_URL), 401, "Authentication Failed")


# --- Y8 -----------------------------------------------------------------------------------------


def test_the_detail_of_a_paid_payment(paid_purchase, buyer_client, organizer):
    payment_id = paid_purchase["payment"]["payment_id"]
    response = buyer_client.get(detail_url(payment_id))

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {
        "payment_id",
        "reference",
        "purchase_id",
        "amount",
        "discount",
        "promo_code",
        "currency",
        "payment_method",
        "provider",
        "status",
        "created_at",
        "completed_at",
        "event",
        "tickets",
        "breakdown",
        "billing_info",
        "card_details",
    }
    assert body["status"] == "completed" and body["payment_method"] == "card"
    assert body["event"]["organizer"] == {
        "id": organizer.pk,
        "username": organizer.username,
        "full_name": "Ama Mensah",
        "profile_image": None,
    }
    assert set(body["event"]) == {
        "id",
        "title",
        "slug",
        "featured_image",
        "organizer",
        "venue_name",
        "start_date",
        "start_time",
    }
    assert body["breakdown"] == {"subtotal": 100, "discount": 0, "service_fee": 5, "total": 105}
    assert body["billing_info"] == {"name": "Esi Owusu", "email": "esi@example.com", "phone": "+233201234567"}
    assert body["card_details"] == {"brand": "visa", "last4": "4081", "exp_month": "12", "exp_year": "2030"}
    assert len(body["tickets"]) == 2
    ticket = body["tickets"][0]
    assert set(ticket) == {"ticket_id", "qr_code", "ticket_type", "attendee_name", "status"}
    assert ticket["ticket_type"]["name"] == "Regular" and ticket["ticket_type"]["price"] == 50


def test_the_detail_lists_only_issued_tickets(make_payment, buyer, buyer_client):
    payment = make_payment(buyer, status="pending", quantity=2, payment_method="mobile_money")
    body = buyer_client.get(detail_url(payment.payment_id)).json()
    assert body["tickets"] == [] and body["card_details"] is None
    assert body["payment_method"] == "mobile_money" and body["billing_info"]["phone"] is None

    completed = make_payment(buyer, status="completed", quantity=2)
    completed.purchase.tickets.filter(pk=completed.purchase.tickets.first().pk).update(status="used")
    tickets = buyer_client.get(detail_url(completed.payment_id)).json()["tickets"]
    assert sorted(ticket["status"] for ticket in tickets) == ["active", "used"]
    assert all(ticket["qr_code"].startswith("data:image/png;base64,") for ticket in tickets)


def test_an_active_ticket_of_a_past_event_reads_expired(make_payment, make_event, buyer, buyer_client):
    past = make_event(days=-5)
    payment = make_payment(buyer, ticket_type=past.ticket_types.get(name="Regular"))
    [ticket] = buyer_client.get(detail_url(payment.payment_id)).json()["tickets"]
    assert ticket["status"] == "expired"


def test_someone_elses_payment_is_404(make_payment, make_user, buyer_client, assert_error):
    payment = make_payment(make_user())
    assert_error(buyer_client.get(detail_url(payment.payment_id)), 404, "Payment not found")


def test_literal_paths_are_never_payment_ids(buyer_client):
    assert buyer_client.get("/api/v1/payments/initiate/").status_code == 405
    assert buyer_client.get("/api/v1/payments/pay-0000000000/").status_code == 404
