"""The issued counter (`TicketType.issued_count`) never drifts from a full count (issue 12 item 5).

One walk through every kind of transition that moves tickets into or out of the issued statuses, or
only holds stock: after each one, every type's counter equals a full count of its issued tickets (and
the operators' check finds nothing). The race tests with real row locks are in
test_stock_counter_concurrency.py.
"""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from events.models import Event, TicketType
from payments import providers
from payments.models import Payment
from payments.services import checkout, completion, jobs, refunds
from payments.tests.fixtures import attendee_for, buy
from payouts.services import event_cancellation
from tickets.exceptions import ReservationRefused
from tickets.models import ISSUED_TICKET_STATUSES, Ticket, WaitlistEntry
from tickets.services import checkin, reservations, stock_counters, waitlist

pytestmark = pytest.mark.django_db


def assert_counters_exact():
    for ticket_type in TicketType.objects.all():
        issued = Ticket.objects.filter(ticket_type=ticket_type, status__in=ISSUED_TICKET_STATUSES).count()
        assert ticket_type.issued_count == issued, f"{ticket_type}: counter {ticket_type.issued_count}, {issued}"
    assert stock_counters.check_stock_counters().drifted == []


def issued_count(ticket_type) -> int:
    return TicketType.objects.get(pk=ticket_type.pk).issued_count


def pay(fake, payment) -> Payment:
    fake.pay(payment.reference)
    return completion.complete_payment(reference=payment.reference, result=providers.get().verify(payment.reference))


def test_every_transition_keeps_the_counter_equal_to_a_full_count(
    make_ticket_type, make_user, fake_paystack, django_capture_on_commit_callbacks
):
    stock = make_ticket_type(quantity=12, max_purchase=4)
    free = make_ticket_type(price="0", quantity=5)
    people = [make_user() for _ in range(8)]

    # Reserve, and the buyer cancels.
    held = buy(people[0], stock, 2)
    assert_counters_exact()
    checkout.cancel_purchase(buyer=people[0], purchase_id=held.purchase.purchase_id)
    assert_counters_exact()

    # A hold lapses (stops counting with no job), then the expiry job closes it.
    lapsing = buy(people[1], stock, 1)
    with time_machine.travel(lapsing.purchase.reservation_expires_at + timedelta(seconds=1), tick=False):
        assert_counters_exact()
        assert jobs.expire_lapsed_reservations() == 1
        assert_counters_exact()

    # The provider declines.
    declined = buy(people[2], stock, 1)
    fake_paystack.decline(declined.payment.reference)
    assert completion.refresh_payment(declined.payment).status == "failed"
    assert_counters_exact()

    # Issue.
    paid = buy(people[3], stock, 3)
    assert pay(fake_paystack, paid.payment).status == "completed"
    assert issued_count(stock) == 3
    assert_counters_exact()

    # A late success after the expiry job re-issues the purchase's own rows.
    late = buy(people[4], stock, 2)
    with time_machine.travel(late.purchase.reservation_expires_at + timedelta(minutes=1), tick=False):
        assert jobs.expire_lapsed_reservations() == 1
        assert pay(fake_paystack, late.payment).status == "completed"
    assert issued_count(stock) == 5
    assert_counters_exact()

    # A free purchase is issued in the checkout's own transaction.
    buy(people[5], free, 2)
    assert issued_count(free) == 2
    assert_counters_exact()

    # Check-in (active -> used stays issued).
    ticket = Ticket.objects.filter(purchase=paid.purchase).first()
    checkin.check_in(event=stock.event, scanned_value=ticket.ticket_id, scanner=stock.event.organizer)
    assert Ticket.objects.get(pk=ticket.pk).status == "used"
    assert_counters_exact()

    # Staff refund.
    refunds.refund_completed_payment(payment_pk=late.payment.pk, reason="Asked for it back.")
    assert issued_count(stock) == 3
    assert_counters_exact()

    # A waiting-list offer, paid: sell out, queue, free a seat, pay the offer.
    rest = buy(people[6], stock, 4)
    pay(fake_paystack, rest.payment)
    pending = buy(people[7], stock, 4)  # 12 - 3 issued - 4 - 4: nothing left for the public
    entry = waitlist.join_waitlist(
        user=people[0], event=stock.event, ticket_type_id=stock.pk, quantity=2, attendee=attendee_for(people[0])
    )
    checkout.cancel_purchase(buyer=people[7], purchase_id=pending.purchase.purchase_id)  # freed: offered
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "offered"
    assert_counters_exact()
    offer = checkout.accept_offer(buyer=people[0], entry_id=entry.entry_id)
    assert pay(fake_paystack, offer.payment).status == "completed"
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "accepted"
    assert issued_count(stock) == 9
    assert_counters_exact()

    # Event cancellation: active tickets cancelled, used ones refunded, every counter back to 0.
    with django_capture_on_commit_callbacks(execute=False):
        event_cancellation.cancel_event(event=Event.objects.get(pk=stock.event_id), reason="Flooded.")
        event_cancellation.cancel_event(event=Event.objects.get(pk=free.event_id), reason="Flooded.")
    assert issued_count(stock) == 0 and issued_count(free) == 0
    assert_counters_exact()


def test_the_legacy_stripe_checkout_counts_its_tickets_when_paid(
    buyer_client, event, paid_type, fake_stripe, django_capture_on_commit_callbacks
):
    from payments.tests.stripe_fixtures import LEGACY_URL, signed_event

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(
            f"{LEGACY_URL}/create-payment-intent/",
            {"event_id": event.pk, "ticket_type_id": paid_type.pk, "quantity": 2},
            format="json",
        )
    session = response.json()["session_id"]
    assert_counters_exact()
    fake_stripe.pay(session)
    body, headers = signed_event(fake_stripe.session_event("checkout.session.completed", session))
    with django_capture_on_commit_callbacks(execute=True):
        buyer_client.post(f"{LEGACY_URL}/webhook/", data=body, content_type="application/json", **headers)
    assert issued_count(paid_type) == 2
    assert_counters_exact()


def test_a_stale_ticket_type_saved_by_an_edit_keeps_the_counter(make_ticket_type, make_user, fake_paystack):
    stock = make_ticket_type(quantity=10)
    stale = TicketType.objects.get(pk=stock.pk)  # read before the sale, as an edit form would
    paid = buy(make_user(), stock, 2)
    pay(fake_paystack, paid.payment)

    stale.description = "Now with a drink."
    stale.save()

    assert TicketType.objects.get(pk=stock.pk).description == "Now with a drink."
    assert issued_count(stock) == 2
    assert_counters_exact()


def test_issuing_the_last_tickets_stamps_sold_out_once(make_ticket_type, make_user, fake_paystack):
    stock = make_ticket_type(quantity=3, max_purchase=3)
    first = buy(make_user(), stock, 2)
    pay(fake_paystack, first.payment)
    assert TicketType.objects.get(pk=stock.pk).sold_out_at is None
    last = buy(make_user(), stock, 1)
    pay(fake_paystack, last.payment)
    sold_out_at = TicketType.objects.get(pk=stock.pk).sold_out_at
    assert sold_out_at is not None

    refunds.refund_completed_payment(payment_pk=last.payment.pk, reason="Changed plans.")
    again = buy(make_user(), stock, 1)
    pay(fake_paystack, again.payment)
    assert TicketType.objects.get(pk=stock.pk).sold_out_at == sold_out_at  # the first stamp stays


# --- The stock rule reads the counter -----------------------------------------------------------------


def test_the_stock_rule_reads_the_counter_and_live_holds_only(make_ticket_type, make_user, fake_paystack):
    stock = make_ticket_type(quantity=4, max_purchase=4)
    pay(fake_paystack, buy(make_user(), stock, 2).payment)
    buy(make_user(), stock, 1)  # a live hold

    TicketType.objects.filter(pk=stock.pk).update(issued_count=3)  # pretend one more were issued
    with pytest.raises(ReservationRefused) as refused:
        buy(make_user(), stock, 1)
    assert refused.value.extra["available_quantity"] == 0


def test_reserving_runs_a_fixed_number_of_queries_whatever_was_sold(make_ticket_type, make_user, fake_paystack):
    """The reserve_tickets service alone (the request around it is pinned elsewhere): lock the buyer,
    count their open purchases, lock the type, one stock read, the two inserts; plus `SET LOCAL
    lock_timeout` before each lock on PostgreSQL."""
    stock = make_ticket_type(quantity=200, max_purchase=4)
    expected = 6 + (2 if connection.vendor == "postgresql" else 0)
    counts = []
    for sold in (1, 40):
        for _ in range(sold // 4 + 1):
            pay(fake_paystack, buy(make_user(), stock, min(4, sold)).payment)
        buyer = make_user()
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            reservations.reserve_tickets(
                buyer=buyer, event=stock.event, ticket_type_id=stock.pk, quantity=2, attendee=attendee_for(buyer)
            )
        counts.append(len(queries))
    assert counts == [expected, expected]


# --- The operators' check ---------------------------------------------------------------------------


def test_the_check_command_reports_drift_exits_non_zero_and_repair_fixes_it(make_ticket_type, make_user, fake_paystack):
    stock = make_ticket_type(quantity=10)
    make_ticket_type(quantity=10)
    pay(fake_paystack, buy(make_user(), stock, 3).payment)

    out = _run("check_stock_counters")
    assert out == "stock counters: 2 ticket types checked, 0 drifted\n"

    TicketType.objects.filter(pk=stock.pk).update(issued_count=1)  # drift, as a bug would leave it
    with pytest.raises(CommandError) as failed:
        _run("check_stock_counters")
    assert str(failed.value) == (
        f"stock counters: 2 ticket types checked, 1 drifted; ticket type {stock.pk}: counter 1, issued tickets 3"
    )
    assert issued_count(stock) == 1  # a check changes nothing

    out = _run("check_stock_counters", "--repair")
    assert out.startswith("stock counters: 2 ticket types checked, 1 repaired; ")
    assert issued_count(stock) == 3
    assert _run("check_stock_counters") == "stock counters: 2 ticket types checked, 0 drifted\n"


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_completing_a_payment_renders_the_qr_codes_before_locking_the_ticket_type(
    make_ticket_type, make_user, fake_paystack, monkeypatch
):
    from tickets import qr

    stock = make_ticket_type(quantity=10)
    paid = buy(make_user(), stock, 3)
    steps = []
    render, lock_row = qr.qr_png_data_url, reservations.lock_row
    monkeypatch.setattr(qr, "qr_png_data_url", lambda payload: steps.append("png") or render(payload))

    def recording_lock_row(queryset):
        steps.append(f"lock {queryset.model._meta.label_lower}")
        return lock_row(queryset)

    monkeypatch.setattr(reservations, "lock_row", recording_lock_row)

    assert pay(fake_paystack, paid.payment).status == "completed"

    assert steps == ["png", "png", "png", "lock events.tickettype"]
    assert all(ticket.qr_code and ticket.qr_payload for ticket in Ticket.objects.filter(purchase=paid.purchase))


def test_the_migration_fills_the_counters_from_the_tickets(make_ticket_type, make_user, fake_paystack):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tickets.migrations.0007_live_hold_index_and_issued_count")
    stock, empty = make_ticket_type(quantity=10), make_ticket_type(quantity=10)
    pay(fake_paystack, buy(make_user(), stock, 3).payment)
    buy(make_user(), stock, 2)  # a hold: not issued
    TicketType.objects.update(issued_count=7)  # as before the migration: anything

    migration.fill_issued_counts(apps, None)

    assert (issued_count(stock), issued_count(empty)) == (3, 0)
    assert_counters_exact()
