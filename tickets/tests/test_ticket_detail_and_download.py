"""T2 `tickets/{ticket_id}/` and T3 `tickets/{ticket_id}/download/`: owner only (CONTRACT.md §7.2, §7.3)."""

import pytest

from tickets import qr

pytestmark = pytest.mark.django_db


def detail_url(ticket_id):
    return f"/api/v1/tickets/{ticket_id}/"


def download_url(ticket_id):
    return f"/api/v1/tickets/{ticket_id}/download/"


def test_the_owner_sees_the_ticket_with_event_and_purchase_info(user, client_for, make_event, pay_through_sandbox):
    event = make_event(latitude="5.603717", longitude="-0.186964", venue_address="Liberation Road")
    payment = pay_through_sandbox(user, event, quantity=1)
    ticket = payment.purchase.tickets.get()

    response = client_for(user).get(detail_url(ticket.ticket_id))

    assert response.status_code == 200
    body = response.json()
    assert body["ticket_id"] == ticket.ticket_id and body["status"] == "active"
    assert body["qr_code"].startswith("data:image/png;base64,")
    assert qr.verify_qr_payload(body["qr_payload"], event.checkin_public_key) == ticket.ticket_id
    assert body["payment_reference"] == payment.reference
    assert body["event"]["organizer"]["full_name"] == "Ama Mensah"
    assert set(body["event"]["organizer"]) == {"id", "username", "full_name", "profile_image"}
    assert body["event"]["venue_location"] == {"latitude": 5.603717, "longitude": -0.186964}
    assert body["event"]["venue_address"] == "Liberation Road" and body["event"]["venue_country"] == "Ghana"
    assert body["event"]["description"] == event.description
    assert set(body["ticket_type"]) == {"id", "name", "description", "price"}
    assert body["purchase_info"] == {
        "purchase_id": payment.purchase.purchase_id,
        "purchase_date": body["purchase_date"],
        "payment_reference": payment.reference,
        "payment_method": "card",
        "amount_paid": 50.0,
        "service_fee": 2.5,
        "currency": "GHS",
        "payment_status": "completed",
    }


def test_ticket_ids_match_whatever_their_case(user, client_for, buy_tickets):
    ticket = buy_tickets(user).tickets.get()
    client = client_for(user)
    assert client.get(detail_url(ticket.ticket_id.lower())).json()["ticket_id"] == ticket.ticket_id
    assert client.get(download_url("tkt-" + ticket.ticket_id[4:].lower())).status_code == 200


def test_a_reserved_ticket_shows_no_qr_and_cannot_be_downloaded(user, client_for, reserve_only):
    ticket = reserve_only(user).tickets.get()
    client = client_for(user)

    body = client.get(detail_url(ticket.ticket_id)).json()
    assert body["status"] == "reserved" and body["qr_code"] is None and body["qr_payload"] is None
    assert body["payment_reference"] is None and body["purchase_info"]["payment_method"] == "card"

    response = client.get(download_url(ticket.ticket_id))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "Ticket not issued" and response.json()["status_code"] == 400


def test_someone_elses_or_an_unknown_ticket_is_not_found(user, make_user, client_for, buy_tickets):
    theirs = buy_tickets(make_user()).tickets.get()
    client = client_for(user)
    for url in (
        detail_url(theirs.ticket_id),
        download_url(theirs.ticket_id),
        detail_url("TKT-" + "0" * 32),
        download_url("TKT-" + "0" * 32),
    ):
        accept = "application/pdf" if url.endswith("/download/") else "application/json"
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"] == "Ticket not found" and response.json()["status_code"] == 404


def test_the_pdf_downloads_as_an_attachment(user, client_for, buy_tickets, parse_pdf):
    ticket = buy_tickets(user).tickets.get()
    response = client_for(user).get(download_url(ticket.ticket_id), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="ticket-{ticket.ticket_id}.pdf"'
    pdf = parse_pdf(response.content)
    assert pdf.page_count == 1 and ticket.ticket_id in pdf.text


def test_anonymous_callers_get_401(api_client, user, buy_tickets):
    ticket = buy_tickets(user).tickets.get()
    for url in (detail_url(ticket.ticket_id), download_url(ticket.ticket_id)):
        response = api_client.get(url)
        assert response.status_code == 401 and response.json()["error"] == "Authentication Failed"


def test_post_to_tickets_is_not_served(client_for, user):
    response = client_for(user).post("/api/v1/tickets/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"] == "Method Not Allowed"


@pytest.mark.parametrize("literal", ["my-tickets", "attended-events"])
def test_literal_paths_are_never_ticket_ids(client_for, user, literal):
    response = client_for(user).get(f"/api/v1/tickets/{literal}/")
    assert response.status_code == 200
    assert "results" in response.json()


def test_a_malformed_ticket_id_is_a_json_404(client_for, user):
    response = client_for(user).get("/api/v1/tickets/TKT-123/")
    assert response.status_code == 404 and response.json()["status_code"] == 404
