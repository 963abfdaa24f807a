"""A provider success after the reservation ended (CONTRACT.md §6.8 step 4, §14.1-14.3)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from payments import providers
from payments.models import Payment
from payments.services import completion, jobs
from payments.services.checkout import cancel_purchase
from payments.tests.fixtures import buy
from payouts.models import LedgerEntry
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def scarce(make_ticket_type):
    """Three tickets in stock."""
    return make_ticket_type(quantity=3, max_purchase=3)


def lapse(purchase):
    """Travel to just after the purchase's reservation ended."""
    return time_machine.travel(purchase.reservation_expires_at + timedelta(minutes=1), tick=False)


def success(fake, payment):
    fake.pay(payment.reference)
    return providers.get().verify(payment.reference)


def close_as(how, checkout, fake):
    """Put the purchase in a closed state the way production does."""
    if how == "expired":
        with lapse(checkout.purchase):
            assert jobs.expire_lapsed_reservations() == 1
    elif how == "cancelled":
        cancel_purchase(buyer=checkout.purchase.buyer, purchase_id=checkout.purchase.purchase_id)
    elif how == "failed":
        fake.decline(checkout.payment.reference)
        completion.refresh_payment(checkout.payment)
        fake.transactions[checkout.payment.reference]["status"] = "abandoned"
    payment = Payment.objects.get(pk=checkout.payment.pk)
    assert payment.status == how and payment.purchase.status == how
    return payment


@pytest.mark.parametrize("how", ["expired", "cancelled", "failed"])
def test_a_late_success_with_stock_left_reactivates_the_same_tickets(
    buyer, scarce, fake_paystack, django_capture_on_commit_callbacks, how
):
    checkout = buy(buyer, scarce, 2)
    ticket_ids = sorted(checkout.purchase.tickets.values_list("ticket_id", flat=True))
    payment = close_as(how, checkout, fake_paystack)

    with lapse(checkout.purchase), django_capture_on_commit_callbacks(execute=True):
        payment = completion.complete_payment(reference=payment.reference, result=success(fake_paystack, payment))

    payment.refresh_from_db()
    assert payment.status == "completed"
    assert payment.purchase.status == "completed"
    assert sorted(Ticket.objects.filter(status="active").values_list("ticket_id", flat=True)) == ticket_ids
    assert Ticket.objects.count() == 2  # the purchase's own rows, no new ones
    assert LedgerEntry.objects.count() == 2
    assert fake_paystack.refunds == []
    assert len(mail.outbox) == 1


def test_a_success_read_after_the_lapse_of_an_untidied_purchase_is_issued(
    buyer, scarce, fake_paystack, django_capture_on_commit_callbacks
):
    checkout = buy(buyer, scarce, 2)  # still `pending`: no job runs in this test
    fake_paystack.pay(checkout.payment.reference)

    with lapse(checkout.purchase), django_capture_on_commit_callbacks(execute=True):
        payment = completion.refresh_payment(checkout.payment)

    assert payment.status == "completed"
    assert payment.purchase.status == "completed"
    assert Ticket.objects.filter(status="active").count() == 2
    assert len(mail.outbox) == 1


def test_a_lapsed_abandoned_payment_expires_on_read(buyer, scarce, fake_paystack):
    checkout = buy(buyer, scarce, 2)

    with lapse(checkout.purchase):
        payment = completion.refresh_payment(checkout.payment)

    assert (payment.status, payment.reason_code) == ("expired", "reservation_expired")
    assert set(payment.purchase.tickets.values_list("status", flat=True)) == {"expired"}


def test_a_late_success_without_stock_refunds_and_tells_the_buyer(
    buyer, make_user, scarce, fake_paystack, django_capture_on_commit_callbacks
):
    late = buy(buyer, scarce, 2)
    close_as("expired", late, fake_paystack)
    with lapse(late.purchase):
        rival = buy(make_user(), scarce, 3)  # the stock is gone again
        completion.complete_payment(reference=rival.payment.reference, result=success(fake_paystack, rival.payment))

    with lapse(late.purchase), django_capture_on_commit_callbacks(execute=True):
        completion.complete_payment(reference=late.payment.reference, result=success(fake_paystack, late.payment))

    payment = Payment.objects.get(pk=late.payment.pk)
    assert payment.status == "refunded"
    assert payment.reason_code == "refunded_sold_out"
    assert payment.purchase.status == "refunded"
    assert not payment.purchase.tickets.filter(status__in=("active", "used", "reserved")).exists()
    assert Ticket.objects.filter(status="active").count() == 3  # the rival keeps theirs; no oversell
    assert LedgerEntry.objects.filter(purchase=payment.purchase).count() == 0
    assert fake_paystack.refunds == [{"transaction": payment.reference}]
    (refund_mail,) = [m for m in mail.outbox if m.to == [buyer.email]]
    assert "refunded" in refund_mail.subject


def test_a_late_success_without_stock_on_an_untidied_purchase_leaves_no_reserved_ticket(
    buyer, make_user, scarce, fake_paystack, django_capture_on_commit_callbacks
):
    late = buy(buyer, scarce, 2)
    with lapse(late.purchase):
        rival = buy(make_user(), scarce, 3)
        completion.complete_payment(reference=rival.payment.reference, result=success(fake_paystack, rival.payment))
        with django_capture_on_commit_callbacks(execute=True):
            completion.complete_payment(reference=late.payment.reference, result=success(fake_paystack, late.payment))

    purchase = Payment.objects.get(pk=late.payment.pk).purchase
    assert purchase.status == "refunded"
    assert set(purchase.tickets.values_list("status", flat=True)) == {"expired"}
    assert len(fake_paystack.refunds) == 1


def test_a_repeated_late_success_refunds_once(
    buyer, make_user, scarce, fake_paystack, django_capture_on_commit_callbacks
):
    late = buy(buyer, scarce, 2)
    close_as("expired", late, fake_paystack)
    with lapse(late.purchase):
        buy(make_user(), scarce, 3)
        result = success(fake_paystack, late.payment)
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                completion.complete_payment(reference=late.payment.reference, result=result)

    assert len(fake_paystack.refunds) == 1
    assert len([m for m in mail.outbox if m.to == [buyer.email]]) == 1


def test_stock_freed_by_a_lapse_is_not_sold_twice_by_a_late_success(buyer, make_user, scarce, fake_paystack):
    late = buy(buyer, scarce, 3)
    with lapse(late.purchase):
        rival = buy(make_user(), scarce, 2)  # takes two of the three lapsed tickets
        completion.complete_payment(reference=late.payment.reference, result=success(fake_paystack, late.payment))
        assert Payment.objects.get(pk=late.payment.pk).status == "refunded"  # 3 wanted, 1 left
        completion.complete_payment(reference=rival.payment.reference, result=success(fake_paystack, rival.payment))
    assert Ticket.objects.filter(status="active").count() == 2


def test_a_success_at_the_last_moment_is_decided_under_the_stock_lock(
    buyer, make_user, scarce, fake_paystack, django_capture_on_commit_callbacks
):
    """A buyer reserving just after the deadline no longer counts the first purchase's holds; a success
    stamped just before the deadline must then find no stock, not issue a fourth ticket for three."""
    first = buy(buyer, scarce, 3)
    deadline = first.purchase.reservation_expires_at
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        buy(make_user(), scarce, 3)  # the whole stock again: the first holds have lapsed
    result = success(fake_paystack, first.payment)

    with (
        time_machine.travel(deadline - timedelta(milliseconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        payment = completion.complete_payment(reference=first.payment.reference, result=result)

    assert payment.status == "refunded" and payment.reason_code == "refunded_sold_out"
    assert payment.purchase.status == "refunded"
    assert not Ticket.objects.filter(ticket_type=scarce, status__in=("active", "used")).exists()
