"""Event reminders (CONTRACT.md §15): 24 h and 1 h before the start, once per purchase and kind."""

from datetime import timedelta

import pytest
from django.core import mail

from tickets import tasks
from tickets.models import Purchase, SentReminder, Ticket, TicketStatus
from tickets.services import reminders
from tickets.services.reservations import refund_purchase

pytestmark = pytest.mark.django_db


def run_reminders():
    mail.outbox.clear()
    tasks.send_event_reminders.delay()
    return list(mail.outbox)


@pytest.fixture
def event(make_event):
    return make_event(days=10, title="Panafest Night")


def test_holders_get_one_reminder_a_day_before_and_one_an_hour_before(user, buy_tickets, event, time_machine):
    purchase = buy_tickets(user, event=event, quantity=3, email="holder@example.com")

    time_machine.move_to(event.starts_at - timedelta(hours=30), tick=False)
    assert run_reminders() == []  # too early

    time_machine.move_to(event.starts_at - timedelta(hours=23, minutes=50), tick=False)
    [message] = run_reminders()
    assert message.to == ["holder@example.com"]
    assert message.subject == "Reminder: Panafest Night starts in less than 24 hours"
    assert message.alternatives[0][1] == "text/html"
    for ticket in purchase.tickets.all():
        assert ticket.ticket_id in message.body  # one e-mail for the whole purchase
    time_machine.move_to(event.starts_at - timedelta(hours=23, minutes=35), tick=False)
    assert run_reminders() == []  # already sent

    time_machine.move_to(event.starts_at - timedelta(minutes=55), tick=False)
    [message] = run_reminders()
    assert message.subject == "Reminder: Panafest Night starts in less than an hour"
    time_machine.move_to(event.starts_at - timedelta(minutes=40), tick=False)
    assert run_reminders() == []
    assert set(SentReminder.objects.values_list("purchase_id", "kind")) == {(purchase.pk, "24h"), (purchase.pk, "1h")}


def test_a_late_buyer_gets_only_the_hour_before_reminder(user, buy_tickets, event, time_machine):
    time_machine.move_to(event.starts_at - timedelta(minutes=45), tick=False)
    buy_tickets(user, event=event)
    [message] = run_reminders()
    assert "less than an hour" in message.subject
    assert run_reminders() == []


def test_each_purchase_is_reminded_separately(user, buy_tickets, event, time_machine):
    buy_tickets(user, event=event)
    buy_tickets(user, event=event)
    time_machine.move_to(event.starts_at - timedelta(hours=2), tick=False)
    assert len(run_reminders()) == 2


def test_no_reminder_without_active_tickets_or_with_reminders_off(
    make_user, buy_tickets, reserve_only, event, time_machine
):
    opted_out = make_user(event_reminders=False)
    buy_tickets(opted_out, event=event)
    refunded = buy_tickets(make_user(), event=event)
    refund_purchase(purchase=refunded)
    used = buy_tickets(make_user(), event=event)
    Ticket.objects.filter(purchase=used).update(status=TicketStatus.USED)
    reserve_only(make_user(), event=event)
    time_machine.move_to(event.starts_at - timedelta(hours=3), tick=False)
    assert run_reminders() == []
    assert not SentReminder.objects.exists()


def test_concurrent_runs_never_send_twice(user, buy_tickets, event, time_machine, monkeypatch):
    purchase = buy_tickets(user, event=event)
    time_machine.move_to(event.starts_at - timedelta(hours=5), tick=False)
    # Both runs see the purchase as due (as if they read before either inserted its claim).
    monkeypatch.setattr(
        reminders.selectors, "purchases_due_reminder", lambda **kwargs: Purchase.objects.filter(pk=purchase.pk)
    )
    first = reminders.claim_due_reminders()
    second = reminders.claim_due_reminders()
    assert first == [(purchase.pk, "24h"), (purchase.pk, "1h")]
    assert second == []
    assert SentReminder.objects.filter(purchase=purchase).count() == 2


def test_a_claimed_reminder_is_skipped_if_the_buyer_opts_out_meanwhile(user, buy_tickets, event, time_machine):
    purchase = buy_tickets(user, event=event)
    time_machine.move_to(event.starts_at - timedelta(hours=5), tick=False)
    [(purchase_pk, kind)] = reminders.claim_due_reminders()
    user.event_reminders = False
    user.save(update_fields=["event_reminders"])
    assert reminders.send_reminder_email(purchase_pk=purchase_pk, kind=kind) is False
    assert purchase_pk == purchase.pk and mail.outbox == []


def test_claimed_reminders_are_sent_even_when_the_broker_refuses_them(
    user, buy_tickets, event, time_machine, monkeypatch
):
    from kombu.exceptions import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused.")

    buy_tickets(user, event=event)
    buy_tickets(user, event=event)
    monkeypatch.setattr(tasks.send_event_reminder, "apply_async", refuse)
    time_machine.move_to(event.starts_at - timedelta(hours=23), tick=False)
    assert len(run_reminders()) == 2  # sent by the job itself, not dropped after being claimed
