"""Event cancellation under real concurrency (PostgreSQL row locks, real threads): each order refunded once.

Run with your own database and Redis DB, e.g.
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_x REDIS_URL=redis://127.0.0.1:6379/N \
 .venv/bin/pytest -m services payments/tests/test_event_cancellation_concurrency.py`
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail

from events.models import Event
from payments.models import Payment, SandboxCharge
from payments.providers.sandbox import SandboxProvider
from payments.services import completion, refunds
from payments.tests.fixtures import buy
from payments.tests.test_concurrency import run_together
from payouts.models import LedgerEntry
from payouts.services import event_cancellation
from tickets.models import Ticket
from tickets.services import cancellation_notices

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ORDERS = 8


@pytest.fixture
def provider_refunds(monkeypatch):
    """Refunds and buyer notices run in the committing thread; every provider refund call is counted."""
    calls = Counter()
    lock = threading.Lock()
    original = SandboxProvider.refund

    def refund(self, *, reference, **kwargs):
        with lock:
            calls[reference] += 1
        return original(self, reference=reference, **kwargs)

    monkeypatch.setattr(SandboxProvider, "refund", refund)
    monkeypatch.setattr(refunds, "enqueue", lambda name, pk: refunds.send_refund(payment_pk=pk))
    monkeypatch.setattr(completion, "_queue_refund", lambda pk: refunds.send_refund(payment_pk=pk))
    monkeypatch.setattr(completion, "queue_ticket_email", lambda pk: None)
    monkeypatch.setattr(cancellation_notices, "enqueue", lambda name, pk: cancellation_notices.send(purchase_pk=pk))
    return calls


@pytest.fixture
def orders(make_event, make_user):
    """ORDERS pending checkouts of one ticket each for an event on sale."""
    event = make_event()
    regular = event.ticket_types.get(name="Regular")
    return event, [buy(make_user(), regular).payment for _ in range(ORDERS)]


def assert_each_order_refunded_once(event, payments, provider_refunds):
    assert provider_refunds == {payment.reference: 1 for payment in payments}
    assert set(Payment.objects.filter(pk__in=[p.pk for p in payments]).values_list("status", flat=True)) == {"refunded"}
    assert not Ticket.objects.filter(event=event, status__in=("active", "used")).exists()
    organizer_total = sum(LedgerEntry.objects.filter(event=event).values_list("amount", flat=True), Decimal("0"))
    assert organizer_total == Decimal("0.00")
    buyer_mails = Counter(m.to[0] for m in mail.outbox if m.subject == f"Cancelled: {event.title}")
    assert sorted(buyer_mails.values()) == [1] * len(payments)


def test_two_cancellations_at_once_refund_each_order_once(orders, provider_refunds):
    event, payments = orders
    for payment in payments:
        SandboxCharge.objects.filter(reference=payment.reference).update(outcome="success")
        completion.refresh_payment(payment)  # issued
    mail.outbox.clear()

    results = run_together(
        2, lambda i: event_cancellation.cancel_event(event=Event.objects.get(pk=event.pk), reason="Storm.")
    )

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert_each_order_refunded_once(event, payments, provider_refunds)
    assert sum(1 for m in mail.outbox if m.subject.startswith("Your event")) == 1  # the organizer, once


def test_payments_succeeding_while_the_event_is_cancelled_are_refunded_once_never_kept(orders, provider_refunds):
    event, payments = orders
    for payment in payments:  # paid at the provider; our read-throughs race the cancellation
        SandboxCharge.objects.filter(reference=payment.reference).update(outcome="success")
    mail.outbox.clear()

    def work(index):
        if index == 0:
            return event_cancellation.cancel_event(event=Event.objects.get(pk=event.pk), reason="Storm.")
        return completion.refresh_payment(Payment.objects.select_related("purchase").get(pk=payments[index - 1].pk))

    results = run_together(ORDERS + 1, work)

    assert all(kind == "ok" for kind, _ in results), results
    assert_each_order_refunded_once(event, payments, provider_refunds)
