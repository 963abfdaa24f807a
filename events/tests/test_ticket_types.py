"""O6-O8: ticket types on the web and mobile paths (CONTRACT.md §5.6)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from events.models import TicketType

pytestmark = pytest.mark.django_db

ACCRA = ZoneInfo("Africa/Accra")
NEW_TYPE = {"name": "VIP", "price": 0, "quantity": 50}


@pytest.fixture
def event(make_event):
    return make_event(max_attendees=200, ticket_types=[{"name": "Regular", "price": 0, "quantity": 100}])


@pytest.mark.parametrize("suffix", ["tickets/", "tickets/create/"])
def test_create_on_web_and_mobile_paths(organizer_client, event, suffix):
    response = organizer_client.post(f"/api/v1/events/{event.slug}/{suffix}", NEW_TYPE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["success"] is True and body["message"] == "Ticket type created successfully"
    ticket_type = body["ticket_type"]
    assert ticket_type["id"] == TicketType.objects.get(event=event, name="VIP").pk
    assert ticket_type["max_purchase"] == 10 and ticket_type["min_purchase"] == 1
    assert ticket_type["tickets_reserved"] == 0 and ticket_type["revenue"] == 0 and ticket_type["sales_percentage"] == 0
    assert ticket_type["available_until"] == event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_bare_dates_mean_start_and_end_of_the_accra_day(organizer_client, event):
    day = event.start_date - timedelta(days=2)
    payload = {**NEW_TYPE, "available_from": day.isoformat(), "available_until": day.isoformat()}
    response = organizer_client.post(f"/api/v1/events/{event.pk}/tickets/", payload, format="json")
    assert response.status_code == 201, response.json()
    ticket_type = TicketType.objects.get(name="VIP")
    assert ticket_type.available_from == datetime.combine(day, time.min, tzinfo=ACCRA)
    assert ticket_type.available_until == datetime.combine(day, time(23, 59, 59), tzinfo=ACCRA)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**NEW_TYPE, "name": "regular"}, "name"),
        ({**NEW_TYPE, "price": "12.345"}, "price"),
        ({**NEW_TYPE, "quantity": 0}, "quantity"),
        ({**NEW_TYPE, "min_purchase": 5, "max_purchase": 2}, "max_purchase"),
        ({**NEW_TYPE, "max_purchase": 101}, "max_purchase"),
        ({**NEW_TYPE, "available_until": "2099-01-01"}, "available_until"),
        ({**NEW_TYPE, "available_from": "soon"}, "available_from"),
    ],
)
def test_create_validation(organizer_client, event, payload, field):
    response = organizer_client.post(f"/api/v1/events/{event.slug}/tickets/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["details"]
    assert TicketType.objects.filter(event=event).count() == 1


def test_capacity_exceeded(organizer_client, event):
    response = organizer_client.post(
        f"/api/v1/events/{event.slug}/tickets/", {**NEW_TYPE, "quantity": 101}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Capacity exceeded" and "201" in body["message"]


def test_too_many_ticket_types(organizer_client, make_event):
    event = make_event(max_attendees=1000, ticket_types=[{"name": f"T{n}", "quantity": 1} for n in range(10)])
    response = organizer_client.post(f"/api/v1/events/{event.slug}/tickets/", NEW_TYPE, format="json")
    assert response.status_code == 400 and response.json()["error"] == "Too many ticket types"


def test_paid_type_needs_a_verified_payment_profile(organizer_client, event, make_profile, organizer):
    url = f"/api/v1/events/{event.slug}/tickets/"
    response = organizer_client.post(url, {**NEW_TYPE, "price": 25}, format="json")
    assert response.status_code == 400 and response.json()["error"] == "Payment profile required"
    event.payment_profile = make_profile(organizer)
    event.save()
    assert organizer_client.post(url, {**NEW_TYPE, "price": 25}, format="json").status_code == 201


def test_ticket_types_are_locked_once_the_event_started(organizer_client, make_event):
    event = make_event(days=-1)
    ticket_type = event.ticket_types.get()
    for method, url in [
        ("post", f"/api/v1/events/{event.slug}/tickets/"),
        ("patch", f"/api/v1/events/{event.slug}/tickets/{ticket_type.pk}/"),
    ]:
        response = getattr(organizer_client, method)(url, NEW_TYPE, format="json")
        assert response.status_code == 400 and response.json()["error"] == "Cannot modify ticket types"


@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_update_is_partial_and_accepts_the_timestamp_it_returned(organizer_client, event, suffix):
    ticket_type = event.ticket_types.get()
    url = f"/api/v1/events/{event.slug}/tickets/{ticket_type.pk}/{suffix}"
    stamp = (event.starts_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = organizer_client.patch(url, {"description": "Standing", "available_until": stamp}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["message"] == "Ticket type updated successfully"
    assert body["ticket_type"]["available_until"] == stamp and body["ticket_type"]["description"] == "Standing"
    assert body["ticket_type"]["name"] == "Regular"
    response = organizer_client.put(url, {"available_until": body["ticket_type"]["available_until"]}, format="json")
    assert response.status_code == 200


def test_update_quantity_and_name_rules(organizer_client, event):
    url = f"/api/v1/events/{event.slug}/tickets/{event.ticket_types.get().pk}/"
    organizer_client.post(f"/api/v1/events/{event.slug}/tickets/", NEW_TYPE, format="json")
    response = organizer_client.patch(url, {"quantity": 151}, format="json")
    assert response.status_code == 400 and response.json()["error"] == "Capacity exceeded"
    assert organizer_client.patch(url, {"quantity": 150}, format="json").status_code == 200
    assert "name" in organizer_client.patch(url, {"name": "vip"}, format="json").json()["details"]
    assert organizer_client.patch(url, {"name": "REGULAR"}, format="json").status_code == 200


def test_quantity_cannot_drop_below_tickets_sold(organizer_client, event, monkeypatch):
    from events import selectors

    original = selectors.event_ticket_type

    def with_sales(event, ticket_type_id):
        ticket_type = original(event, ticket_type_id)
        ticket_type.tickets_sold = 40
        return ticket_type

    monkeypatch.setattr(selectors, "event_ticket_type", with_sales)
    url = f"/api/v1/events/{event.slug}/tickets/{event.ticket_types.get().pk}/"
    response = organizer_client.patch(url, {"quantity": 39}, format="json")
    assert response.status_code == 400 and response.json()["error"] == "Invalid quantity"


@pytest.mark.parametrize("suffix", ["", "delete/"])
def test_delete(organizer_client, event, suffix):
    created = organizer_client.post(f"/api/v1/events/{event.slug}/tickets/", NEW_TYPE, format="json").json()
    url = f"/api/v1/events/{event.slug}/tickets/{created['ticket_type']['id']}/{suffix}"
    response = organizer_client.delete(url)
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Ticket type deleted successfully"}
    last = event.ticket_types.get()
    response = organizer_client.delete(f"/api/v1/events/{event.slug}/tickets/{last.pk}/delete/")
    assert response.status_code == 400 and response.json()["error"] == "Cannot delete ticket type"
    assert TicketType.objects.filter(pk=last.pk).exists()


def test_type_of_another_event_is_404(organizer_client, event, make_event):
    foreign = make_event().ticket_types.get()
    for url in (
        f"/api/v1/events/{event.slug}/tickets/{foreign.pk}/",
        f"/api/v1/events/{event.slug}/tickets/999999/edit/",
    ):
        response = organizer_client.patch(url, {"name": "Hijack"}, format="json")
        assert response.status_code == 404 and response.json()["error"] == "Ticket type not found"


def test_calls_without_a_token_are_401(event):
    response = APIClient().post(f"/api/v1/events/{event.slug}/tickets/create/", NEW_TYPE, format="json")
    assert response.status_code == 401
