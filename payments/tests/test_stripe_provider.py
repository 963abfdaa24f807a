"""StripeProvider on the official SDK, answered at the transport (respx): no socket is ever opened.

Bodies follow Stripe's documented object shapes (values made up). Webhook signatures are built by hand
with the endpoint secret, exactly as Stripe documents them (`t=…,v1=HMAC-SHA256("t.payload")`).
"""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from payments.providers.base import InvalidSignature, ProviderError
from payments.providers.checkout_session import CheckoutSessionProvider, LineItem
from payments.providers.stripe import StripeProvider
from payments.tests.stripe_fixtures import (
    STRIPE_TEST_SECRET,
    STRIPE_TEST_WEBHOOK_SECRET,
    FakeStripe,
    error,
    stripe_signature,
)

pytestmark = pytest.mark.django_db

SUCCESS_URL = "https://tickets.example.com/payment/success?session_id={CHECKOUT_SESSION_ID}&ticket_id=31"
CANCEL_URL = "https://tickets.example.com/payment/cancel?ticket_id=31"
EXPIRES_AT = datetime(2026, 3, 14, 10, 51, 7, tzinfo=UTC)


@pytest.fixture
def fake():
    fake = FakeStripe()
    with respx.mock(assert_all_called=False) as router:
        router.route(host="api.stripe.com").mock(side_effect=fake)
        yield fake


@pytest.fixture
def stripe_provider():
    return StripeProvider(STRIPE_TEST_SECRET, STRIPE_TEST_WEBHOOK_SECRET, max_network_retries=0)


def open_session(provider, reference="CAFA-7D3E9B2A41C84F0E5A6B7C8D", key="checkout-session-PAY-77D0E1A2C9"):
    return provider.create_checkout_session(
        reference=reference,
        currency="USD",
        line_items=[LineItem("Regular - Highlife Night", 325, 2), LineItem("Service fee", 33)],
        email="ama@example.com",
        success_url=SUCCESS_URL,
        cancel_url=CANCEL_URL,
        client_reference_id="PUR-3FA94C0B1D",
        metadata={"purchase_id": "PUR-3FA94C0B1D", "payment_id": "PAY-77D0E1A2C9"},
        idempotency_key=key,
        expires_at=EXPIRES_AT,
    )


@pytest.fixture
def stripe_payment(make_payment, buyer):
    """A pending payment whose Checkout Session is `session_id` (set by the test)."""

    def make(session_id: str, **fields):
        return make_payment(buyer, status="pending", provider="stripe", checkout_session_id=session_id, **fields)

    return make


# -- checkout sessions ---------------------------------------------------------------------------


def test_a_checkout_session_charges_usd_line_items_and_carries_the_order(fake, stripe_provider):
    session = open_session(stripe_provider)

    (request,) = fake.requests
    form = fake.form(request)
    assert (request.method, str(request.url)) == ("POST", "https://api.stripe.com/v1/checkout/sessions")
    assert request.headers["Authorization"] == f"Bearer {STRIPE_TEST_SECRET}"
    assert request.headers["Idempotency-Key"] == "checkout-session-PAY-77D0E1A2C9"
    assert form == {
        "mode": "payment",
        "line_items[0][quantity]": "2",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "325",
        "line_items[0][price_data][product_data][name]": "Regular - Highlife Night",
        "line_items[1][quantity]": "1",
        "line_items[1][price_data][currency]": "usd",
        "line_items[1][price_data][unit_amount]": "33",
        "line_items[1][price_data][product_data][name]": "Service fee",
        "customer_email": "ama@example.com",
        "client_reference_id": "PUR-3FA94C0B1D",
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
        "expires_at": str(int(EXPIRES_AT.timestamp())),
        "metadata[reference]": "CAFA-7D3E9B2A41C84F0E5A6B7C8D",
        "metadata[purchase_id]": "PUR-3FA94C0B1D",
        "metadata[payment_id]": "PAY-77D0E1A2C9",
        "payment_intent_data[metadata][reference]": "CAFA-7D3E9B2A41C84F0E5A6B7C8D",
        "payment_intent_data[metadata][purchase_id]": "PUR-3FA94C0B1D",
        "payment_intent_data[metadata][payment_id]": "PAY-77D0E1A2C9",
    }
    stored = fake.sessions[session.session_id]
    assert session.url == stored["url"] and session.url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert stored["amount_total"] == 683


def test_a_retried_create_with_the_same_key_gets_the_same_session(fake, stripe_provider):
    first, second = open_session(stripe_provider), open_session(stripe_provider)

    assert first == second
    assert len(fake.sessions) == 1


def test_stripe_refusing_the_session_is_a_provider_refusal(fake, stripe_provider):
    fake.refusal = error(400, "Invalid URL: An explicit scheme (such as https) must be provided.", code="url_invalid")

    with pytest.raises(ProviderError) as caught:
        open_session(stripe_provider)

    assert caught.value.status_code == 400 and caught.value.refused
    assert "explicit scheme" in str(caught.value)


def test_the_provider_offers_hosted_sessions(stripe_provider):
    assert isinstance(stripe_provider, CheckoutSessionProvider)
    assert stripe_provider.name == "stripe"


# -- verify --------------------------------------------------------------------------------------


def test_verify_reads_the_stored_session_with_its_charge(fake, stripe_provider, stripe_payment):
    session = open_session(stripe_provider)
    payment = stripe_payment(session.session_id)
    fake.pay(session.session_id)

    result = stripe_provider.verify(payment.reference)

    request = fake.requests[-1]
    assert request.method == "GET"
    assert request.url.path == f"/v1/checkout/sessions/{session.session_id}"
    assert request.url.params["expand[0]"] == "payment_intent.latest_charge"
    intent = fake.only_session["payment_intent"]
    assert result.succeeded
    assert (result.reference, result.amount_minor, result.currency) == ("CAFA-7D3E9B2A41C84F0E5A6B7C8D", 683, "USD")
    assert result.channel == "card"
    assert result.card == {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    assert result.transaction_id == intent and intent.startswith("pi_")
    assert result.paid_at and result.raw["id"] == session.session_id


@pytest.mark.parametrize(
    ("buyer_did", "expected"),
    [
        (lambda fake, sid: None, "pending"),
        (lambda fake, sid: fake.let_expire(sid), "abandoned"),
        (lambda fake, sid: fake.start_delayed_payment(sid), "pending"),
        (lambda fake, sid: (fake.start_delayed_payment(sid), fake.fail_delayed_payment(sid)), "failed"),
        (lambda fake, sid: (fake.pay(sid), fake.refund_in_dashboard(sid)), "reversed"),
    ],
    ids=["open", "expired", "delayed-payment-processing", "delayed-payment-failed", "refunded"],
)
def test_verify_maps_the_session_to_the_charge_vocabulary(fake, stripe_provider, stripe_payment, buyer_did, expected):
    session = open_session(stripe_provider)
    payment = stripe_payment(session.session_id)
    buyer_did(fake, session.session_id)

    result = stripe_provider.verify(payment.reference)

    assert result.status == expected
    assert not result.succeeded


def test_a_failed_delayed_payment_says_why(fake, stripe_provider, stripe_payment):
    session = open_session(stripe_provider)
    payment = stripe_payment(session.session_id)
    fake.start_delayed_payment(session.session_id)
    fake.fail_delayed_payment(session.session_id)

    assert stripe_provider.verify(payment.reference).gateway_response == "The bank account could not be debited."


def test_verify_of_a_payment_without_a_session_asks_nobody(fake, stripe_provider, stripe_payment):
    payment = stripe_payment("")

    with pytest.raises(ProviderError) as caught:
        stripe_provider.verify(payment.reference)

    assert caught.value.status_code == 404
    assert fake.requests == []


# -- errors: the same ProviderError as Paystack's --------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("connection refused"), httpx.ReadTimeout("timed out"), httpx.ConnectTimeout("timed out")],
    ids=["connection-refused", "read-timeout", "connect-timeout"],
)
def test_no_answer_from_stripe_leaves_the_outcome_unknown(stripe_provider, stripe_payment, failure):
    payment = stripe_payment("cs_test_a1noanswer")
    with respx.mock() as router:
        router.get(host="api.stripe.com").mock(side_effect=failure)

        with pytest.raises(ProviderError) as caught:
            stripe_provider.verify(payment.reference)

    assert caught.value.status_code is None
    assert not caught.value.refused


@pytest.mark.parametrize(
    ("answer", "status", "refused"),
    [
        (error(401, "Invalid API Key provided: sk_test_****0000", kind="invalid_request_error"), 401, True),
        (error(404, "No such checkout.session: 'cs_test_a1gone'", code="resource_missing"), 404, True),
        (error(429, "Too many requests", kind="rate_limit_error"), 429, True),
        (error(500, "An unknown error occurred", kind="api_error"), 500, False),
        (httpx.Response(502, text="<html>Bad gateway</html>"), 502, False),
    ],
    ids=["bad-key", "unknown-session", "rate-limited", "stripe-error", "not-json"],
)
def test_stripe_answers_become_provider_errors_with_their_status(
    stripe_provider, stripe_payment, answer, status, refused
):
    payment = stripe_payment("cs_test_a1gone")
    with respx.mock() as router:
        router.get(host="api.stripe.com").mock(return_value=answer)

        with pytest.raises(ProviderError) as caught:
            stripe_provider.verify(payment.reference)

    assert (caught.value.status_code, caught.value.refused) == (status, refused)


# -- refunds and expiry --------------------------------------------------------------------------


def test_a_refund_names_the_payment_intent_once_per_reference(fake, stripe_provider, stripe_payment):
    session = open_session(stripe_provider)
    payment = stripe_payment(session.session_id)
    fake.pay(session.session_id)

    refund = stripe_provider.refund(reference=payment.reference)

    request = fake.calls("POST", "/v1/refunds")[0]
    assert fake.form(request) == {
        "payment_intent": fake.only_session["payment_intent"],
        "metadata[reference]": payment.reference,
    }
    assert request.headers["Idempotency-Key"] == f"refund-{payment.reference}-full"
    assert refund["status"] == "succeeded" and refund["amount"] == 683


def test_refunding_twice_is_refused_and_the_charge_reads_refunded(fake, stripe_provider, stripe_payment):
    session = open_session(stripe_provider)
    payment = stripe_payment(session.session_id)
    fake.pay(session.session_id)
    stripe_provider.refund(reference=payment.reference)

    with pytest.raises(ProviderError) as caught:
        stripe_provider.refund(reference=payment.reference)

    assert caught.value.refused
    assert stripe_provider.verify(payment.reference).status == "reversed"


def test_a_session_nobody_paid_has_nothing_to_refund(fake, stripe_provider, stripe_payment):
    session = open_session(stripe_provider)
    payment = stripe_payment(session.session_id)

    with pytest.raises(ProviderError) as caught:
        stripe_provider.refund(reference=payment.reference)

    assert caught.value.status_code == 400
    assert fake.calls("POST", "/v1/refunds") == []


def test_expiring_an_open_session_closes_it(fake, stripe_provider):
    session = open_session(stripe_provider)

    stripe_provider.expire_checkout_session(session.session_id)

    assert fake.calls("POST", f"/v1/checkout/sessions/{session.session_id}/expire")
    assert fake.only_session["status"] == "expired"


def test_expiring_an_expired_session_is_fine_but_a_paid_one_refuses(fake, stripe_provider):
    session = open_session(stripe_provider)
    fake.let_expire(session.session_id)
    stripe_provider.expire_checkout_session(session.session_id)

    paid = open_session(stripe_provider, reference="CAFA-000000000000000000000002", key="other")
    fake.pay(paid.session_id)
    with pytest.raises(ProviderError) as caught:
        stripe_provider.expire_checkout_session(paid.session_id)
    assert caught.value.status_code == 400


# -- webhooks ------------------------------------------------------------------------------------


def session_object(**overrides) -> dict:
    session = {
        "id": "cs_test_a1webhook",
        "object": "checkout.session",
        "amount_total": 683,
        "client_reference_id": "PUR-3FA94C0B1D",
        "currency": "usd",
        "metadata": {"reference": "CAFA-7D3E9B2A41C84F0E5A6B7C8D", "purchase_id": "PUR-3FA94C0B1D"},
        "mode": "payment",
        "payment_intent": "pi_3Qc4fWebhook",
        "payment_status": "paid",
        "status": "complete",
    }
    return session | overrides


def event(event_type="checkout.session.completed", obj=None, event_id="evt_1Qc4fWebhook0001") -> bytes:
    body = {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj or session_object()}}
    return json.dumps(body).encode()


def test_a_signed_completed_session_is_a_neutral_charge_success(stripe_provider):
    body = event()

    parsed = stripe_provider.parse_webhook(body, {"Stripe-Signature": stripe_signature(body)})

    assert parsed.event == "charge.success"
    assert parsed.dedup_key == "checkout.session.completed:evt_1Qc4fWebhook0001"
    assert parsed.raw == json.loads(body)  # stored as received
    assert parsed.data == session_object()
    charge = parsed.charge
    assert (charge.reference, charge.status, charge.amount_minor, charge.currency) == (
        "CAFA-7D3E9B2A41C84F0E5A6B7C8D",
        "success",
        683,
        "USD",
    )
    assert charge.transaction_id == "pi_3Qc4fWebhook"


def test_a_stored_event_reads_back_as_it_was_parsed(stripe_provider):
    body = event()
    parsed = stripe_provider.parse_webhook(body, {"Stripe-Signature": stripe_signature(body)})

    assert stripe_provider.read_event(json.loads(json.dumps(parsed.raw))) == parsed


@pytest.mark.parametrize(
    ("event_type", "obj", "kind"),
    [
        ("checkout.session.completed", session_object(payment_status="unpaid"), "charge.pending"),
        ("checkout.session.async_payment_succeeded", session_object(), "charge.success"),
        ("checkout.session.async_payment_failed", session_object(payment_status="unpaid"), "charge.failed"),
        ("checkout.session.expired", session_object(status="expired", payment_status="unpaid"), "charge.expired"),
        ("charge.refunded", {"id": "ch_1", "object": "charge", "payment_intent": "pi_3Qc4f", "refunded": True}, None),
        ("payment_intent.created", {"id": "pi_1", "object": "payment_intent"}, "stripe.payment_intent.created"),
        ("charge.failed", {"id": "ch_1", "object": "charge"}, "stripe.charge.failed"),
    ],
)
def test_each_stripe_event_has_one_neutral_meaning(stripe_provider, event_type, obj, kind):
    body = event(event_type, obj)

    parsed = stripe_provider.parse_webhook(body, {"stripe-signature": stripe_signature(body)})

    assert parsed.event == (kind or "charge.refunded")
    assert parsed.dedup_key == f"{event_type}:evt_1Qc4fWebhook0001"


@pytest.mark.parametrize(("refunded", "status"), [(True, "reversed"), (False, "success")], ids=["full", "partial"])
def test_a_refunded_charge_names_its_payment_intent(stripe_provider, refunded, status):
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_3Qc4f", "refunded": refunded, "amount": 683}
    body = event("charge.refunded", charge | {"amount_refunded": 683 if refunded else 100, "currency": "usd"})

    parsed = stripe_provider.parse_webhook(body, {"Stripe-Signature": stripe_signature(body)})

    assert (parsed.charge.reference, parsed.charge.transaction_id) == ("", "pi_3Qc4f")
    assert (parsed.charge.status, parsed.charge.amount_minor, parsed.charge.currency) == (status, 683, "USD")


@pytest.mark.parametrize(
    "signature",
    [
        lambda body: stripe_signature(body, secret="whsec_someone_else"),
        lambda body: stripe_signature(body + b" "),
        lambda body: "",
        lambda body: "t=1700000000",
        lambda body: "v1=" + stripe_signature(body).split("v1=")[1],
        lambda body: stripe_signature(body).replace("v1=", "v0="),
    ],
    ids=["other-secret", "other-body", "empty", "no-v1", "no-timestamp", "wrong-scheme"],
)
def test_a_body_stripe_did_not_sign_is_refused(stripe_provider, signature):
    body = event()
    with pytest.raises(InvalidSignature):
        stripe_provider.parse_webhook(body, {"Stripe-Signature": signature(body)})


def test_a_missing_signature_header_is_refused(stripe_provider):
    with pytest.raises(InvalidSignature):
        stripe_provider.parse_webhook(event(), {})


def test_events_older_than_five_minutes_are_refused(stripe_provider):
    body = event()
    now = int(datetime.now(UTC).timestamp())

    stripe_provider.parse_webhook(body, {"Stripe-Signature": stripe_signature(body, timestamp=now - 299)})
    with pytest.raises(InvalidSignature):
        stripe_provider.parse_webhook(body, {"Stripe-Signature": stripe_signature(body, timestamp=now - 301)})


def test_a_replayed_old_signature_on_a_new_body_is_refused(stripe_provider):
    old = event(event_id="evt_old")
    stolen = stripe_signature(old, timestamp=int((datetime.now(UTC) - timedelta(hours=1)).timestamp()))

    with pytest.raises(InvalidSignature):
        stripe_provider.parse_webhook(old, {"Stripe-Signature": stolen})


def test_rolled_secrets_any_matching_v1_signature_is_accepted(stripe_provider):
    body = event()
    good = stripe_signature(body)
    timestamp = good.split(",")[0]
    bad = stripe_signature(body, secret="whsec_old_one").split(",")[1]

    parsed = stripe_provider.parse_webhook(body, {"Stripe-Signature": f"{timestamp},{bad},{good.split(',')[1]}"})

    assert parsed.event == "charge.success"


BAD_AMOUNT = {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"amount_total": "lots"}}}


@pytest.mark.parametrize(
    "body", [b"not json", b'["a list"]', b'{"object": "event"}', b"\xff\xfe", json.dumps(BAD_AMOUNT).encode()]
)
def test_a_signed_body_that_is_not_a_stripe_event_is_refused(stripe_provider, body):
    with pytest.raises(InvalidSignature):
        stripe_provider.parse_webhook(body, {"Stripe-Signature": stripe_signature(body)})


def test_without_a_webhook_secret_nothing_verifies():
    keyless = StripeProvider(STRIPE_TEST_SECRET, "", max_network_retries=0)
    body = event()
    with pytest.raises(InvalidSignature):
        keyless.parse_webhook(body, {"Stripe-Signature": stripe_signature(body, secret="")})
