"""Provider webhooks (CONTRACT.md §6.13): verified, stored once, processed once, retried on error."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from payments import signals
from payments.models import Payment, WebhookEvent
from payments.providers import InvalidSignature
from payments.providers.paystack import SIGNATURE_HEADER
from payments.services import completion, jobs, refunds, webhooks
from payments.tests.fixtures import buy, paystack_sign, signed_event
from payouts.models import LedgerEntry
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

TRANSFER_SUCCESS = {
    "amount": 100,
    "currency": "GHS",
    "domain": "test",
    "failures": None,
    "id": 37272792,
    "reason": "Payout account check",
    "reference": "pd-6f1c2a7b9e0d4c3b8a1f5e2d7c6b9a04",
    "source": "balance",
    "status": "success",
    "transfer_code": "TRF_wpl1dem4967avzm",
    "transferred_at": "2026-02-03T18:30:00.000Z",
    "recipient": {"recipient_code": "RCP_1a2b3c4d5e6f7g8", "type": "mobile_money"},
}
REFUND_PROCESSED = {
    "status": "processed",
    "transaction_reference": "CAFA-0123456789ABCDEF01234567",
    "refund_reference": "132013318360",
    "amount": 10500,
    "currency": "GHS",
    "processor": "mpgs_zen",
    "customer": {"email": "ama.owusu@example.com"},
    "integration": 463433,
    "domain": "test",
}


@pytest.fixture
def paid(buyer, ticket_type, fake_paystack):
    """Two tickets reserved and paid at Paystack; the `charge.success` webhook is on its way."""
    checkout = buy(buyer, ticket_type, 2)
    fake_paystack.pay(checkout.payment.reference)
    return checkout


def charge_success(fake, payment) -> tuple[bytes, dict]:
    return signed_event("charge.success", fake.charge_success_data(payment.reference))


def deliver(body, headers, capture):
    with capture(execute=True):
        return webhooks.receive_webhook(body=body, headers=headers)


def test_a_signed_charge_success_is_stored_and_issues_the_tickets(
    paid, fake_paystack, django_capture_on_commit_callbacks
):
    body, headers = charge_success(fake_paystack, paid.payment)

    record, new = deliver(body, headers, django_capture_on_commit_callbacks)

    assert new is True
    record.refresh_from_db()
    tx = fake_paystack.transactions[paid.payment.reference]
    assert record.dedup_key == f"charge.success:{tx['id']}"
    assert record.event_type == "charge.success"
    assert record.payload == json.loads(body)
    assert record.processed_at is not None and record.attempts == 1 and record.last_error == ""
    payment = Payment.objects.get(pk=paid.payment.pk)
    assert payment.status == "completed"
    assert payment.card_details == {"brand": "visa", "last4": "4081", "exp_month": "12", "exp_year": "2030"}
    assert Ticket.objects.filter(status="active").count() == 2
    assert fake_paystack.calls("GET", "/transaction/verify/") == []  # the signed body is the verdict


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SIGNATURE_HEADER: ""},
        {SIGNATURE_HEADER: "0" * 128},
        {SIGNATURE_HEADER: paystack_sign(b"another body")},
        "wrong_secret",
    ],
)
def test_a_missing_or_bad_signature_is_refused_and_nothing_is_stored(paid, fake_paystack, headers):
    body, _good = charge_success(fake_paystack, paid.payment)
    if headers == "wrong_secret":
        headers = {SIGNATURE_HEADER: paystack_sign(body, "sk_test_someone_else")}

    with pytest.raises(InvalidSignature):
        webhooks.receive_webhook(body=body, headers=headers)

    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=paid.payment.pk).status == "pending"


def test_a_body_changed_after_signing_is_refused(paid, fake_paystack):
    body, headers = charge_success(fake_paystack, paid.payment)
    tampered = body.replace(b'"amount": 10500', b'"amount": 10600')
    assert tampered != body

    with pytest.raises(InvalidSignature):
        webhooks.receive_webhook(body=tampered, headers=headers)

    assert WebhookEvent.objects.count() == 0


def test_the_same_event_twice_is_stored_once_and_issues_once(paid, fake_paystack, django_capture_on_commit_callbacks):
    body, headers = charge_success(fake_paystack, paid.payment)

    first = deliver(body, headers, django_capture_on_commit_callbacks)
    second = deliver(body, headers, django_capture_on_commit_callbacks)

    assert (first[1], second[1]) == (True, False)
    assert first[0].pk == second[0].pk
    assert WebhookEvent.objects.count() == 1
    assert Ticket.objects.filter(status="active").count() == 2
    assert LedgerEntry.objects.count() == 2
    assert len(mail.outbox) == 1


def test_a_charge_for_an_unknown_reference_is_stored_and_ignored(
    paid, fake_paystack, django_capture_on_commit_callbacks
):
    data = {**fake_paystack.charge_success_data(paid.payment.reference), "reference": "T_not_ours", "id": 1}
    body, headers = signed_event("charge.success", data)

    deliver(body, headers, django_capture_on_commit_callbacks)

    record = WebhookEvent.objects.get()
    assert record.processed_at is not None and record.last_error == ""
    assert not Ticket.objects.filter(status="active").exists()


@pytest.mark.parametrize(
    ("event", "data", "key"),
    [
        ("transfer.success", TRANSFER_SUCCESS, "transfer.success:TRF_wpl1dem4967avzm"),
        ("transfer.failed", {**TRANSFER_SUCCESS, "status": "failed"}, "transfer.failed:TRF_wpl1dem4967avzm"),
        ("transfer.reversed", {**TRANSFER_SUCCESS, "status": "reversed"}, "transfer.reversed:TRF_wpl1dem4967avzm"),
    ],
)
def test_transfer_events_are_stored_and_routed_to_the_signal(
    fake_paystack, django_capture_on_commit_callbacks, event, data, key
):
    received = []

    def receiver(sender, event, data, **kwargs):
        received.append((event, data))

    signals.transfer_event_received.connect(receiver)
    try:
        deliver(*signed_event(event, data), django_capture_on_commit_callbacks)
    finally:
        signals.transfer_event_received.disconnect(receiver)

    record = WebhookEvent.objects.get()
    assert record.dedup_key == key
    assert record.processed_at is not None
    assert received == [(event, data)]


@pytest.mark.parametrize(
    ("event", "data", "key"),
    [
        ("refund.processed", REFUND_PROCESSED, "refund.processed:132013318360"),
        ("refund.failed", {**REFUND_PROCESSED, "status": "failed"}, "refund.failed:132013318360"),
    ],
)
def test_refund_events_are_stored_and_routed_to_the_refunds_service(
    fake_paystack, monkeypatch, django_capture_on_commit_callbacks, event, data, key
):
    received = []
    monkeypatch.setattr(refunds, "record_refund_outcome", lambda **kwargs: received.append(kwargs))

    deliver(*signed_event(event, data), django_capture_on_commit_callbacks)

    record = WebhookEvent.objects.get()
    assert record.dedup_key == key
    assert record.processed_at is not None
    assert received == [{"event": event, "data": data}]


def test_other_events_are_stored_and_ignored(fake_paystack, monkeypatch, django_capture_on_commit_callbacks):
    received = []
    monkeypatch.setattr(refunds, "record_refund_outcome", lambda **kwargs: received.append(kwargs))
    signals.transfer_event_received.connect(lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="t")
    try:
        deliver(*signed_event("subscription.create", {"id": 99}), django_capture_on_commit_callbacks)
    finally:
        signals.transfer_event_received.disconnect(dispatch_uid="t")

    assert WebhookEvent.objects.get().dedup_key == "subscription.create:99"
    assert received == []


def test_a_processing_error_is_recorded_and_retried_by_the_job(
    paid, fake_paystack, monkeypatch, django_capture_on_commit_callbacks
):
    real_complete = completion.complete_payment

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(completion, "complete_payment", broken)
    deliver(*charge_success(fake_paystack, paid.payment), django_capture_on_commit_callbacks)

    record = WebhookEvent.objects.get()
    assert record.processed_at is None
    assert record.attempts == 1
    assert record.last_error == "RuntimeError: database went away"
    assert Payment.objects.get(pk=paid.payment.pk).status == "pending"

    jobs.retry_failed_webhooks()  # too fresh: left for a minute
    assert WebhookEvent.objects.get().attempts == 1

    monkeypatch.setattr(completion, "complete_payment", real_complete)
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        jobs.retry_failed_webhooks()
        jobs.retry_failed_webhooks()  # processed events are not re-run

    record.refresh_from_db()
    assert record.processed_at is not None
    assert record.attempts == 2
    assert record.last_error == ""
    assert Payment.objects.get(pk=paid.payment.pk).status == "completed"
    assert Ticket.objects.filter(status="active").count() == 2
    assert len(mail.outbox) == 1


def test_the_job_gives_up_after_many_attempts(paid, fake_paystack, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(completion, "complete_payment", lambda **kw: 1 / 0)
    deliver(*charge_success(fake_paystack, paid.payment), django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        for _ in range(jobs.WEBHOOK_MAX_ATTEMPTS + 3):
            jobs.retry_failed_webhooks()

    assert WebhookEvent.objects.get().attempts == jobs.WEBHOOK_MAX_ATTEMPTS


# --- Through HTTP -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/payments/webhook/", "/api/v1/webhooks/paystack/"])
def test_the_webhook_endpoint_answers_received_and_issues_the_tickets(
    paid, fake_paystack, api_client, django_capture_on_commit_callbacks, path
):
    body, headers = charge_success(fake_paystack, paid.payment)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            path, data=body, content_type="application/json", HTTP_X_PAYSTACK_SIGNATURE=headers[SIGNATURE_HEADER]
        )

    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert Payment.objects.get(pk=paid.payment.pk).status == "completed"
    assert Ticket.objects.filter(status="active").count() == 2


@pytest.mark.parametrize("path", ["/api/v1/payments/webhook/", "/api/v1/webhooks/paystack/"])
def test_a_redelivery_over_http_answers_200_without_side_effects(
    paid, fake_paystack, api_client, django_capture_on_commit_callbacks, path
):
    body, headers = charge_success(fake_paystack, paid.payment)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(
                path, data=body, content_type="application/json", HTTP_X_PAYSTACK_SIGNATURE=headers[SIGNATURE_HEADER]
            )
        assert response.status_code == 200

    assert WebhookEvent.objects.count() == 1
    assert LedgerEntry.objects.count() == 2
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("path", ["/api/v1/payments/webhook/", "/api/v1/webhooks/paystack/"])
@pytest.mark.parametrize("signature", [None, "deadbeef"])
def test_the_webhook_endpoint_refuses_a_bad_signature(paid, fake_paystack, api_client, path, signature):
    body, _headers = charge_success(fake_paystack, paid.payment)
    extra = {} if signature is None else {"HTTP_X_PAYSTACK_SIGNATURE": signature}

    response = api_client.post(path, data=body, content_type="application/json", **extra)

    assert response.status_code == 400
    assert response.json()["error"] == "Invalid signature"
    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=paid.payment.pk).status == "pending"


def test_the_endpoint_checks_signatures_with_the_configured_paystack_secret(settings, api_client):
    settings.PAYSTACK_SECRET_KEY = "sk_test_configured_in_settings_only"
    body, headers = signed_event("transfer.success", TRANSFER_SUCCESS, secret=settings.PAYSTACK_SECRET_KEY)
    signature = headers[SIGNATURE_HEADER]

    good = api_client.post(
        "/api/v1/webhooks/paystack/", data=body, content_type="application/json", HTTP_X_PAYSTACK_SIGNATURE=signature
    )
    bad = api_client.post(
        "/api/v1/webhooks/paystack/",
        data=body,
        content_type="application/json",
        HTTP_X_PAYSTACK_SIGNATURE=paystack_sign(body),  # the right algorithm, another key
    )

    assert (good.status_code, good.json()) == (200, {"received": True})
    assert (bad.status_code, bad.json()["error"]) == (400, "Invalid signature")
    assert WebhookEvent.objects.get().provider == "paystack"


@pytest.mark.parametrize(("event", "logged_as_error"), [("refund.processed", False), ("refund.failed", True)])
def test_a_refund_outcome_is_recorded_and_failures_are_flagged_for_staff(
    paid, fake_paystack, django_capture_on_commit_callbacks, caplog, event, logged_as_error
):
    payment = paid.payment
    data = {**REFUND_PROCESSED, "transaction_reference": payment.reference, "status": event.split(".")[1]}

    with caplog.at_level("ERROR", logger="payments.services.refunds"):
        deliver(*signed_event(event, data), django_capture_on_commit_callbacks)

    payment.refresh_from_db()
    assert payment.refund_status == event.split(".")[1]
    assert any(record.levelname == "ERROR" for record in caplog.records) is logged_as_error
