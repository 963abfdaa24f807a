"""Y1 `POST tickets/purchase/`: the seed purchase shape (CONTRACT.md §6.2, §6.3)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import Payment
from payments.throttling import PurchaseThrottle
from tickets.models import Purchase, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/purchase/"


def test_a_paid_purchase_reserves_tickets_and_answers_the_seed_shape(buy, event, buyer):
    body = buy()

    assert set(body) == {"message", "purchase_id", "status", "tickets", "pricing", "payment", "reservation"}
    assert body["message"] == "Tickets reserved. Complete payment within 10 minutes."
    assert body["purchase_id"].startswith("PUR-") and body["status"] == "pending"
    assert len(body["tickets"]) == 2
    assert body["tickets"][0] == {
        "ticket_id": body["tickets"][0]["ticket_id"],
        "event_title": event.title,
        "event_slug": event.slug,
        "ticket_type_name": "Regular",
        "attendee_name": "Esi Owusu",
        "attendee_email": "esi@example.com",
        "attendee_phone": "+233201234567",
        "status": "reserved",
        "qr_code": None,
    }
    assert body["pricing"] == {
        "ticket_price": 50,
        "quantity": 2,
        "subtotal": 100,
        "discount": 0,
        "promo_code": None,
        "service_fee": 5,
        "service_fee_percentage": 5,
        "total": 105,
        "currency": "GHS",
    }
    payment = Payment.objects.get()
    assert body["payment"] == {
        "payment_id": payment.payment_id,
        "reference": payment.reference,
        "amount": 105,
        "discount": 0,
        "promo_code": None,
        "currency": "GHS",
        "payment_method": "card",
        "provider": "sandbox",
        "payment_url": payment.authorization_url,
        "status": "pending",
        "expires_at": body["reservation"]["expires_at"],
    }
    assert body["payment"]["payment_url"].endswith(f"/payments/sandbox/{payment.reference}/")
    reservation = body["reservation"]
    assert reservation["expires_at"].endswith("Z") and reservation["reserved_at"].endswith("Z")
    assert 590 <= reservation["expires_in_seconds"] <= 600
    assert list(Ticket.objects.values_list("status", flat=True)) == ["reserved", "reserved"]
    assert Purchase.objects.get().buyer == buyer


def test_a_free_purchase_is_completed_at_once_with_qr_codes(buy, free_type, settings):
    body = buy(ticket_type_id=free_type.pk, quantity=1, payment_method="mobile_money")

    assert body["status"] == "completed"
    assert body["message"] == "Tickets reserved. Complete payment within 10 minutes."  # the contract's text
    assert body["reservation"] is None
    assert body["pricing"]["total"] == 0 and body["pricing"]["service_fee_percentage"] == 0
    [ticket] = body["tickets"]
    assert ticket["status"] == "active"
    assert ticket["qr_code"] == (Ticket.objects.get().qr_code or None)  # the stored credential, as issued
    payment = body["payment"]
    assert payment["status"] == "completed" and payment["provider"] == "free" and payment["amount"] == 0
    assert payment["payment_method"] == "free"
    assert payment["expires_at"] is None
    reference = payment["reference"]
    assert payment["payment_url"] == (
        f"{settings.FRONTEND_URL}/payment-results?trxref={reference}&reference={reference}"
    )
    assert [message.to for message in mail.outbox] == [["esi@example.com"]]


def test_the_event_may_be_named_by_slug(buy, event):
    body = buy(event_id=None, event_slug=event.slug)
    assert body["tickets"][0]["event_slug"] == event.slug


def test_missing_attendee_details_default_to_the_account(buy, buyer):
    body = buy(attendee_info={"phone": "0551234567"})
    ticket = body["tickets"][0]
    assert ticket["attendee_name"] == "Kwame Boateng"
    assert ticket["attendee_email"] == "kwame@example.com"
    assert ticket["attendee_phone"] == "+233551234567"


def test_a_buyer_without_full_name_is_named_by_username(make_user, client_for, buy):
    anon = make_user(full_name="", username="kojo_d")
    body = buy(client=client_for(anon), attendee_info=None)
    assert body["tickets"][0]["attendee_name"] == "kojo_d"
    assert body["tickets"][0]["attendee_email"] == anon.email


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ticket_type_id": None}, "ticket_type_id"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "many"}, "quantity"),
        ({"event_id": None}, "event_id"),
        ({"attendee_info": {"email": "not-an-email"}}, "attendee_info"),
        ({"attendee_info": {"phone": "12"}}, "attendee_info"),
        ({"payment_method": "bitcoin"}, "payment_method"),
    ],
)
def test_malformed_bodies_are_validation_errors_keyed_by_field(
    buyer_client, purchase_body, assert_error, overrides, field
):
    body = purchase_body(**overrides)
    if body.get("quantity") is None:
        body.pop("quantity")
    response = buyer_client.post(URL, body, format="json")

    result = assert_error(response, 400, "Validation Error")
    assert result[field] == result["details"][field]
    assert result["message"].startswith(f"{field}: ")
    assert not Purchase.objects.exists()


def test_quantity_is_required(buyer_client, purchase_body, assert_error):
    body = purchase_body()
    del body["quantity"]
    assert_error(buyer_client.post(URL, body, format="json"), 400, "Validation Error")


@pytest.mark.parametrize("lookup", [{"event_id": 999999}, {"event_id": None, "event_slug": "no-such-event"}])
def test_an_unknown_event_is_404(buyer_client, purchase_body, assert_error, lookup):
    assert_error(buyer_client.post(URL, purchase_body(**lookup), format="json"), 404, "Event not found")


def test_an_unpublished_event_is_404(buyer_client, purchase_body, event, assert_error):
    event.is_published = False
    event.save()
    assert_error(buyer_client.post(URL, purchase_body(), format="json"), 404, "Event not found")


def test_a_ticket_type_of_another_event_is_404(buyer_client, purchase_body, make_event, assert_error):
    other = make_event().ticket_types.first()
    response = buyer_client.post(URL, purchase_body(ticket_type_id=other.pk), format="json")
    assert_error(response, 404, "Ticket type not found")


def test_a_past_event_is_closed_for_sales(buyer_client, make_event, assert_error):
    event = make_event(days=-3)
    body = {"event_id": event.pk, "ticket_type_id": event.ticket_types.first().pk, "quantity": 1}
    assert_error(buyer_client.post(URL, body, format="json"), 400, "Ticket sales closed")


def test_quantity_limits_name_the_limit(buyer_client, purchase_body, paid_type, assert_error):
    paid_type.min_purchase, paid_type.max_purchase = 2, 4
    paid_type.save()

    below = assert_error(
        buyer_client.post(URL, purchase_body(quantity=1), format="json"), 400, "Below minimum purchase"
    )
    above = assert_error(
        buyer_client.post(URL, purchase_body(quantity=5), format="json"), 400, "Above maximum purchase"
    )
    assert below["min_quantity"] == 2 and above["max_quantity"] == 4
    assert "quantity" in below["details"]


def test_not_enough_stock_says_how_many_are_left(buyer_client, purchase_body, paid_type, assert_error):
    paid_type.quantity = 1
    paid_type.save()
    response = buyer_client.post(URL, purchase_body(quantity=2), format="json")
    assert_error(response, 400, "Not enough tickets available", available_quantity=1)


def test_a_foreign_callback_url_is_refused(buyer_client, purchase_body, assert_error):
    response = buyer_client.post(URL, purchase_body(callback_url="https://evil.example.net/x"), format="json")
    body = assert_error(response, 400, "invalid_callback_url")
    assert set(body["allowed"]) == {"deep_link", "backend_callback", "https_domains"}
    assert not Purchase.objects.exists()


def test_too_many_open_purchases_are_refused(buy, buyer_client, purchase_body, settings, assert_error):
    settings.MAX_OPEN_PURCHASES_PER_USER = 2
    buy(quantity=1)
    buy(quantity=1)
    response = buyer_client.post(URL, purchase_body(quantity=1), format="json")
    assert_error(response, 400, "Too many pending purchases")


def test_a_lapsed_reservation_no_longer_holds_stock(buy, paid_type, time_machine):
    paid_type.quantity = 2
    paid_type.save()
    buy(quantity=2)
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    assert buy(quantity=2)["status"] == "pending"


def test_anonymous_callers_are_401(purchase_body, assert_error):
    assert_error(APIClient().post(URL, purchase_body(), format="json"), 401, "Authentication Failed")


def test_purchases_are_throttled_per_user(buyer_client, client_for, make_user, monkeypatch, assert_error):
    monkeypatch.setattr(PurchaseThrottle, "THROTTLE_RATES", {"purchase": "2/min"})
    for _ in range(2):
        assert buyer_client.post(URL, {}, format="json").status_code == 400

    response = buyer_client.post(URL, {}, format="json")

    body = assert_error(response, 429, "Too Many Requests")
    assert body["retry_after"] >= 1 and response["Retry-After"] == str(body["retry_after"])
    assert body["message"] == f"Request was throttled. Try again in {body['retry_after']} seconds."
    assert client_for(make_user()).post(URL, {}, format="json").status_code == 400  # another user is not affected
