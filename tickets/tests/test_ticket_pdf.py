"""The ticket PDF (CONTRACT.md §7.3): one A4 page per ticket with the event, holder and a large scannable QR."""

import json

import pytest
import zxingcpp
from reportlab.lib.units import cm

from tickets import qr
from tickets.selectors import purchase_for_delivery
from tickets.services.documents import render_purchase_pdf, render_ticket_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(user, buy_tickets, make_event, organizer):
    event = make_event(title="Chale Wote Street Art", venue_name="James Town", venue_city="Accra")
    purchase = buy_tickets(user, event=event, name="Kwame Mensah", email="kwame@example.com")
    return purchase_for_delivery(purchase.pk).issued_tickets[0]


def test_a_ticket_pdf_is_one_a4_page_with_everything_the_door_needs(ticket, parse_pdf):
    pdf = parse_pdf(render_ticket_pdf(ticket))
    assert pdf.page_count == 1
    width, height = pdf.page_size_pt()
    assert (round(width), round(height)) == (595, 842)  # A4
    event = ticket.event
    for text in (
        event.title,
        "James Town, Accra",
        f"{event.start_date.day} {event.start_date:%B %Y}",
        "19:00",
        ticket.ticket_id,
        ticket.ticket_type.name,
        "GHS 50.00",
        "Kwame Mensah",
        "kwame@example.com",
        ticket.purchase.purchase_id,
        "Ama Mensah",  # the organizer
    ):
        assert text in pdf.text, text


def test_the_qr_is_drawn_large_enough_to_scan_from_a_phone(ticket, parse_pdf):
    [(width, height)] = parse_pdf(render_ticket_pdf(ticket)).image_boxes_pt()
    assert width >= 6 * cm and height >= 6 * cm


def test_the_qr_on_the_rendered_page_decodes_to_a_payload_that_verifies(ticket, parse_pdf):
    page = parse_pdf(render_ticket_pdf(ticket)).render()
    [result] = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)
    assert json.loads(result.text)["ticket_id"] == ticket.ticket_id
    assert result.text == ticket.qr_payload
    assert qr.verify_qr_payload(result.text, ticket.event.checkin_public_key) == ticket.ticket_id


def test_a_purchase_pdf_has_one_page_per_issued_ticket(user, buy_tickets, parse_pdf):
    purchase = buy_tickets(user, quantity=3)
    pdf = parse_pdf(render_purchase_pdf(purchase))
    assert pdf.page_count == 3
    qr_only = zxingcpp.BarcodeFormat.QRCode
    decoded = {zxingcpp.read_barcodes(pdf.render(index), formats=qr_only)[0].text for index in range(3)}
    for ticket in purchase.tickets.all():
        assert ticket.ticket_id in pdf.text
    assert decoded == {ticket.qr_payload for ticket in purchase.tickets.all()}


def test_names_outside_latin_1_do_not_break_the_pdf(user, buy_tickets, parse_pdf):
    purchase = buy_tickets(user, name="Ɔkomfo Anɔkye ₵")
    pdf = parse_pdf(render_purchase_pdf(purchase))
    assert pdf.page_count == 1


def test_a_discounted_ticket_prints_its_code_beside_the_price_paid(user, make_event, make_promo, parse_pdf):
    from django.db import transaction

    from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

    event = make_event()
    make_promo(event, "EARLY", percent=10)
    with transaction.atomic():
        purchase = reserve_tickets(
            buyer=user,
            event=event,
            ticket_type_id=event.ticket_types.get().pk,
            quantity=1,
            attendee=Attendee(name="Kwame", email=user.email),
            promo_code="EARLY",
        )
        issue_tickets(purchase=purchase)

    text = parse_pdf(render_ticket_pdf(purchase_for_delivery(purchase.pk).issued_tickets[0])).text

    assert "PROMO CODE" in text and "EARLY" in text
    assert "GHS 45.00" in text  # 50.00 less 10 %
