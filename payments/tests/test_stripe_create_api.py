"""L1 `POST /api/payments/create-payment-intent/` (CONTRACT.md §13.1): every success and error row."""

import base64
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import Payment
from payments.tests.stripe_fixtures import LEGACY_URL
from tickets.models import Purchase, Ticket
from tickets.qr import verify_qr_payload

pytestmark = pytest.mark.django_db

CREATE_URL = f"{LEGACY_URL}/create-payment-intent/"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PAID_KEYS = {
    "checkout_url",
    "session_id",
    "ticket_id",
    "ticket_code",
    "purchase_id",
    "payment_id",
    "quantity",
    "amount",
    "discount",
    "promo_code",
    "currency",
    "charge_amount",
    "charge_currency",
    "exchange_rate",
    "expires_at",
}


@pytest.fixture
def create(buyer_client, event, paid_type, django_capture_on_commit_callbacks):
    """POST L1 as the buyer (2 Regular tickets unless overridden); returns the response."""

    def post(client=None, **overrides):
        body = {"event_id": event.pk, "ticket_type_id": paid_type.pk, "quantity": 2, **overrides}
        body = {key: value for key, value in body.items() if value is not None}
        with django_capture_on_commit_callbacks(execute=True):
            return (client or buyer_client).post(CREATE_URL, body, format="json")

    return post


def assert_nothing_reserved():
    assert Purchase.objects.count() == 0
    assert Ticket.objects.count() == 0
    assert Payment.objects.count() == 0


# -- paid: Stripe Checkout -------------------------------------------------------------------------


def test_a_paid_order_opens_a_stripe_checkout_session_in_usd(create, fake_stripe, buyer):
    response = create()

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == PAID_KEYS
    purchase = Purchase.objects.get()
    payment = purchase.payment
    session = fake_stripe.only_session
    assert body["checkout_url"] == session["url"]
    assert body["session_id"] == session["id"] == payment.checkout_session_id
    assert body["ticket_id"] == purchase.pk and isinstance(body["ticket_id"], int)
    assert uuid.UUID(body["ticket_code"]).version == 4 and body["ticket_code"] == str(purchase.group_code)
    assert (body["purchase_id"], body["payment_id"], body["quantity"]) == (purchase.purchase_id, payment.payment_id, 2)
    # 2 x GHS 50.00 + 5 % service fee = GHS 105.00; at 0.065: 2 x USD 3.25 + fee USD 0.33 = USD 6.83
    assert (body["amount"], body["currency"]) == (105.0, "GHS")
    assert (body["charge_amount"], body["charge_currency"], body["exchange_rate"]) == (6.83, "USD", 0.065)
    assert body["expires_at"] == purchase.reservation_expires_at.isoformat().replace("+00:00", "Z")
    assert (payment.provider, payment.status, purchase.status) == ("stripe", "pending", "pending")
    assert (payment.charge_amount, payment.charge_currency, payment.exchange_rate) == (
        Decimal("6.83"),
        "USD",
        Decimal("0.065"),
    )
    assert list(purchase.tickets.values_list("status", flat=True)) == ["reserved", "reserved"]


def test_the_session_is_bound_to_the_reservation(create, fake_stripe, settings):
    settings.LEGACY_FRONTEND_URL = "https://legacy.cafatickets.example"
    before = timezone.now()

    body = create().json()

    request = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]
    form = fake_stripe.form(request)
    payment = Payment.objects.get()
    ticket_id = body["ticket_id"]
    assert form["client_reference_id"] == body["purchase_id"]
    assert form["metadata[purchase_id]"] == body["purchase_id"]
    assert form["metadata[payment_id]"] == body["payment_id"]
    assert form["metadata[reference]"] == payment.reference
    assert request.headers["Idempotency-Key"] == f"checkout-session-{payment.payment_id}"
    assert form["success_url"] == (
        f"https://legacy.cafatickets.example/payment/success?session_id={{CHECKOUT_SESSION_ID}}&ticket_id={ticket_id}"
    )
    assert form["cancel_url"] == f"https://legacy.cafatickets.example/payment/cancel?ticket_id={ticket_id}"
    assert form["customer_email"] == "kwame@example.com"
    # Stripe's shortest session (30 minutes) is only a backstop: our reservation ends after 10
    lifetime = int(form["expires_at"]) - before.timestamp()
    assert 30 * 60 <= lifetime <= 32 * 60
    assert [form[f"line_items[{i}][price_data][unit_amount]"] for i in (0, 1)] == ["325", "33"]
    assert [form[f"line_items[{i}][quantity]"] for i in (0, 1)] == ["2", "1"]
    assert form["line_items[1][price_data][product_data][name]"] == "Service fee"


def test_the_charge_follows_the_configured_rate(create, fake_stripe, settings):
    settings.STRIPE_USD_PER_GHS = Decimal("0.0833")

    body = create(quantity=3).json()

    # 3 x 50 x 0.0833 = 3 x 4.17 (4.165 rounded half up); fee 7.50 x 0.0833 = 0.62
    assert (body["charge_amount"], body["exchange_rate"]) == (13.13, 0.0833)
    assert fake_stripe.only_session["amount_total"] == 1313


def test_quantity_defaults_to_one_and_the_attendee_to_the_buyer(create, fake_stripe, buyer):
    body = create(quantity=None).json()

    purchase = Purchase.objects.get()
    assert body["quantity"] == 1
    assert (purchase.attendee_name, purchase.attendee_email, purchase.attendee_phone) == (
        "Kwame Boateng",
        "kwame@example.com",
        "+233241234567",
    )


def test_attendee_info_names_the_attendee(create, fake_stripe):
    create(attendee_info={"name": "Esi Owusu", "email": "esi@example.com", "phone": "0201234567"})

    purchase = Purchase.objects.get()
    assert (purchase.attendee_name, purchase.attendee_email, purchase.attendee_phone) == (
        "Esi Owusu",
        "esi@example.com",
        "+233201234567",
    )
    assert fake_stripe.form(fake_stripe.requests[0])["customer_email"] == "esi@example.com"


def test_without_a_stripe_key_the_sandbox_page_is_the_checkout(create, legacy_sandbox):
    body = create().json()

    payment = Payment.objects.get()
    assert re.fullmatch(r"cs_sandbox_[0-9a-f]{32}", body["session_id"])
    assert body["checkout_url"] == f"http://127.0.0.1:8000/api/v1/payments/sandbox/{payment.reference}/"
    assert (payment.provider, payment.checkout_session_id) == ("sandbox", body["session_id"])
    assert (body["charge_amount"], body["charge_currency"]) == (6.83, "USD")


def test_an_idempotency_key_replays_the_first_answer(buyer_client, event, paid_type, fake_stripe):
    body = {"event_id": event.pk, "ticket_type_id": paid_type.pk, "quantity": 2}

    first = buyer_client.post(CREATE_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="legacy-order-1")
    again = buyer_client.post(CREATE_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="legacy-order-1")

    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Purchase.objects.count() == 1 and len(fake_stripe.sessions) == 1
    other = buyer_client.post(CREATE_URL, body | {"quantity": 1}, format="json", HTTP_IDEMPOTENCY_KEY="legacy-order-1")
    assert (other.status_code, other.json()["error"]) == (409, "Idempotency key reused")


# -- free -------------------------------------------------------------------------------------------


def test_free_tickets_are_issued_at_once_with_a_credential_each(create, event, free_type, fake_stripe):
    response = create(ticket_type_id=free_type.pk, quantity=2)

    assert response.status_code == 201, response.json()
    body = response.json()
    purchase = Purchase.objects.get()
    tickets = list(purchase.tickets.order_by("created_at", "id"))
    assert body["detail"] == "Successfully purchased tickets"
    assert (body["ticket_id"], body["ticket_code"]) == (purchase.pk, str(purchase.group_code))
    assert (body["purchase_id"], body["quantity"]) == (purchase.purchase_id, 2)
    assert base64.b64decode(body["qr_code_data"]).startswith(PNG_SIGNATURE)
    assert body["qr_code"] == f"data:image/png;base64,{body['qr_code_data']}" == tickets[0].qr_code
    assert verify_qr_payload(body["qr_payload"], event.checkin_public_key) == tickets[0].ticket_id
    assert [t["ticket_id"] for t in body["tickets"]] == [t.ticket_id for t in tickets]
    for item, ticket in zip(body["tickets"], tickets, strict=True):
        assert item["qr_code"] == ticket.qr_code == f"data:image/png;base64,{item['qr_code_data']}"
        assert verify_qr_payload(item["qr_payload"], event.checkin_public_key) == ticket.ticket_id
        assert item["attendee_name"] == "Kwame Boateng"
    assert len({t["qr_payload"] for t in body["tickets"]}) == 2  # one credential per admission
    assert {t.status for t in tickets} == {"active"}
    assert (purchase.status, purchase.payment.provider, purchase.payment.status) == ("completed", "free", "completed")
    assert [message.to for message in mail.outbox] == [["kwame@example.com"]]
    assert fake_stripe.requests == []


def test_free_tickets_need_no_payment_provider(create, free_type, settings):
    settings.STRIPE_SECRET_KEY, settings.PAYMENTS_SANDBOX = "", False

    assert create(ticket_type_id=free_type.pk).status_code == 201


# -- which ticket type -----------------------------------------------------------------------------


def test_without_ticket_type_id_the_only_one_on_sale_is_sold(create, free_type, paid_type, fake_stripe):
    free_type.available_from = timezone.now() + timedelta(days=1)
    free_type.save()

    response = create(ticket_type_id=None, quantity=1)

    assert response.status_code == 201, response.json()
    assert Purchase.objects.get().ticket_type == paid_type


def test_several_ticket_types_on_sale_need_a_choice(create, free_type, paid_type, assert_error):
    response = create(ticket_type_id=None)

    body = assert_error(response, 400, "ticket_type_id required")
    assert body["ticket_types"] == [
        {"id": free_type.pk, "name": "Community", "price": 0.0},
        {"id": paid_type.pk, "name": "Regular", "price": 50.0},
    ]
    assert_nothing_reserved()


def test_without_ticket_type_id_and_none_on_sale_the_stock_rules_say_why(create, event, assert_error):
    event.ticket_types.update(available_until=timezone.now() - timedelta(hours=1))

    assert_error(create(ticket_type_id=None), 400, "Ticket type not on sale")


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"event_id": None}, "event_id"),
        ({"event_id": "abc"}, "event_id"),
        ({"quantity": 0}, "quantity"),
        ({"ticket_type_id": "x"}, "ticket_type_id"),
        ({"attendee_info": {"email": "not-an-email"}}, "attendee_info"),
    ],
)
def test_a_malformed_body_is_a_validation_error(create, overrides, field, assert_error):
    body = assert_error(create(**overrides), 400, "Validation Error")

    assert field in body["details"] and body[field]
    assert_nothing_reserved()


def test_an_unknown_or_unpublished_event_is_not_found(create, event, assert_error):
    assert_error(create(event_id=999999), 404, "Event not found")
    event.is_published = False
    event.save()
    assert_error(create(), 404, "Event not found")


def test_a_ticket_type_of_another_event_is_not_found(create, make_event, assert_error):
    other = make_event().ticket_types.first()

    assert_error(create(ticket_type_id=other.pk), 404, "Ticket type not found")
    assert_nothing_reserved()


def test_not_enough_tickets(create, paid_type, assert_error):
    paid_type.quantity = 1
    paid_type.save()

    assert_error(create(), 400, "Not enough tickets available", available_quantity=1)
    assert_nothing_reserved()


def test_sales_closed_once_the_event_started(create, event, assert_error):
    event.start_date = timezone.localdate() - timedelta(days=1)
    event.save()

    assert_error(create(), 400, "Ticket sales closed")


def test_purchase_limits(create, paid_type, assert_error):
    paid_type.min_purchase, paid_type.max_purchase = 2, 4
    paid_type.save()

    assert_error(create(quantity=5), 400, "Above maximum purchase", max_quantity=4)
    assert_error(create(quantity=1), 400, "Below minimum purchase", min_quantity=2)
    assert_nothing_reserved()


def test_a_charge_under_half_a_dollar_is_refused_before_anything_is_held(create, paid_type, fake_stripe, assert_error):
    paid_type.price = Decimal("7.00")  # 7.35 with the fee = USD 0.48
    paid_type.save()

    body = assert_error(create(quantity=1), 400, "Amount too small for card payment")

    assert "0.48" in body["message"]
    assert_nothing_reserved()
    assert fake_stripe.requests == []
    assert create(quantity=2).status_code == 201  # USD 0.96


def test_stripe_refusing_the_session_releases_the_reservation(create, fake_stripe, paid_type, assert_error):
    from payments.tests.stripe_fixtures import error

    fake_stripe.refusal = error(400, "Invalid API Key provided: sk_test_****0000")

    body = assert_error(create(), 400, "Payment provider error")

    assert "sk_test" not in body["message"]  # Stripe's words stay in our logs
    purchase = Purchase.objects.get()
    assert (purchase.status, purchase.payment.status, purchase.payment.reason_code) == (
        "failed",
        "failed",
        "initialization_failed",
    )
    assert set(purchase.tickets.values_list("status", flat=True)) == {"expired"}
    assert paid_type.tickets.filter(status="reserved").count() == 0


def test_stripe_out_of_reach_releases_the_reservation(create, fake_stripe, assert_error):
    fake_stripe.down = True

    assert_error(create(), 400, "Payment provider error")
    assert Purchase.objects.get().status == "failed"


@pytest.mark.parametrize("paystack_key", ["", "sk_live_0123456789abcdef"], ids=["no-provider", "paystack-only"])
def test_no_stripe_key_and_no_sandbox_allowed_is_a_clear_503(create, settings, assert_error, paystack_key):
    settings.STRIPE_SECRET_KEY, settings.PAYMENTS_SANDBOX, settings.PAYSTACK_SECRET_KEY = "", False, paystack_key

    assert_error(create(), 503, "Payment provider unavailable")
    assert_nothing_reserved()


def test_only_a_logged_in_buyer_may_create(event, paid_type, assert_error):
    response = APIClient().post(CREATE_URL, {"event_id": event.pk, "ticket_type_id": paid_type.pk}, format="json")

    assert_error(response, 401, "Authentication Failed")


def test_answers_are_json_never_a_csrf_page(event, buyer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(buyer)  # a session cookie, as a browser would carry

    response = browser.post(CREATE_URL, {"event_id": event.pk}, content_type="application/json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert browser.get(CREATE_URL).json()["status_code"] == 401


def test_other_methods_are_a_json_405(buyer_client, assert_error):
    assert_error(buyer_client.get(CREATE_URL), 405, "Method Not Allowed")


@pytest.mark.parametrize("path", ["/api/payments/verify", "/api/payments/charge/", "/api/payments/cancel/x/"])
def test_unknown_legacy_paths_are_a_json_404_even_for_a_post(path, assert_error):
    response = Client(enforce_csrf_checks=True).post(path, data="{}", content_type="application/json")

    assert_error(response, 404, "Not Found")


# -- promo codes (CONTRACT.md §16: L1 accepts `promo_code`) ------------------------------------------


def test_a_promo_code_discounts_the_stripe_charge(create, fake_stripe, event, make_promo):
    make_promo(event, "EARLY", percent=10)

    body = create(promo_code="early").json()

    # 2 x GHS 50.00 = 100.00 - 10.00 = 90.00 + 5 % fee 4.50 = GHS 94.50; USD 5.85 + fee 0.29
    assert (body["amount"], body["discount"], body["promo_code"]) == (94.5, 10, "EARLY")
    assert body["charge_amount"] == 6.14
    form = fake_stripe.form(fake_stripe.calls("POST", "/v1/checkout/sessions")[0])
    assert [form[f"line_items[{i}][price_data][unit_amount]"] for i in (0, 1)] == ["585", "29"]
    assert form["line_items[0][quantity]"] == "1"
    assert "code EARLY" in form["line_items[0][price_data][product_data][name]"]


def test_a_promo_code_that_cannot_apply_reserves_nothing(create, fake_stripe, assert_error):
    assert_error(create(promo_code="NOPE"), 400, "Invalid promo code")
    assert_nothing_reserved()
    assert not fake_stripe.calls("POST", "/v1/checkout/sessions")


def test_a_100_percent_code_issues_the_tickets_at_once(create, fake_stripe, event, make_promo):
    make_promo(event, "COMP", percent=100)

    response = create(promo_code="COMP")

    assert response.status_code == 201 and response.json()["detail"] == "Successfully purchased tickets"
    assert set(Ticket.objects.values_list("status", flat=True)) == {"active"}
    assert not fake_stripe.calls("POST", "/v1/checkout/sessions")
