"""The issued counter stays exact under real concurrency (PostgreSQL row locks, real threads).

Issues, refunds and new reservations of one ticket type race; afterwards the counter equals a full
count of the type's issued tickets, nothing is oversold, and the operators' check finds no drift.
Every thread uses its own database connection and closes it when done.
"""

import random

import pytest
from django.utils import timezone

from events.models import TicketType
from payments.models import Payment
from payments.providers.sandbox import SandboxProvider
from payments.services import completion, refunds
from payments.tests.fixtures import buy, run_together
from tickets.exceptions import ReservationRefused
from tickets.models import ISSUED_TICKET_STATUSES, Ticket
from tickets.services import stock_counters

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def pay(payment) -> Payment:
    SandboxProvider().record_outcome(payment.reference, "success")
    return completion.refresh_payment(Payment.objects.get(pk=payment.pk))


def assert_exact(ticket_type) -> int:
    ticket_type.refresh_from_db()
    issued = Ticket.objects.filter(ticket_type=ticket_type, status__in=ISSUED_TICKET_STATUSES).count()
    assert ticket_type.issued_count == issued
    assert stock_counters.check_stock_counters().drifted == []
    return issued


def test_concurrent_issues_refunds_and_reservations_keep_the_counter_exact(make_user, make_ticket_type):
    ticket_type = make_ticket_type(quantity=60, max_purchase=4)
    checkouts = [buy(make_user(), ticket_type, 2) for _ in range(20)]
    for done in checkouts[:10]:
        assert pay(done.payment).status == "completed"
    newcomers = [make_user() for _ in range(10)]
    wanted = [random.Random(12 + i).randint(1, 4) for i in range(10)]

    def work(i):
        if i < 10:  # issue the second half
            return pay(checkouts[10 + i].payment).status
        if i < 20:  # refund the first half
            return refunds.refund_completed_payment(payment_pk=checkouts[i - 10].payment.pk, reason="race").status
        return buy(newcomers[i - 20], ticket_type, wanted[i - 20]).purchase.status

    results = run_together(30, work)

    errors = [value for outcome, value in results if outcome == "error"]
    assert all(isinstance(error, ReservationRefused) for error in errors), errors
    assert [value for _, value in results[:10]] == ["completed"] * 10
    assert [value for _, value in results[10:20]] == ["refunded"] * 10
    assert assert_exact(ticket_type) == 20
    holding = Ticket.objects.holding_stock(timezone.now()).filter(ticket_type=ticket_type).count()
    assert holding <= ticket_type.quantity


def test_racing_to_issue_the_last_seats_counts_each_once_and_stamps_sold_out(make_user, make_ticket_type):
    ticket_type = make_ticket_type(quantity=24, max_purchase=4)
    checkouts = [buy(make_user(), ticket_type, 3) for _ in range(8)]

    results = run_together(8, lambda i: pay(checkouts[i].payment).status)

    assert [value for _, value in results] == ["completed"] * 8
    assert assert_exact(ticket_type) == 24
    assert TicketType.objects.get(pk=ticket_type.pk).sold_out_at is not None
