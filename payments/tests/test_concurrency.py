"""No oversell and exactly-once issuing under real concurrency (PostgreSQL row locks, real threads).

Run with your own database and Redis DB, e.g.
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_core REDIS_URL=redis://127.0.0.1:6379/5 \
 .venv/bin/pytest -m services payments/tests/test_concurrency.py`
Every thread uses its own database connection and closes it when done.
"""

import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection

from cafa.celery import app as celery_app
from events.models import TicketType
from payments.models import Payment, WebhookEvent
from payments.providers.sandbox import SandboxProvider
from payments.services import completion, webhooks
from payments.tests.fixtures import buy, run_together
from payouts.models import LedgerEntry
from tickets.exceptions import ReservationRefused
from tickets.models import Ticket
from tickets.services import reservations

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BUYERS = 50
STOCK = 20


@pytest.fixture
def buyers(make_user):
    return [make_user() for _ in range(BUYERS)]


def refusals(results):
    return [value for outcome, value in results if outcome == "error"]


def assert_only_stock_refusals(results):
    errors = refusals(results)
    unexpected = [e for e in errors if not isinstance(e, ReservationRefused)]
    assert unexpected == [], f"unexpected errors: {unexpected!r}"
    assert {e.error for e in errors} <= {"Not enough tickets available"}
    return errors


def test_fifty_buyers_racing_for_twenty_tickets_get_exactly_twenty(buyers, make_ticket_type):
    ticket_type = make_ticket_type(quantity=STOCK, max_purchase=4)

    results = run_together(BUYERS, lambda i: buy(buyers[i], ticket_type, 1).purchase.pk)

    winners = [value for outcome, value in results if outcome == "ok"]
    losers = assert_only_stock_refusals(results)
    assert len(winners) == STOCK
    assert len(losers) == BUYERS - STOCK
    assert all(e.extra["available_quantity"] == 0 for e in losers)
    assert Ticket.objects.filter(ticket_type=ticket_type, status="reserved").count() == STOCK
    assert Payment.objects.filter(status="pending").count() == STOCK


def test_mixed_quantities_never_exceed_the_stock(buyers, make_ticket_type):
    ticket_type = make_ticket_type(quantity=STOCK, max_purchase=4)
    wanted = [random.Random(2026 + i).randint(1, 4) for i in range(BUYERS)]

    results = run_together(BUYERS, lambda i: buy(buyers[i], ticket_type, wanted[i]).purchase.quantity)

    sold = sum(value for outcome, value in results if outcome == "ok")
    assert_only_stock_refusals(results)
    refused = [(wanted[i], error) for i, (outcome, error) in enumerate(results) if outcome == "error"]
    reserved = Ticket.objects.filter(ticket_type=ticket_type, status="reserved").count()
    assert reserved == sold <= STOCK
    assert refused, "with 50 buyers wanting ~125 tickets some must be refused"
    # each refusal told the truth, and stock only shrank: what is left is less than any refused order
    assert all(error.extra["available_quantity"] < quantity for quantity, error in refused)
    assert STOCK - sold < min(quantity for quantity, _ in refused)


@pytest.fixture
def paid_in_sandbox(make_user, make_ticket_type):
    """Two tickets reserved through the sandbox, and the buyer pressed Pay (no webhook delivered yet)."""
    checkout = buy(make_user(), make_ticket_type(quantity=STOCK), 2)
    provider = SandboxProvider()
    charge = provider.record_outcome(checkout.payment.reference, "success")
    body, headers = provider.signed_charge_success(charge)
    return checkout, body, headers


def assert_issued_once(checkout, queued):
    payment = Payment.objects.get(pk=checkout.payment.pk)
    assert payment.status == "completed"
    assert Ticket.objects.filter(status="active").count() == 2
    assert LedgerEntry.objects.filter(purchase_id=payment.purchase_id).count() == 2
    assert queued == [payment.purchase_id]
    assert len(mail.outbox) == 1


def assert_no_errors(results):
    errors = refusals(results)
    assert errors == [], f"unexpected errors: {errors!r}"


def test_duplicate_webhook_deliveries_at_the_same_moment_issue_once(paid_in_sandbox, inline_side_effects):
    checkout, body, headers = paid_in_sandbox

    results = run_together(8, lambda i: webhooks.receive_webhook(body=body, headers=headers)[1])

    assert_no_errors(results)
    assert sorted(value for _, value in results) == [False] * 7 + [True]
    assert WebhookEvent.objects.count() == 1
    assert WebhookEvent.objects.get().attempts == 1
    assert_issued_once(checkout, inline_side_effects)


def test_processing_one_stored_event_from_many_workers_at_once_acts_once(paid_in_sandbox, inline_side_effects):
    checkout, body, headers = paid_in_sandbox
    record, _new = webhooks.receive_webhook(body=body, headers=headers)
    inline_side_effects.clear()  # receive_webhook processed it inline already: start again from scratch
    mail.outbox.clear()
    Payment.objects.filter(pk=checkout.payment.pk).update(status="pending", completed_at=None)
    Ticket.objects.update(status="reserved", issued_at=None)
    TicketType.objects.update(issued_count=0)  # un-issued behind the services' back: the counter too
    LedgerEntry.objects.all().delete()
    checkout.purchase.__class__.objects.filter(pk=checkout.purchase.pk).update(status="pending", completed_at=None)
    WebhookEvent.objects.filter(pk=record.pk).update(processed_at=None, attempts=0)

    results = run_together(8, lambda i: webhooks.process_webhook_event(event_pk=record.pk))

    assert_no_errors(results)
    assert WebhookEvent.objects.get().attempts == 1
    assert_issued_once(checkout, inline_side_effects)


def test_webhooks_racing_verify_read_throughs_issue_once(paid_in_sandbox, inline_side_effects):
    checkout, body, headers = paid_in_sandbox

    def work(i):
        if i % 2:
            return webhooks.receive_webhook(body=body, headers=headers)[1]
        return completion.refresh_payment(Payment.objects.select_related("purchase").get(pk=checkout.payment.pk))

    results = run_together(8, work)

    assert_no_errors(results)
    assert WebhookEvent.objects.count() == 1
    assert_issued_once(checkout, inline_side_effects)


def test_read_throughs_at_the_same_moment_issue_once(paid_in_sandbox, inline_side_effects):
    checkout, _body, _headers = paid_in_sandbox

    results = run_together(
        6, lambda i: completion.refresh_payment(Payment.objects.select_related("purchase").get(pk=checkout.payment.pk))
    )

    assert_no_errors(results)
    assert_issued_once(checkout, inline_side_effects)


def test_a_completion_in_progress_does_not_hold_up_checkouts_for_the_same_event(
    paid_in_sandbox, inline_side_effects, make_user, monkeypatch
):
    """The completion locks its payment and its ticket type's stock, not the event: buyers of the event's
    other ticket types keep reserving meanwhile (the same type waits, briefly, for the stock decision)."""
    checkout, _body, _headers = paid_in_sandbox
    ticket_type = TicketType.objects.create(
        event=checkout.purchase.event, name="Balcony", price=Decimal("80.00"), quantity=10, max_purchase=4
    )
    other = make_user()
    inside, release = threading.Event(), threading.Event()
    real_issue = reservations.issue_tickets

    def slow_issue(**kwargs):
        inside.set()
        release.wait(15)
        return real_issue(**kwargs)

    monkeypatch.setattr(reservations, "issue_tickets", slow_issue)
    outcome = {}

    def complete():
        try:
            outcome["completed"] = completion.refresh_payment(
                Payment.objects.select_related("purchase").get(pk=checkout.payment.pk)
            ).status
        finally:
            connection.close()

    def reserve():
        try:
            outcome["reserved"] = buy(other, ticket_type, 1).purchase.status
        except BaseException as error:
            outcome["reserved"] = error
        finally:
            connection.close()

    completer = threading.Thread(target=complete, daemon=True)
    completer.start()
    try:
        assert inside.wait(10), "the completion never started"
        reserver = threading.Thread(target=reserve, daemon=True)
        reserver.start()
        reserver.join(5)
        finished_meanwhile = not reserver.is_alive()
    finally:
        release.set()
        completer.join(20)
    reserver.join(20)

    assert finished_meanwhile, "the checkout waited for another buyer's payment to complete"
    assert outcome == {"completed": "completed", "reserved": "pending"}


def test_a_late_success_racing_buyers_for_the_last_tickets_never_oversells(
    buyers, make_ticket_type, inline_side_effects
):
    ticket_type = make_ticket_type(quantity=STOCK, max_purchase=4)
    late = buy(buyers[0], ticket_type, 4)
    lapsed_at = late.purchase.reservation_expires_at - timedelta(minutes=30)
    late.purchase.__class__.objects.filter(pk=late.purchase.pk).update(reservation_expires_at=lapsed_at)
    Ticket.objects.filter(purchase=late.purchase).update(reserved_until=lapsed_at)  # the buyer paid too late
    SandboxProvider().record_outcome(late.payment.reference, "success")

    def work(i):
        if i == 0:
            return completion.refresh_payment(Payment.objects.select_related("purchase").get(pk=late.payment.pk)).status
        return buy(buyers[i], ticket_type, 1).purchase.status

    results = run_together(STOCK + 1, work)

    assert_only_stock_refusals(results[1:])
    assert results[0][0] == "ok", results[0]
    holding = Ticket.objects.filter(ticket_type=ticket_type, status__in=("active", "reserved"))
    winners = sum(1 for outcome, _ in results[1:] if outcome == "ok")
    late_payment = Payment.objects.get(pk=late.payment.pk)
    if late_payment.status == "completed":
        assert holding.filter(status="active").count() == 4
        assert winners == STOCK - 4
    else:
        assert (late_payment.status, late_payment.reason_code) == ("refunded", "refunded_sold_out")
        assert winners == STOCK
    assert holding.count() == STOCK


def test_duplicate_webhooks_over_http_processed_by_a_real_worker_issue_once(paid_in_sandbox, celery_worker_process):
    """The production shape: the view answers at once, a Celery worker processes and mails after commit."""
    from django.test import Client

    from conftest import wait_until

    checkout, body, headers = paid_in_sandbox
    signature = next(iter(headers.values()))
    celery_app.control.purge()  # stale messages of earlier runs must not race this test's database

    def deliver(i):
        response = Client().post(
            "/api/v1/payments/webhook/", data=body, content_type="application/json", HTTP_X_PAYSTACK_SIGNATURE=signature
        )
        return response.status_code, response.json()

    results = run_together(6, deliver)

    assert_no_errors(results)
    assert [value for _, value in results] == [(200, {"received": True})] * 6
    assert wait_until(lambda: Payment.objects.get(pk=checkout.payment.pk).status == "completed", timeout=15)
    purchase_id = checkout.purchase.purchase_id
    mail_dir = celery_worker_process["mail_dir"]
    assert wait_until(lambda: [p for p in mail_dir.iterdir() if purchase_id in p.read_text()], timeout=15)
    assert WebhookEvent.objects.count() == 1
    assert Ticket.objects.filter(status="active").count() == 2
    assert LedgerEntry.objects.filter(purchase_id=checkout.purchase.pk).count() == 2
    assert len([p for p in mail_dir.iterdir() if purchase_id in p.read_text()]) == 1
    # let the worker go idle before the database is flushed under it
    assert wait_until(lambda: not any((celery_app.control.inspect(timeout=1).active() or {"-": []}).values()))


def test_one_buyer_racing_across_ticket_types_never_passes_the_open_purchase_limit(make_user, make_ticket_type):
    buyer = make_user()
    ticket_types = [make_ticket_type(quantity=5) for _ in range(12)]

    results = run_together(len(ticket_types), lambda i: buy(buyer, ticket_types[i]).purchase.purchase_id)

    succeeded = [value for outcome, value in results if outcome == "ok"]
    refused = [value for outcome, value in results if outcome == "error"]
    assert len(succeeded) == 5  # MAX_OPEN_PURCHASES_PER_USER
    assert all(isinstance(error, ReservationRefused) for error in refused)
    assert {error.error for error in refused} == {"Too many pending purchases"}
