"""Operators' commands of the money path (README "Operators"): a run, a dry run, a second run, bad arguments.

Each command calls the service its Celery job (or the admin) calls; these tests check what an operator
sees: the one summary line, nothing changed by --dry-run, nothing more by a second run, and a clear
CommandError (non-zero exit) for bad input or a failure.
"""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from events.models import Event
from payments.models import IdempotentRequest, Payment, SandboxCharge
from payments.providers import ProviderError
from payments.providers.sandbox import SandboxProvider
from payments.services import refunds
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def run(name, *args, **options) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue().strip()


def payment_of(body) -> Payment:
    return Payment.objects.get(payment_id=body["payment"]["payment_id"])


def snapshot():
    """Every status an operator's command could change."""
    return (
        sorted(Payment.objects.values_list("payment_id", "status", "refund_requested_at")),
        sorted(Ticket.objects.values_list("ticket_id", "status")),
    )


# --- expire_reservations ---------------------------------------------------------------------------


def test_expire_reservations(buy, time_machine):
    payment = payment_of(buy())
    time_machine.move_to(timezone.now() + timedelta(minutes=11))

    assert run("expire_reservations", "--dry-run") == (
        "reservations: 1 lapsed payments to check (dry run: nothing changed)"
    )
    assert Payment.objects.get(pk=payment.pk).status == "pending"
    assert run("expire_reservations") == "reservations: 1 payments expired, their tickets released"
    assert Payment.objects.get(pk=payment.pk).status == "expired"
    assert set(Ticket.objects.filter(purchase=payment.purchase).values_list("status", flat=True)) == {"expired"}
    before = snapshot()
    assert run("expire_reservations") == "reservations: 0 payments expired, their tickets released"
    assert snapshot() == before
    with pytest.raises(CommandError, match="unrecognized arguments"):
        run("expire_reservations", "now")


# --- reconcile_payments ----------------------------------------------------------------------------


def test_reconcile_payments_settles_stale_payments_with_the_provider(buy, time_machine):
    payment = payment_of(buy())
    SandboxCharge.objects.filter(reference=payment.reference).update(outcome="success")  # no webhook came
    time_machine.move_to(timezone.now() + timedelta(minutes=5))

    dry = run("reconcile_payments", "--dry-run")
    assert dry.startswith("payments: 1 stale pending, 0 failed webhook events, 0 unsent refunds")
    assert Payment.objects.get(pk=payment.pk).status == "pending"

    assert run("reconcile_payments").startswith("payments: 1 pending checked with the provider (1 settled)")
    assert Payment.objects.get(pk=payment.pk).status == "completed"
    before = snapshot()
    assert run("reconcile_payments").startswith("payments: 0 pending checked")
    assert snapshot() == before
    with pytest.raises(CommandError, match="unrecognized arguments"):
        run("reconcile_payments", "--all")


def test_reconcile_payments_sends_an_unsent_refund_itself_and_fails_loudly_when_it_cannot(paid_purchase, monkeypatch):
    payment = payment_of(paid_purchase)
    refunds.refund_completed_payment(payment_pk=payment.pk, reason="Staff.")  # its task was lost (no commit hook)
    assert Payment.objects.get(pk=payment.pk).refund_requested_at is None

    def provider_down(self, **kwargs):
        raise ProviderError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(SandboxProvider, "refund", provider_down)
        with pytest.raises(CommandError, match="0 unsent refunds sent or queued, 1 failed"):
            run("reconcile_payments")

    assert "1 unsent refunds sent or queued, 0 failed" in run("reconcile_payments")
    assert Payment.objects.get(pk=payment.pk).refund_requested_at is not None
    assert SandboxCharge.objects.get(reference=payment.reference).outcome == "reversed"
    assert "0 unsent refunds sent or queued" in run("reconcile_payments")


# --- resend_tickets --------------------------------------------------------------------------------


def test_resend_tickets(paid_purchase, buy):
    purchase_id = paid_purchase["purchase_id"]
    mail.outbox.clear()
    before = snapshot()

    assert run("resend_tickets", purchase_id, "--dry-run").startswith(f"would e-mail 2 ticket(s) of {purchase_id}")
    assert mail.outbox == []
    assert run("resend_tickets", purchase_id) == f"e-mailed 2 ticket(s) of {purchase_id} to esi@example.com"
    [message] = mail.outbox
    assert len(message.attachments) == 2
    run("resend_tickets", paid_purchase["payment"]["payment_id"])  # by payment id: one more explicit resend
    assert len(mail.outbox) == 2
    assert snapshot() == before  # no ticket, payment or refund changed

    with pytest.raises(CommandError, match="No purchase or payment 'PUR-NOPE'"):
        run("resend_tickets", "PUR-NOPE")
    pending = buy(quantity=1)
    with pytest.raises(CommandError, match="is pending: only completed purchases have tickets"):
        run("resend_tickets", pending["purchase_id"])
    with pytest.raises(CommandError, match="the following arguments are required: purchase"):
        run("resend_tickets")


# --- refund_purchase -------------------------------------------------------------------------------


def test_refund_purchase(paid_purchase, buy):
    purchase_id = paid_purchase["purchase_id"]
    payment = payment_of(paid_purchase)
    before = snapshot()

    assert run("refund_purchase", purchase_id, "--dry-run").startswith(f"would refund {purchase_id}")
    assert snapshot() == before
    assert run("refund_purchase", purchase_id, "--reason", "Duplicate order.") == (
        f"{purchase_id} (GHS 105.00, sandbox) refunded; the provider accepted the refund"
    )
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("refunded", "Duplicate order.")
    assert SandboxCharge.objects.get(reference=payment.reference).outcome == "reversed"
    assert set(Ticket.objects.filter(purchase=payment.purchase).values_list("status", flat=True)) == {"refunded"}

    after = snapshot()
    assert "is already refunded: nothing to do" in run("refund_purchase", purchase_id)
    assert snapshot() == after
    with pytest.raises(CommandError, match="is pending: only completed purchases can be refunded"):
        run("refund_purchase", buy(quantity=1)["purchase_id"])
    with pytest.raises(CommandError, match="No purchase or payment"):
        run("refund_purchase", "PAY-0000000000")


# --- purge_idempotency_records ---------------------------------------------------------------------


def test_purge_idempotency_records(buyer):
    old = IdempotentRequest.objects.create(user=buyer, endpoint="purchase", key="a", fingerprint="x")
    IdempotentRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=30))
    IdempotentRequest.objects.create(user=buyer, endpoint="purchase", key="b", fingerprint="y")

    assert run("purge_idempotency_records", "--dry-run") == (
        "idempotency records: 1 older than 24 h (dry run: nothing changed)"
    )
    assert IdempotentRequest.objects.count() == 2
    assert run("purge_idempotency_records", "--older-than", "48") == "idempotency records: 0 older than 48 h deleted"
    assert run("purge_idempotency_records") == "idempotency records: 1 older than 24 h deleted"
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["b"]
    assert run("purge_idempotency_records") == "idempotency records: 0 older than 24 h deleted"
    with pytest.raises(CommandError, match="at least 24 hours"):
        run("purge_idempotency_records", "--older-than", "1")
    with pytest.raises(CommandError, match="whole number of hours"):
        run("purge_idempotency_records", "--older-than", "a day")


# --- cancel_event ------------------------------------------------------------------------------------


def test_cancel_event(event, paid_purchase, django_capture_on_commit_callbacks):
    before = snapshot()
    dry = run("cancel_event", event.slug, "--dry-run")
    assert dry.startswith(f"event {event.pk} ({event.slug}, upcoming): 1 paid orders to refund (GHS 105.00)")
    assert snapshot() == before and Event.objects.get(pk=event.pk).cancelled_at is None

    with django_capture_on_commit_callbacks(execute=True):
        line = run("cancel_event", str(event.pk), "--reason", "Storm.")
    assert line.startswith(f"event {event.pk} ({event.slug}): cancelled now; 1 paid orders refunded")
    assert line.endswith("organizer e-mailed; finished")
    assert payment_of(paid_purchase).status == "refunded"

    after, sent = snapshot(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = run("cancel_event", event.slug)
    assert again.startswith(f"event {event.pk} ({event.slug}): already cancelled; 0 paid orders refunded")
    assert snapshot() == after and len(mail.outbox) == sent
    with pytest.raises(CommandError, match="No event with id or slug 'no-such-event'"):
        run("cancel_event", "no-such-event")


def test_cancel_event_exits_non_zero_while_something_is_left(event, buy, monkeypatch):
    buy(quantity=1)  # a reservation the provider must be asked about

    def unreachable(self, reference):
        raise ProviderError("connection refused")

    monkeypatch.setattr(SandboxProvider, "verify", unreachable)
    with pytest.raises(CommandError, match=r"1 left to the expiry sweep.*not finished"):
        run("cancel_event", event.slug)
