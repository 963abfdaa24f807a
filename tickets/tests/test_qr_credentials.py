"""Issued tickets carry a QR credential signed with their event's key, verifiable offline (CONTRACT.md §1.12)."""

import base64
import io
import json

import pytest
from PIL import Image

from tickets import qr
from tickets.models import Ticket
from tickets.services.credentials import attach_credentials
from tickets.services.reservations import refund_purchase

pytestmark = pytest.mark.django_db


def test_issued_tickets_carry_a_compact_signed_payload(user, buy_tickets):
    purchase = buy_tickets(user, quantity=2)
    for ticket in purchase.tickets.all():
        payload = json.loads(ticket.qr_payload)
        assert list(payload) == ["ticket_id", "event_id", "v", "sig"]
        assert payload["ticket_id"] == ticket.ticket_id and payload["event_id"] == ticket.event_id
        assert payload["v"] == 1
        assert ticket.qr_payload == json.dumps(payload, separators=(",", ":"))  # no spaces
        assert "=" not in payload["sig"] and "+" not in payload["sig"] and "/" not in payload["sig"]
        assert qr.verify_qr_payload(ticket.qr_payload, ticket.event.checkin_public_key) == ticket.ticket_id


def test_the_qr_code_is_an_inline_png(user, buy_tickets):
    ticket = buy_tickets(user).tickets.get()
    prefix = "data:image/png;base64,"
    assert ticket.qr_code.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(ticket.qr_code[len(prefix) :])))
    assert image.format == "PNG" and image.width >= 200
    # The stored PNG is exactly the QR of the stored payload (error correction M).
    assert image.convert("L").tobytes() == qr.qr_image(ticket.qr_payload).tobytes()


def test_a_tampered_payload_or_another_events_key_is_refused(user, buy_tickets, make_event):
    ticket = buy_tickets(user).tickets.get()
    public_key = ticket.event.checkin_public_key
    payload = json.loads(ticket.qr_payload)

    forged = dict(payload, ticket_id="TKT-" + "A" * 32)
    with pytest.raises(qr.InvalidQrPayload):
        qr.verify_qr_payload(json.dumps(forged), public_key)
    with pytest.raises(qr.InvalidQrPayload):
        qr.verify_qr_payload(json.dumps(dict(payload, event_id=payload["event_id"] + 1)), public_key)
    with pytest.raises(qr.InvalidQrPayload):
        qr.verify_qr_payload(ticket.qr_payload, make_event().checkin_public_key)
    for broken in ("", "not json", "[]", json.dumps(dict(payload, v=2)), json.dumps(dict(payload, sig="%%"))):
        with pytest.raises(qr.InvalidQrPayload):
            qr.verify_qr_payload(broken, public_key)
    # Key order and spacing do not matter: the signature covers "<ticket_id>.<event_id>".
    reordered = json.dumps({key: payload[key] for key in reversed(list(payload))}, indent=2)
    assert qr.verify_qr_payload(reordered, public_key) == ticket.ticket_id


def test_a_refunded_ticket_keeps_a_valid_signature(user, buy_tickets):
    purchase = buy_tickets(user)
    refund_purchase(purchase=purchase)
    ticket = purchase.tickets.get()
    assert ticket.status == "refunded"
    assert qr.verify_qr_payload(ticket.qr_payload, ticket.event.checkin_public_key) == ticket.ticket_id


def test_scanned_values_are_bare_ids_or_qr_json(user, buy_tickets):
    ticket = buy_tickets(user).tickets.get()
    assert qr.parse_scanned_value(f"  {ticket.ticket_id.lower()} ") == (ticket.ticket_id, None)
    ticket_id, payload = qr.parse_scanned_value(ticket.qr_payload)
    assert ticket_id == ticket.ticket_id and payload == json.loads(ticket.qr_payload)
    with pytest.raises(qr.InvalidQrPayload):
        qr.parse_scanned_value('{"event_id": 1}')
    with pytest.raises(qr.InvalidQrPayload):
        qr.parse_scanned_value("{broken")


def test_credentials_are_made_once_with_one_bulk_update(user, buy_tickets, reserve_only, django_assert_num_queries):
    purchase = buy_tickets(user, quantity=3)
    tickets = list(purchase.tickets.select_related("event"))
    before = {ticket.pk: (ticket.qr_payload, ticket.qr_code) for ticket in tickets}
    with django_assert_num_queries(0):
        attach_credentials(tickets)  # all set already: nothing is regenerated
    Ticket.objects.filter(purchase=purchase).update(qr_payload="", qr_code="")
    tickets = list(purchase.tickets.select_related("event"))
    with django_assert_num_queries(1):
        attach_credentials(tickets)
    after = {ticket.pk: ticket.qr_payload for ticket in purchase.tickets.all()}
    assert after == {pk: payload for pk, (payload, _) in before.items()}  # Ed25519 signatures are deterministic

    reserved = reserve_only(user).tickets.select_related("event").get()
    attach_credentials([reserved])
    reserved.refresh_from_db()
    assert reserved.qr_payload == "" and reserved.qr_code == ""
