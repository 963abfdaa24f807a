"""C3 check-in at the door (CONTRACT.md §8.3): policies, refusals in order, and the scan log."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from analytics.throttling import CheckInThrottle
from events.models import CheckInPolicy
from tickets.models import CheckIn, Ticket
from tickets.qr import build_qr_payload

pytestmark = pytest.mark.django_db


def checkin_url(event):
    return f"/api/v1/events/{event.slug}/checkin/"


@pytest.fixture
def scan(organizer_client):
    def run(event, value, client=organizer_client):
        return client.post(checkin_url(event), {"ticket_id": value}, format="json")

    return run


@pytest.fixture
def make_ticket(make_event, sell):
    """An issued ticket of a fresh upcoming event (sold before its start), optionally with a policy."""

    def make(policy=CheckInPolicy.SINGLE_ENTRY, **event_fields):
        upcoming = make_event(days=3, check_in_policy=policy, **event_fields)
        return sell(upcoming.ticket_types.get()).tickets.get()

    return make


def assert_refused(response, status, error):
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is False
    assert body["error"] == error
    assert body["message"]
    return body


def test_a_bare_ticket_id_is_admitted_once_and_becomes_used(scan, make_ticket, organizer):
    ticket = make_ticket()

    response = scan(ticket.event, f"  {ticket.ticket_id.lower()}  ")

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["message"] == "Check-in successful"
    assert body["ticket"]["ticket_id"] == ticket.ticket_id
    assert body["ticket"]["is_checked_in"] is True
    assert body["ticket"]["check_in_count"] == 1
    assert body["ticket"]["ticket_type"] == {"id": ticket.ticket_type_id, "name": "Regular 1", "price": 50.0}
    assert body["ticket"]["checked_in_by"] == {
        "id": organizer.pk,
        "username": organizer.username,
        "full_name": "Ama Mensah",
    }
    assert body["ticket"]["checked_in_at"].endswith("Z")
    assert body["event_stats"] == {"total_checked_in": 1, "total_attendees": 1, "check_in_percentage": 100.0}
    ticket.refresh_from_db()
    assert ticket.status == "used" and ticket.checked_in_by == organizer and ticket.checked_in_at is not None
    assert list(CheckIn.objects.values_list("outcome", "reason")) == [("admitted", "")]


def test_the_signed_qr_text_is_accepted(scan, make_ticket):
    ticket = make_ticket()
    assert ticket.qr_payload.startswith("{")

    response = scan(ticket.event, ticket.qr_payload)

    assert response.status_code == 200
    assert response.json()["ticket"]["ticket_id"] == ticket.ticket_id


def test_a_forged_qr_signature_is_refused_and_logged(scan, make_ticket, make_event):
    ticket = make_ticket()
    other_key_event = make_event()  # same organizer, different key: signs a payload claiming `ticket.event`
    forged = build_qr_payload(ticket.ticket_id, ticket.event_id, other_key_event.checkin_private_key)

    body = assert_refused(scan(ticket.event, forged), 400, "Invalid QR code")

    assert "ticket" not in body
    ticket.refresh_from_db()
    assert ticket.status == "active" and ticket.check_in_count == 0
    log = CheckIn.objects.get()
    assert (log.outcome, log.reason, log.scanned_value) == ("refused", "Invalid QR code", forged)


@pytest.mark.parametrize(
    "value", ['{"ticket_id": "TKT-1", "event_id"', '{"event_id": 1}', '{"ticket_id": "TKT-1", "event_id": 1, "v": 1}']
)
def test_malformed_qr_json_is_an_invalid_qr_code(scan, make_ticket, value):
    ticket = make_ticket()
    assert_refused(scan(ticket.event, value), 400, "Invalid QR code")


def test_a_tampered_payload_with_a_valid_signature_of_another_ticket_is_refused(scan, make_ticket, sell):
    ticket = make_ticket()
    payload = json.loads(ticket.qr_payload)
    other = sell(ticket.ticket_type).tickets.get()
    payload["ticket_id"] = other.ticket_id

    assert_refused(scan(ticket.event, json.dumps(payload)), 400, "Invalid QR code")


def test_a_blank_ticket_id_is_a_validation_error(scan, make_ticket):
    ticket = make_ticket()
    assert assert_refused(scan(ticket.event, "   "), 400, "Validation Error")["details"]["ticket_id"]


def test_a_missing_ticket_id_is_a_validation_error(organizer_client, make_ticket):
    ticket = make_ticket()
    response = organizer_client.post(checkin_url(ticket.event), {}, format="json")
    assert assert_refused(response, 400, "Validation Error")["details"]["ticket_id"]


def test_unknown_tickets_and_other_organizers_tickets_get_the_same_404(scan, make_ticket, make_organizer):
    ticket = make_ticket()
    stranger_ticket = make_ticket(organizer=make_organizer())

    unknown = assert_refused(scan(ticket.event, "TKT-" + "0" * 32), 404, "Ticket not found")
    foreign = assert_refused(scan(ticket.event, stranger_ticket.ticket_id), 404, "Ticket not found")
    foreign_qr = assert_refused(scan(ticket.event, stranger_ticket.qr_payload), 400, "Invalid QR code")

    assert unknown == foreign
    assert foreign_qr["error"] == "Invalid QR code"  # another organizer's key is never consulted
    stranger_ticket.refresh_from_db()
    assert stranger_ticket.status == "active"


def test_a_ticket_of_another_event_of_the_same_organizer_is_the_wrong_event(scan, make_ticket, make_event):
    ticket = make_ticket(title="Jazz at the Dome")
    door = make_event()

    by_id = assert_refused(scan(door, ticket.ticket_id), 400, "Wrong event")
    by_qr = assert_refused(scan(door, ticket.qr_payload), 400, "Wrong event")

    assert by_id["message"] == by_qr["message"] == 'This ticket belongs to "Jazz at the Dome".'
    assert CheckIn.objects.filter(event=door, ticket=ticket, reason="Wrong event").count() == 2


def test_unpaid_cancelled_and_refunded_tickets_are_refused(scan, make_event, reserve, sell, refund):
    event = make_event()
    ticket_type = event.ticket_types.get()
    reserved = reserve(ticket_type).tickets.get()
    lapsed = reserve(ticket_type).tickets.get()
    Ticket.objects.filter(pk=lapsed.pk).update(status="expired")
    cancelled = reserve(ticket_type).tickets.get()
    Ticket.objects.filter(pk=cancelled.pk).update(status="cancelled")
    refunded = refund(sell(ticket_type)).tickets.get()

    assert_refused(scan(event, reserved.ticket_id), 400, "Ticket not paid")
    assert_refused(scan(event, lapsed.ticket_id), 400, "Ticket not paid")
    assert_refused(scan(event, cancelled.ticket_id), 400, "Ticket cancelled")
    assert_refused(scan(event, refunded.ticket_id), 400, "Ticket refunded")

    assert sorted(CheckIn.objects.values_list("reason", flat=True)) == [
        "Ticket cancelled",
        "Ticket not paid",
        "Ticket not paid",
        "Ticket refunded",
    ]
    assert not Ticket.objects.filter(status="used").exists()


def test_a_past_event_refuses_check_in(scan, make_ticket):
    ticket = make_ticket()
    with time_machine.travel(ticket.event.ends_at + timedelta(minutes=1)):
        assert_refused(scan(ticket.event, ticket.ticket_id), 400, "Event has ended")
    ticket.refresh_from_db()
    assert ticket.status == "active"


def test_single_entry_admits_once_then_answers_already_checked_in(scan, make_ticket, make_user, client_for):
    ticket = make_ticket()
    scan(ticket.event, ticket.ticket_id)
    ticket.refresh_from_db()

    body = assert_refused(scan(ticket.event, ticket.ticket_id), 409, "Already checked in")

    assert body["ticket"]["checked_in_by"] == "Ama Mensah"  # a string, not an object
    assert body["ticket"]["ticket_id"] == ticket.ticket_id
    assert body["ticket"]["attendee_name"] == "Esi Owusu"
    assert body["ticket"]["ticket_type"]["id"] == ticket.ticket_type_id
    local = timezone.localtime(ticket.checked_in_at, timezone=ticket.event.starts_at.tzinfo)
    assert body["message"] == f"Checked in at {local:%H:%M} by Ama Mensah."
    ticket.refresh_from_db()
    assert ticket.check_in_count == 1
    assert list(CheckIn.objects.order_by("id").values_list("outcome", flat=True)) == ["admitted", "refused"]


def test_multiple_entry_admits_every_scan(scan, make_ticket, organizer_client):
    ticket = make_ticket(CheckInPolicy.MULTIPLE_ENTRY)

    counts = [scan(ticket.event, ticket.ticket_id).json()["ticket"]["check_in_count"] for _ in range(3)]

    assert counts == [1, 2, 3]
    ticket.refresh_from_db()
    assert ticket.status == "used" and ticket.check_in_count == 3
    history = organizer_client.get(f"/api/v1/events/{ticket.event.slug}/checkin-history/").json()
    assert [entry["ticket_id"] for entry in history] == [ticket.ticket_id] * 3


def test_daily_entry_admits_once_per_accra_day(scan, make_event, sell):
    event = make_event(days=1, end_date=timezone.localdate() + timedelta(days=4), check_in_policy="daily_entry")
    ticket = sell(event.ticket_types.get()).tickets.get()
    day_one = event.starts_at + timedelta(hours=1)  # 20:00 Accra

    with time_machine.travel(day_one, tick=False):
        assert scan(event, ticket.ticket_id).status_code == 200
    with time_machine.travel(day_one + timedelta(hours=3, minutes=59), tick=False):  # 23:59 the same day
        body = assert_refused(scan(event, ticket.ticket_id), 409, "Already checked in")
        assert body["message"] == "Checked in at 20:00 by Ama Mensah."
    with time_machine.travel(day_one + timedelta(hours=4), tick=False):  # 00:00 the next day
        assert scan(event, ticket.ticket_id).json()["ticket"]["check_in_count"] == 2

    ticket.refresh_from_db()
    assert ticket.check_in_count == 2 and ticket.checked_in_at == day_one  # first admission kept


def test_every_scan_is_logged_with_scanner_and_outcome(scan, make_ticket, organizer):
    ticket = make_ticket()
    scan(ticket.event, ticket.ticket_id)
    scan(ticket.event, ticket.ticket_id)
    scan(ticket.event, "TKT-unknown")

    rows = list(CheckIn.objects.order_by("id").values_list("outcome", "reason", "scanned_by", "ticket"))
    assert rows == [
        ("admitted", "", organizer.pk, ticket.pk),
        ("refused", "Already checked in", organizer.pk, ticket.pk),
        ("refused", "Ticket not found", organizer.pk, None),
    ]


def test_only_the_event_owner_can_check_in(make_ticket, make_organizer, client_for):
    ticket = make_ticket()
    stranger = client_for(make_organizer())

    response = stranger.post(checkin_url(ticket.event), {"ticket_id": ticket.ticket_id}, format="json")

    assert_refused(response, 404, "Event not found")
    assert not CheckIn.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == "active"


def test_check_in_accepts_the_event_id_in_the_path(organizer_client, make_ticket):
    ticket = make_ticket()
    response = organizer_client.post(
        f"/api/v1/events/{ticket.event_id}/checkin/", {"ticket_id": ticket.ticket_id}, format="json"
    )
    assert response.status_code == 200


def test_check_in_is_throttled_per_user(monkeypatch, scan, make_ticket):
    monkeypatch.setattr(CheckInThrottle, "THROTTLE_RATES", {"checkin": "2/min"})
    ticket = make_ticket(CheckInPolicy.MULTIPLE_ENTRY)
    assert [scan(ticket.event, ticket.ticket_id).status_code for _ in range(2)] == [200, 200]

    response = scan(ticket.event, ticket.ticket_id)

    assert response.status_code == 429
    assert response.json()["error"] == "Too Many Requests" and response.json()["success"] is False
    assert int(response["Retry-After"]) > 0
