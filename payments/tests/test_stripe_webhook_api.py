"""L4 `POST /api/payments/webhook/` = `/api/v1/webhooks/stripe/` (CONTRACT.md §13.4).

Signed with the endpoint secret exactly as Stripe signs; stored once per event id like Paystack's
events; each handled type moves the payment as the contract says.
"""

from datetime import timedelta
from unittest.mock import Mock

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from payments import providers
from payments.models import Payment, WebhookEvent
from payments.providers.stripe import StripeProvider
from payments.services import completion, jobs
from payments.tests.stripe_fixtures import LEGACY_URL, STRIPE_TEST_SECRET, signed_event, stripe_signature
from payouts.models import LedgerEntry
from tickets.models import Purchase, Ticket, TicketDelivery
from tickets.services import outbox

pytestmark = pytest.mark.django_db

CREATE_URL = f"{LEGACY_URL}/create-payment-intent/"
WEBHOOK_URL = f"{LEGACY_URL}/webhook/"
WEBHOOK_ALIAS = "/api/v1/webhooks/stripe/"


@pytest.fixture
def session(buyer_client, event, paid_type, fake_stripe, django_capture_on_commit_callbacks):
    """An L1 checkout for 2 Regular tickets (GHS 105.00 = USD 6.83); returns its Stripe session id."""
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(
            CREATE_URL, {"event_id": event.pk, "ticket_type_id": paid_type.pk, "quantity": 2}, format="json"
        )
    assert response.status_code == 201, response.json()
    return response.json()["session_id"]


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """POST a Stripe event (or raw bytes with headers) to the webhook; processing runs after commit."""

    def post(event, url=WEBHOOK_URL, **signature):
        body, headers = signed_event(event, **signature) if isinstance(event, dict) else event
        with django_capture_on_commit_callbacks(execute=True):
            return Client(enforce_csrf_checks=True).post(url, data=body, content_type="application/json", **headers)

    return post


def assert_received(response):
    assert (response.status_code, response.json()) == (200, {"received": True})


def payment() -> Payment:
    return Payment.objects.select_related("purchase").get()


# -- checkout.session.completed --------------------------------------------------------------------


def test_a_paid_session_completes_the_purchase_once(session, fake_stripe, deliver):
    fake_stripe.pay(session)
    event = fake_stripe.session_event("checkout.session.completed", session)

    assert_received(deliver(event))
    assert_received(deliver(event))  # Stripe retries until it gets a 2xx: a replay changes nothing

    record = WebhookEvent.objects.get()
    assert (record.provider, record.event_type, record.dedup_key) == (
        "stripe",
        "charge.success",
        f"checkout.session.completed:{event['id']}",
    )
    assert record.processed_at is not None and record.payload == event  # stored as Stripe sent it
    paid = payment()
    assert (paid.status, paid.purchase.status) == ("completed", "completed")
    assert paid.provider_transaction_id == fake_stripe.only_session["payment_intent"]
    assert Ticket.objects.filter(status="active").count() == 2
    assert LedgerEntry.objects.filter(purchase=paid.purchase).count() == 2
    assert len(mail.outbox) == 1


def test_the_v1_alias_is_the_same_endpoint(session, fake_stripe, deliver):
    fake_stripe.pay(session)
    event = fake_stripe.session_event("checkout.session.completed", session)

    assert_received(deliver(event, url=WEBHOOK_ALIAS))
    assert_received(deliver(event))

    assert WebhookEvent.objects.count() == 1
    assert payment().status == "completed"


def test_a_failed_processing_is_recorded_and_the_job_runs_it_again(
    session, fake_stripe, deliver, monkeypatch, django_capture_on_commit_callbacks
):
    fake_stripe.pay(session)
    complete = completion.complete_payment
    monkeypatch.setattr(completion, "complete_payment", Mock(side_effect=OperationalError("the database went away")))

    assert_received(deliver(fake_stripe.session_event("checkout.session.completed", session)))

    record = WebhookEvent.objects.get()
    assert (record.processed_at, record.attempts) == (None, 1)
    assert record.last_error == "OperationalError: the database went away"
    assert payment().status == "pending"

    monkeypatch.setattr(completion, "complete_payment", complete)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)), django_capture_on_commit_callbacks(execute=True):
        jobs.retry_failed_webhooks()

    record.refresh_from_db()
    assert (record.attempts, record.last_error) == (2, "") and record.processed_at is not None
    assert payment().status == "completed"
    assert len(mail.outbox) == 1


def test_the_ticket_email_goes_out_once_through_the_outbox(session, fake_stripe, deliver, buyer_client, monkeypatch):
    monkeypatch.setattr(completion, "queue_ticket_email", lambda purchase_pk: None)  # the queue lost the message
    fake_stripe.pay(session)
    deliver(fake_stripe.session_event("checkout.session.completed", session))
    deliver(fake_stripe.session_event("checkout.session.async_payment_succeeded", session))
    assert buyer_client.post(f"{LEGACY_URL}/verify/", {"session_id": session}, format="json").status_code == 200
    assert mail.outbox == []

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        outbox.send_due()
        outbox.send_due()

    delivery = TicketDelivery.objects.get()
    assert (delivery.purchase_id, delivery.status) == (payment().purchase_id, "sent")
    assert [message.to for message in mail.outbox] == [["kwame@example.com"]]
    assert len(mail.outbox[0].attachments) == 2  # one PDF per ticket, as for a Paystack purchase


def test_a_completed_session_still_unpaid_waits(session, fake_stripe, deliver):
    fake_stripe.start_delayed_payment(session)

    assert_received(deliver(fake_stripe.session_event("checkout.session.completed", session)))

    assert payment().status == "pending"
    assert WebhookEvent.objects.get().event_type == "charge.pending"

    fake_stripe.succeed_delayed_payment(session)
    assert_received(deliver(fake_stripe.session_event("checkout.session.async_payment_succeeded", session)))

    assert payment().status == "completed"
    assert Ticket.objects.filter(status="active").count() == 2


def test_a_failed_delayed_payment_releases_the_reservation(session, fake_stripe, deliver, paid_type):
    fake_stripe.start_delayed_payment(session)
    fake_stripe.fail_delayed_payment(session)

    assert_received(deliver(fake_stripe.session_event("checkout.session.async_payment_failed", session)))

    failed = payment()
    assert (failed.status, failed.reason_code, failed.purchase.status) == ("failed", "declined", "failed")
    assert failed.failure_reason == "The payment did not go through."
    assert paid_type.tickets.filter(status="reserved").count() == 0


def test_an_expired_session_releases_a_reservation_still_unpaid(session, fake_stripe, deliver, paid_type):
    fake_stripe.let_expire(session)

    assert_received(deliver(fake_stripe.session_event("checkout.session.expired", session)))

    expired = payment()
    assert (expired.status, expired.purchase.status) == ("expired", "expired")
    assert paid_type.tickets.filter(status="reserved").count() == 0


def test_an_expired_event_changes_nothing_on_a_paid_or_cancelled_purchase(session, fake_stripe, deliver, buyer_client):
    buyer_client.post(f"{LEGACY_URL}/cancel/", {"ticket_id": Purchase.objects.get().pk}, format="json")

    assert_received(deliver(fake_stripe.session_event("checkout.session.expired", session)))

    assert payment().status == "cancelled"


def test_a_paid_amount_that_does_not_match_is_refunded(session, fake_stripe, deliver):
    fake_stripe.pay(session, amount=500)

    assert_received(deliver(fake_stripe.session_event("checkout.session.completed", session)))

    mismatched = payment()
    assert (mismatched.status, mismatched.reason_code) == ("failed", "amount_mismatch")
    assert Ticket.objects.filter(status="active").count() == 0
    assert [r["payment_intent"] for r in fake_stripe.refunds] == [fake_stripe.only_session["payment_intent"]]


def test_a_session_of_no_payment_of_ours_is_stored_and_ignored(fake_stripe, deliver):
    stranger = {
        "id": "cs_test_a1stranger",
        "object": "checkout.session",
        "amount_total": 500,
        "currency": "usd",
        "metadata": {},
        "payment_intent": "pi_3Qc4fStranger",
        "payment_status": "paid",
        "status": "complete",
    }

    assert_received(deliver(fake_stripe.event("checkout.session.completed", stranger)))

    assert WebhookEvent.objects.get().processed_at is not None


def test_other_event_types_are_stored_and_ignored(fake_stripe, deliver):
    assert_received(deliver(fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})))

    assert WebhookEvent.objects.get().event_type == "stripe.customer.created"


# -- charge.refunded -------------------------------------------------------------------------------


def test_a_refund_made_in_stripes_dashboard_refunds_the_sale(session, fake_stripe, deliver):
    fake_stripe.pay(session)
    deliver(fake_stripe.session_event("checkout.session.completed", session))
    charge = fake_stripe.refund_in_dashboard(session)

    assert_received(deliver(fake_stripe.charge_event("charge.refunded", charge)))

    refunded = payment()
    assert (refunded.status, refunded.reason_code, refunded.refund_status) == ("refunded", "refunded", "processed")
    assert refunded.purchase.status == "refunded"
    assert set(Ticket.objects.values_list("status", flat=True)) == {"refunded"}
    assert sum(LedgerEntry.objects.filter(purchase=refunded.purchase).values_list("amount", flat=True)) == 0
    assert fake_stripe.refunds == []  # the money already went back: we ask for no second refund


def test_our_own_refund_is_confirmed(session, fake_stripe, deliver, paid_type, buyer_client):
    fake_stripe.pay(session, amount=500)
    deliver(fake_stripe.session_event("checkout.session.completed", session))  # mismatch: refunded by us
    charge = fake_stripe.intents[fake_stripe.only_session["payment_intent"]]["latest_charge"]

    assert_received(deliver(fake_stripe.charge_event("charge.refunded", charge)))

    confirmed = payment()
    assert (confirmed.status, confirmed.refund_status) == ("failed", "processed")
    assert len(fake_stripe.refunds) == 1


def test_a_partial_refund_is_left_to_staff(session, fake_stripe, deliver, caplog):
    fake_stripe.pay(session)
    deliver(fake_stripe.session_event("checkout.session.completed", session))
    charge = fake_stripe.refund_in_dashboard(session) | {"refunded": False, "amount_refunded": 100}

    assert_received(deliver(fake_stripe.charge_event("charge.refunded", charge)))

    assert payment().status == "completed"
    assert "partly refunded" in caplog.text


# -- signatures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_STRIPE_SIGNATURE": "t=1700000000,v1=0000"},
        {},
        {"HTTP_X_PAYSTACK_SIGNATURE": "abc"},
    ],
    ids=["forged", "missing", "someone-elses-header"],
)
def test_an_unsigned_or_forged_event_is_refused_and_not_stored(session, fake_stripe, deliver, headers, assert_error):
    fake_stripe.pay(session)
    body = signed_event(fake_stripe.session_event("checkout.session.completed", session))[0]

    assert_error(deliver((body, headers)), 400, "Invalid signature")

    assert WebhookEvent.objects.count() == 0
    assert payment().status == "pending"


def test_an_event_signed_with_another_secret_is_refused(session, fake_stripe, deliver, assert_error):
    fake_stripe.pay(session)
    event = fake_stripe.session_event("checkout.session.completed", session)

    assert_error(deliver(event, secret="whsec_of_another_endpoint"), 400, "Invalid signature")


def test_a_body_changed_after_signing_is_refused(session, fake_stripe, deliver, assert_error):
    fake_stripe.pay(session)
    body, headers = signed_event(fake_stripe.session_event("checkout.session.completed", session))

    assert_error(deliver((body.replace(b'"paid"', b'"paid" '), headers)), 400, "Invalid signature")


def test_a_replay_outside_the_five_minute_tolerance_is_refused(session, fake_stripe, deliver, assert_error):
    fake_stripe.pay(session)
    body, headers = signed_event(fake_stripe.session_event("checkout.session.completed", session))

    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        assert_error(deliver((body, headers)), 400, "Invalid signature")
    with time_machine.travel(timezone.now() + timedelta(seconds=290)):
        assert_received(deliver((body, headers)))


def test_without_a_webhook_secret_every_event_is_refused(session, fake_stripe, deliver, monkeypatch, assert_error):
    unconfigured = StripeProvider(STRIPE_TEST_SECRET, "", max_network_retries=0)
    monkeypatch.setattr(providers, "stripe_provider", lambda: unconfigured)
    fake_stripe.pay(session)

    response = deliver(fake_stripe.session_event("checkout.session.completed", session), secret="")

    assert_error(response, 400, "Invalid signature")


def test_a_signed_body_that_is_not_json_is_refused(deliver, assert_error, fake_stripe):
    body = b"<xml>not an event</xml>"

    assert_error(deliver((body, {"HTTP_STRIPE_SIGNATURE": stripe_signature(body)})), 400, "Invalid signature")
