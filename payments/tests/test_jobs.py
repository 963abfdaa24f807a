"""Money-path jobs (CONTRACT.md §15): reservation expiry sweep and stale payment reconciliation."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cafa.celery import app as celery_app
from payments import tasks
from payments.models import Payment
from payments.services import jobs
from payments.tests.fixtures import buy
from payouts.models import LedgerEntry
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def reserved(buyer, ticket_type, fake_paystack):
    return buy(buyer, ticket_type, 2)


def after(minutes, checkout=None):
    start = checkout.purchase.reservation_expires_at if checkout else timezone.now()
    return time_machine.travel(start + timedelta(minutes=minutes), tick=False)


def state(checkout):
    payment = Payment.objects.select_related("purchase").get(pk=checkout.payment.pk)
    tickets = set(payment.purchase.tickets.values_list("status", flat=True))
    return payment.status, payment.reason_code, payment.purchase.status, tickets


def verifies(fake, checkout):
    return len(fake.calls("GET", f"/transaction/verify/{checkout.payment.reference}"))


# --- Reservation expiry sweep -------------------------------------------------------------------


def test_the_sweep_expires_a_lapsed_unpaid_purchase_after_asking_the_provider_once(reserved, fake_paystack):
    with after(1, reserved):
        assert jobs.expire_lapsed_reservations() == 1
        assert jobs.expire_lapsed_reservations() == 0  # nothing left to do

    assert state(reserved) == ("expired", "reservation_expired", "expired", {"expired"})
    assert verifies(fake_paystack, reserved) == 1


def test_the_sweep_completes_a_lapsed_purchase_the_provider_says_was_paid(
    reserved, fake_paystack, django_capture_on_commit_callbacks
):
    fake_paystack.pay(reserved.payment.reference)

    with after(1, reserved), django_capture_on_commit_callbacks(execute=True):
        assert jobs.expire_lapsed_reservations() == 0

    assert state(reserved) == ("completed", "", "completed", {"active"})
    assert verifies(fake_paystack, reserved) == 1
    assert LedgerEntry.objects.count() == 2
    assert len(mail.outbox) == 1


def test_the_sweep_expires_when_the_provider_cannot_be_reached(reserved, fake_paystack):
    fake_paystack.down = True

    with after(1, reserved):
        assert jobs.expire_lapsed_reservations() == 1

    assert state(reserved) == ("expired", "reservation_expired", "expired", {"expired"})
    assert verifies(fake_paystack, reserved) == 1


def test_the_sweep_leaves_live_reservations_alone(reserved, fake_paystack):
    with after(9):
        assert jobs.expire_lapsed_reservations() == 0

    assert state(reserved) == ("pending", "", "pending", {"reserved"})
    assert verifies(fake_paystack, reserved) == 0


def test_the_sweep_runs_as_a_celery_task_on_the_beat(reserved, fake_paystack):
    assert celery_app.conf.beat_schedule["payments-expire-reservations"]["task"] == "payments.expire_reservations"

    with after(1, reserved):
        assert tasks.expire_reservations.delay().get() == 1

    assert state(reserved)[0] == "expired"


# --- Stale pending payment reconciliation -------------------------------------------------------


def test_reconciliation_completes_a_pending_payment_the_provider_says_succeeded(
    reserved, fake_paystack, django_capture_on_commit_callbacks, settings
):
    fake_paystack.pay(reserved.payment.reference)

    with after(settings.RECONCILE_AFTER_MINUTES + 1), django_capture_on_commit_callbacks(execute=True):
        assert jobs.reconcile_pending_payments() == 1

    assert state(reserved) == ("completed", "", "completed", {"active"})
    assert len(mail.outbox) == 1


def test_reconciliation_fails_a_payment_the_provider_says_failed(reserved, fake_paystack, settings):
    fake_paystack.decline(reserved.payment.reference)

    with after(settings.RECONCILE_AFTER_MINUTES + 1):
        jobs.reconcile_pending_payments()

    assert state(reserved) == ("failed", "declined", "failed", {"expired"})
    assert Payment.objects.get(pk=reserved.payment.pk).failure_reason == "Declined"


def test_reconciliation_leaves_an_abandoned_payment_pending_while_its_reservation_lives(
    reserved, fake_paystack, settings
):
    assert settings.RECONCILE_AFTER_MINUTES < settings.RESERVATION_MINUTES

    with after(settings.RECONCILE_AFTER_MINUTES + 1):
        assert jobs.reconcile_pending_payments() == 1

    assert state(reserved) == ("pending", "", "pending", {"reserved"})
    assert verifies(fake_paystack, reserved) == 1


def test_reconciliation_expires_an_abandoned_payment_whose_reservation_lapsed(reserved, fake_paystack):
    with after(1, reserved):
        jobs.reconcile_pending_payments()

    assert state(reserved) == ("expired", "reservation_expired", "expired", {"expired"})


def test_reconciliation_does_not_ask_about_fresh_payments(reserved, fake_paystack):
    assert jobs.reconcile_pending_payments() == 0

    assert verifies(fake_paystack, reserved) == 0


def test_reconciliation_never_touches_final_payments(
    reserved, fake_paystack, django_capture_on_commit_callbacks, settings
):
    fake_paystack.pay(reserved.payment.reference)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reconcile_payments.delay()  # fresh: not asked
        with after(settings.RECONCILE_AFTER_MINUTES + 1):
            tasks.reconcile_payments.delay()
            tasks.reconcile_payments.delay()

    assert verifies(fake_paystack, reserved) == 1
    assert Ticket.objects.filter(status="active").count() == 2
    assert len(mail.outbox) == 1
