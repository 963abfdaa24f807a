"""Cancelling an event (CONTRACT.md §5.3, §14, §17): refunds once, tickets voided, ledger reversed, e-mails once.

The service lives in payouts (it needs the ledger and withdrawals); these tests sit with the purchase
fixtures, which buy and pay through the real API and the sandbox provider.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events.models import Event
from payments.models import Payment, SandboxCharge
from payments.tests.fixtures import refusal_body
from payouts import selectors as payout_selectors
from payouts.exceptions import WithdrawalRefused
from payouts.models import EventCancellation, LedgerEntry, Withdrawal
from payouts.services import event_cancellation, withdrawals
from tickets.exceptions import ReservationRefused
from tickets.models import CancellationNotice, Ticket

pytestmark = pytest.mark.django_db


def balance(organizer) -> Decimal:
    return sum(LedgerEntry.objects.filter(organizer=organizer).values_list("amount", flat=True), Decimal("0"))


def payment_of(body) -> Payment:
    return Payment.objects.select_related("purchase").get(payment_id=body["payment"]["payment_id"])


def ticket_statuses(payment) -> list[str]:
    return sorted(Ticket.objects.filter(purchase=payment.purchase).values_list("status", flat=True))


def cancellation_emails(event):
    return [message for message in mail.outbox if message.subject == f"Cancelled: {event.title}"]


def organizer_emails(event):
    return [message for message in mail.outbox if message.subject == f"Your event {event.title} was cancelled"]


@pytest.fixture
def cancel(event, django_capture_on_commit_callbacks):
    """Run the whole cancellation as `manage.py cancel_event` does, with after-commit work executed."""

    def run(reason="The venue flooded."):
        with django_capture_on_commit_callbacks(execute=True):
            return event_cancellation.cancel_event(event=Event.objects.get(pk=event.pk), reason=reason)

    return run


@pytest.fixture
def sales(buy, pay_in_sandbox, free_type, paid_type):
    """A paid order of 2 (one ticket already used at the door), a free order and an unpaid reservation."""
    paid = buy()
    pay_in_sandbox(paid["payment"]["reference"])
    used = Ticket.objects.filter(purchase__purchase_id=paid["purchase_id"]).first()
    Ticket.objects.filter(pk=used.pk).update(status="used", checked_in_at=timezone.now())
    free = buy(ticket_type_id=free_type.pk, quantity=1)
    unpaid = buy(quantity=1)
    mail.outbox.clear()
    return {"paid": payment_of(paid), "free": payment_of(free), "unpaid": payment_of(unpaid)}


def test_cancelling_refunds_paid_orders_voids_every_ticket_and_reverses_the_sale(event, organizer, sales, cancel):
    assert balance(organizer) == Decimal("95.00")  # 2 x 50.00 sold, 5 % platform fee

    run = cancel()

    assert run.finished and run.newly_cancelled and not run.failed
    paid, free, unpaid = (Payment.objects.select_related("purchase").get(pk=sales[k].pk) for k in sales)
    assert (paid.status, paid.reason_code, paid.purchase.status) == ("refunded", "refunded_event_cancelled", "refunded")
    assert paid.refund_requested_at is not None
    assert SandboxCharge.objects.get(reference=paid.reference).outcome == "reversed"  # the provider refunded it
    assert ticket_statuses(paid) == ["cancelled", "refunded"]  # active -> cancelled, used -> refunded (§14.2)
    assert (free.status, free.purchase.status, ticket_statuses(free)) == ("refunded", "refunded", ["cancelled"])
    assert (unpaid.status, unpaid.purchase.status, ticket_statuses(unpaid)) == ("cancelled", "cancelled", ["cancelled"])
    assert balance(organizer) == Decimal("0.00")
    assert EventCancellation.objects.get(event=event).finished_at is not None


def test_each_buyer_and_the_organizer_get_one_email_and_the_refund_notice_is_not_a_second_one(
    event, organizer, sales, cancel
):
    cancel(reason="The venue flooded.")

    buyer_mails = cancellation_emails(event)
    assert sorted(m.to[0] for m in buyer_mails) == ["esi@example.com", "esi@example.com"]  # the paid and free order
    assert any("refunding the full GHS 105.00" in m.body for m in buyer_mails)
    assert any("nothing to refund" in m.body for m in buyer_mails)
    assert all("The venue flooded." in m.body for m in buyer_mails)
    [to_organizer] = organizer_emails(event)
    assert to_organizer.to == [organizer.email]
    assert "1 paid order refunded" in to_organizer.body and "GHS 100.00 of ticket sales" in to_organizer.body
    assert len(mail.outbox) == 3  # no separate "your payment was refunded" e-mail


def test_a_second_run_changes_nothing_and_sends_nothing(event, organizer, sales, cancel, fake_refunds):
    cancel()
    mail.outbox.clear()
    entries, calls = LedgerEntry.objects.count(), len(fake_refunds)
    statuses = sorted(Payment.objects.values_list("status", flat=True))

    run = cancel()

    assert not run.newly_cancelled and run.finished
    assert sum(run.outcomes.values()) == 0  # no purchase left to settle
    assert mail.outbox == []
    assert LedgerEntry.objects.count() == entries and len(fake_refunds) == calls
    assert sorted(Payment.objects.values_list("status", flat=True)) == statuses


@pytest.fixture
def fake_refunds(monkeypatch):
    """Every provider refund request the sandbox receives."""
    from payments.providers.sandbox import SandboxProvider

    calls = []
    original = SandboxProvider.refund

    def refund(self, *, reference, **kwargs):
        calls.append(reference)
        return original(self, reference=reference, **kwargs)

    monkeypatch.setattr(SandboxProvider, "refund", refund)
    return calls


def test_each_paid_order_is_refunded_once(event, sales, cancel, fake_refunds):
    cancel()
    cancel()
    assert fake_refunds == [sales["paid"].reference]


def test_the_event_leaves_the_public_lists_and_its_page_says_cancelled(event, sales, cancel, api_client):
    assert any(item["id"] == event.pk for item in api_client.get("/api/v1/events/").json()["results"])

    cancel()

    for path in ("/api/v1/events/", "/api/v1/events/?status=all", "/api/v1/events/past/"):
        assert all(item["id"] != event.pk for item in api_client.get(path).json()["results"]), path
    detail = api_client.get(f"/api/v1/events/{event.slug}/")
    assert detail.status_code == 200 and detail.json()["status"] == "cancelled"


def test_nothing_more_can_be_bought_once_cancelled(event, buyer_client, purchase_body, cancel):
    cancel()
    response = buyer_client.post("/api/v1/tickets/purchase/", purchase_body(), format="json")
    assert response.status_code == 400 and response.json()["error"] == "Ticket sales closed"


def test_a_reservation_service_call_made_with_a_stale_event_row_is_refused(event, buyer, paid_type, cancel):
    from payments.tests.fixtures import buy as checkout

    stale = Event.objects.get(pk=event.pk)  # read before the cancellation
    cancel()
    paid_type.event = stale
    with pytest.raises(ReservationRefused) as refused:
        checkout(buyer, paid_type)
    assert refusal_body(refused.value)["error"] == "Ticket sales closed"


def test_a_payment_arriving_after_the_cancellation_is_refunded_never_issued(
    event, sales, cancel, pay_in_sandbox, fake_refunds
):
    unpaid = sales["unpaid"]
    cancel()
    mail.outbox.clear()

    pay_in_sandbox(unpaid.reference)  # the buyer was still on the payment page

    unpaid.refresh_from_db()
    assert (unpaid.status, unpaid.reason_code) == ("refunded", "refunded_event_cancelled")
    assert "active" not in ticket_statuses(unpaid)
    assert fake_refunds[-1] == unpaid.reference
    assert LedgerEntry.objects.filter(purchase=unpaid.purchase).count() == 0  # never credited
    [notice] = cancellation_emails(event)
    assert "refunding the full GHS 52.50" in notice.body


def test_a_success_the_provider_reports_while_cancelling_is_refunded(event, sales, cancel, fake_refunds):
    unpaid = sales["unpaid"]
    SandboxCharge.objects.filter(reference=unpaid.reference).update(outcome="success")  # paid, webhook not yet in

    cancel()

    unpaid.refresh_from_db()
    assert (unpaid.status, unpaid.reason_code) == ("refunded", "refunded_event_cancelled")
    assert unpaid.reference in fake_refunds


def test_a_pending_payment_is_left_to_the_sweep_when_the_provider_cannot_be_asked(event, sales, cancel, monkeypatch):
    from payments.providers import ProviderError
    from payments.providers.sandbox import SandboxProvider

    def unreachable(self, reference):
        raise ProviderError("connection refused")

    monkeypatch.setattr(SandboxProvider, "verify", unreachable)
    run = cancel()

    assert sales["unpaid"].__class__.objects.get(pk=sales["unpaid"].pk).status == "pending"
    assert not run.finished and organizer_emails(event) == []
    monkeypatch.undo()
    assert cancel().finished  # once the provider answers, a rerun finishes and tells the organizer
    assert len(organizer_emails(event)) == 1


def test_a_failed_buyer_email_is_sent_by_the_next_run_and_the_run_reports_it(event, sales, cancel, monkeypatch):
    from tickets.services import cancellation_notices

    def smtp_down(purchase_pk):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(cancellation_notices, "_send_email", smtp_down)
    first = cancel()
    assert first.failed and first.notices_failed == 2 and not first.finished
    assert CancellationNotice.objects.filter(sent_at__isnull=True).count() == 2
    monkeypatch.undo()

    second = cancel()

    assert second.notices_sent == 2 and second.finished
    assert len(cancellation_emails(event)) == 2


def test_the_job_resumes_a_run_that_never_started(event, sales, django_capture_on_commit_callbacks):
    event_cancellation.request_cancellation(event=event, reason="Storm.")  # the run's queue message was lost
    assert Payment.objects.get(pk=sales["paid"].pk).status == "completed"
    assert event_cancellation.resume_cancellations() == 0  # a run may still be on its way

    later = time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        assert event_cancellation.resume_cancellations() == 1

    assert Payment.objects.get(pk=sales["paid"].pk).status == "refunded"
    assert EventCancellation.objects.get(event=event).finished_at is not None
    assert len(organizer_emails(event)) == 1


# --- the organizer's money ------------------------------------------------------------------------


@pytest.fixture
def paid_out(event, organizer, verified_profile, sales):
    """10 days after the event: the organizer has withdrawn its GHS 95.00 (completed transfer)."""
    later = time_machine.travel(event.ends_at + timedelta(days=10), tick=False)
    later.start()
    withdrawal = withdrawals.request_withdrawal(organizer=organizer, amount="95.00")
    withdrawals.settle_withdrawal(reference=withdrawal.transfer_reference, outcome="success")
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "completed"
    yield withdrawal
    later.stop()


def test_money_already_withdrawn_is_owed_and_blocks_withdrawals_until_covered(
    organizer, paid_out, cancel, make_event, make_sale
):
    cancel()

    assert payout_selectors.available_balance(organizer.pk) == Decimal("0.00")
    assert payout_selectors.amount_owed(organizer.pk) == Decimal("95.00")
    with pytest.raises(WithdrawalRefused) as refused:
        withdrawals.request_withdrawal(organizer=organizer, amount="10.00")
    assert refusal_body(refused.value)["error"] == "Insufficient balance"

    later = make_event(days=-9, ticket_types=[{"name": "Regular", "price": "100.00", "quantity": 50}])
    make_sale(later, 2)  # GHS 190.00 net, past the hold: it pays the debt first

    assert payout_selectors.amount_owed(organizer.pk) == Decimal("0.00")
    assert payout_selectors.available_balance(organizer.pk) == Decimal("95.00")


def test_a_pending_withdrawal_the_cancellation_leaves_uncovered_is_rejected(
    event, organizer, verified_profile, sales, cancel
):
    with time_machine.travel(event.ends_at + timedelta(days=10), tick=False):
        pending = withdrawals.request_withdrawal(organizer=organizer, amount="95.00")
        run = cancel()

        pending.refresh_from_db()
        assert pending.status == "rejected" and run.rejected_withdrawal == pending.withdrawal_id
        assert payout_selectors.amount_owed(organizer.pk) == Decimal("0.00")
        assert payout_selectors.available_balance(organizer.pk) == Decimal("0.00")


def test_earnings_of_a_cancelled_event_stop_being_withdrawable_before_its_refunds_run(
    event, organizer, verified_profile, sales
):
    with time_machine.travel(event.ends_at + timedelta(days=10), tick=False):
        assert payout_selectors.available_balance(organizer.pk) == Decimal("95.00")
        event_cancellation.request_cancellation(event=event, reason="Fraud.")  # the run has not started

        assert payout_selectors.available_balance(organizer.pk) == Decimal("0.00")
        with pytest.raises(WithdrawalRefused):
            withdrawals.request_withdrawal(organizer=organizer, amount="95.00")


# --- the admin ----------------------------------------------------------------------------------------


def test_staff_cancel_from_the_admin_after_a_confirmation_page(
    event, sales, admin_client, django_capture_on_commit_callbacks
):
    changelist = "/admin/events/event/"
    confirm = admin_client.post(changelist, {"action": "cancel_events", "_selected_action": [event.pk]})
    assert confirm.status_code == 200 and b"Yes, cancel and refund" in confirm.content
    assert b"GHS 105.00" in confirm.content  # what will be refunded
    assert Event.objects.get(pk=event.pk).cancelled_at is None  # nothing happens before confirming

    without_reason = admin_client.post(
        changelist, {"action": "cancel_events", "_selected_action": [event.pk], "confirm": "yes", "reason": ""}
    )
    assert without_reason.status_code == 200 and Event.objects.get(pk=event.pk).cancelled_at is None

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            changelist,
            {"action": "cancel_events", "_selected_action": [event.pk], "confirm": "yes", "reason": "Storm."},
            follow=True,
        )

    assert done.status_code == 200 and b"1 event(s) cancelled" in done.content
    assert Event.objects.get(pk=event.pk).cancellation_reason == "Storm."
    assert Payment.objects.get(pk=sales["paid"].pk).status == "refunded"  # the queued run (eager here)
    cancellation = EventCancellation.objects.get(event=event)
    assert cancellation.finished_at is not None and cancellation.requested_by.is_superuser
    listing = admin_client.get("/admin/payouts/eventcancellation/")
    assert b"1 refunded (GHS 105.00)" in listing.content


def test_the_cancel_action_needs_the_cancel_permission(event, make_user, client):
    staff = make_user(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(staff)
    page = client.get("/admin/events/event/")
    assert page.status_code == 200 and b"cancel_events" not in page.content


def test_the_waiting_list_hook_is_told_once_in_the_cancelling_transaction(event, cancel):
    from events.signals import event_cancelled

    told = []

    def receiver(sender, event_id, **kwargs):
        told.append(event_id)

    event_cancelled.connect(receiver)
    try:
        cancel()
        cancel()
    finally:
        event_cancelled.disconnect(receiver)
    assert told == [event.pk]
