"""The ticket e-mail's durable delivery: due with the tickets, sent once, never lost with a queue message."""

import io
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from kombu.exceptions import OperationalError

from tickets import tasks
from tickets.models import TicketDelivery
from tickets.services import outbox
from tickets.services.reservations import refund_purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_refusing(monkeypatch):
    """Queueing the ticket e-mail fails the way kombu fails when Redis refuses writes."""
    task = tasks.send_ticket_email

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(task, "apply_async", refuse)


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("send_due_ticket_emails", *args, stdout=out)
    return out.getvalue().strip()


def test_a_refused_queue_write_at_completion_still_ends_with_one_email(
    user, make_event, pay_through_sandbox, broker_refusing, time_machine
):
    payment = pay_through_sandbox(user, make_event(), quantity=2)
    assert payment.status == "completed"
    assert mail.outbox == []
    assert payment.purchase.delivery.status == "due"

    assert run_command() == (  # within the first minute the queue still has its chance
        "ticket e-mails: 0 due, 0 sent, 0 failed, 0 cancelled, 0 taken by another sender, 0 left for the next run"
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert run_command().startswith("ticket e-mails: 1 due, 1 sent, 0 failed")
    assert run_command().startswith("ticket e-mails: 0 due, 0 sent")
    assert tasks.send_due_ticket_emails() == 0
    [message] = mail.outbox
    assert len(message.attachments) == 2
    delivery = TicketDelivery.objects.get(purchase=payment.purchase)
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.sent_at is not None


def test_the_periodic_job_sends_what_is_due(user, make_event, pay_through_sandbox, broker_refusing, time_machine):
    first, second = pay_through_sandbox(user, make_event()), pay_through_sandbox(user, make_event())
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert tasks.send_due_ticket_emails() == 2
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"Your ticket for {p.purchase.event.title}" for p in (first, second)
    )
    assert tasks.send_due_ticket_emails() == 0


def test_a_dry_run_counts_and_sends_nothing(user, make_event, pay_through_sandbox, broker_refusing, time_machine):
    pay_through_sandbox(user, make_event())
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert run_command("--dry-run") == "ticket e-mails: 1 due (dry run: nothing changed)"
    assert mail.outbox == []
    assert TicketDelivery.objects.get().status == "due"


def test_a_worker_that_died_mid_send_holds_the_email_only_for_its_lease(user, buy_tickets, time_machine):
    purchase = buy_tickets(user)
    claimed_at = timezone.now()
    TicketDelivery.objects.filter(purchase=purchase).update(claimed_until=claimed_at + outbox.LEASE, attempts=1)

    assert tasks.send_ticket_email.delay(purchase.pk).get() == "busy"  # the claim is still live
    time_machine.move_to(claimed_at + timedelta(minutes=4))
    assert run_command().startswith("ticket e-mails: 0 due")
    assert mail.outbox == []

    time_machine.move_to(claimed_at + outbox.LEASE + timedelta(seconds=1))
    assert run_command().startswith("ticket e-mails: 1 due, 1 sent")
    assert len(mail.outbox) == 1
    assert TicketDelivery.objects.get(purchase=purchase).attempts == 2


def test_a_failed_send_is_recorded_and_retried_after_a_wait(user, buy_tickets, settings, time_machine):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens: connection refused
    purchase = buy_tickets(user)
    time_machine.move_to(timezone.now() + timedelta(minutes=2), tick=False)

    with pytest.raises(CommandError, match="1 due, 0 sent, 1 failed"):
        run_command()
    delivery = TicketDelivery.objects.get(purchase=purchase)
    assert (delivery.status, delivery.attempts, delivery.claimed_until) == ("due", 1, None)
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.retry_at == timezone.now() + timedelta(seconds=2)
    assert run_command("--dry-run").startswith("ticket e-mails: 0 due")  # waiting for its retry

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(delivery.retry_at, tick=False)
    assert run_command().startswith("ticket e-mails: 1 due, 1 sent")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_tickets_refunded_before_the_email_need_no_email(user, buy_tickets, time_machine):
    purchase = buy_tickets(user)
    refund_purchase(purchase=purchase)
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert run_command().startswith("ticket e-mails: 1 due, 0 sent, 0 failed, 1 cancelled")
    assert mail.outbox == []
    assert TicketDelivery.objects.get(purchase=purchase).status == "cancelled"


def test_a_resend_while_the_first_email_is_being_sent_is_sent_after_it(user, buy_tickets, time_machine):
    purchase = buy_tickets(user)
    outcome, claim = outbox._claim(purchase.pk)  # a sender is mid-send
    assert outcome == "claimed"
    time_machine.move_to(timezone.now() + timedelta(seconds=5))
    outbox.resend(purchase=purchase)
    outbox._finish(claim, "sent")  # the first send completes: the resend is still due

    delivery = TicketDelivery.objects.get(purchase=purchase)
    assert (delivery.status, delivery.claimed_until) == ("due", None)
    assert tasks.send_ticket_email.delay(purchase.pk).get() == "sent"
    assert TicketDelivery.objects.get(purchase=purchase).status == "sent"


def test_a_message_queued_before_deliveries_were_recorded_is_still_sent_once(user, buy_tickets):
    purchase = buy_tickets(user)
    TicketDelivery.objects.filter(purchase=purchase).delete()
    assert tasks.send_ticket_email.delay(purchase.pk).get() == "sent"
    assert tasks.send_ticket_email.delay(purchase.pk).get() == "done"
    assert len(mail.outbox) == 1


def test_smtp_errors_on_the_queue_path_release_the_claim_for_the_retry(user, buy_tickets, monkeypatch):
    purchase = buy_tickets(user)
    calls = []

    def fail_once(*, purchase_pk):
        calls.append(purchase_pk)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return True

    monkeypatch.setattr(outbox.delivery, "send_ticket_email", fail_once)
    assert tasks.send_ticket_email.delay(purchase.pk).get() == "sent"  # Celery's retry claims it again
    assert len(calls) == 2


def test_staff_see_the_email_state_on_the_purchase(user, buy_tickets, make_user):
    from django.test import Client

    purchase = buy_tickets(user)
    TicketDelivery.objects.filter(purchase=purchase).update(attempts=2, last_error="SMTPServerDisconnected: gone")
    staff = Client()
    staff.force_login(make_user(is_staff=True, is_superuser=True))
    page = staff.get(f"/admin/tickets/purchase/{purchase.pk}/change/")
    assert page.status_code == 200
    assert "SMTPServerDisconnected: gone" in page.content.decode()


def test_the_claim_and_the_brokers_visibility_timeout_fit_the_longest_task():
    from cafa.celery import app

    visibility = app.conf.broker_transport_options["visibility_timeout"]
    send, job = tasks.send_ticket_email, tasks.send_due_ticket_emails
    assert send.time_limit < outbox.LEASE.total_seconds()  # a live sender's claim never lapses
    assert outbox.JOB_BUDGET_SECONDS + send.time_limit <= job.time_limit
    # Never redelivered while a retry waits out its back-off and then runs, yet well before an hour.
    longest_countdown = getattr(send, "retry_backoff_max", 600)  # Celery's default cap on retry back-off
    assert longest_countdown + job.time_limit <= visibility < 3600


def test_a_delivery_failing_for_days_waits_an_hour_between_tries(user, buy_tickets, settings, time_machine):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    purchase = buy_tickets(user)
    TicketDelivery.objects.filter(purchase=purchase).update(attempts=200)
    time_machine.move_to(timezone.now() + timedelta(minutes=2), tick=False)
    with pytest.raises(CommandError):
        run_command()
    assert TicketDelivery.objects.get(purchase=purchase).retry_at == timezone.now() + outbox.MAX_RETRY_WAIT


def test_the_command_refuses_unknown_arguments_clearly():
    with pytest.raises(CommandError, match="unrecognized arguments: --all"):
        run_command("--all")
