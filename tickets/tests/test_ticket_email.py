"""The ticket e-mail (CONTRACT.md §15): one message per purchase, HTML + text, a PDF per ticket, SMTP retries."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from tickets import tasks
from tickets.services import outbox
from tickets.services.reservations import refund_purchase

pytestmark = pytest.mark.django_db


class FlakyBackend(LocmemBackend):
    """Fails the first `failures` deliveries with an SMTP error, then delivers to `mail.outbox`."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.attempts <= FlakyBackend.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"

    def configure(failures):
        FlakyBackend.failures, FlakyBackend.attempts = failures, 0
        return FlakyBackend

    return configure


def test_paying_sends_one_message_with_a_pdf_per_ticket(user, make_event, pay_through_sandbox, parse_pdf, settings):
    settings.FRONTEND_URL = "https://cafatickets.example"
    event = make_event(title="Highlife Evening")
    payment = pay_through_sandbox(user, event, quantity=3, email="buyer@example.com")
    assert payment.status == "completed"
    tickets = list(payment.purchase.tickets.order_by("id"))

    [message] = mail.outbox
    assert message.to == ["buyer@example.com"]
    assert message.subject == "Your 3 tickets for Highlife Evening"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    for body in (message.body, html):
        assert "https://cafatickets.example/dashboard/tickets" in body
        assert payment.purchase.purchase_id in body
        assert "GHS 157.50" in body  # total paid: 3 x 50 + 5 % service fee
        for ticket in tickets:
            assert ticket.ticket_id in body
    assert [name for name, _, _ in message.attachments] == [f"ticket-{ticket.ticket_id}.pdf" for ticket in tickets]
    for (_, content, mimetype), ticket in zip(message.attachments, tickets, strict=True):
        assert mimetype == "application/pdf"
        pdf = parse_pdf(content)
        assert pdf.page_count == 1 and ticket.ticket_id in pdf.text


def test_a_second_run_after_a_send_sends_nothing_and_a_resend_sends_again(
    user, buy_tickets, django_capture_on_commit_callbacks
):
    purchase = buy_tickets(user, quantity=2)
    tasks.send_ticket_email.delay(purchase.pk)
    tasks.send_ticket_email.delay(purchase.pk)  # a redelivered message, or the job racing the queue
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        outbox.resend(purchase=purchase)
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject == mail.outbox[1].subject == f"Your 2 tickets for {purchase.event.title}"
    assert all(len(message.attachments) == 2 for message in mail.outbox)


def test_smtp_errors_are_retried_and_the_payment_completes(user, make_event, pay_through_sandbox, flaky_smtp):
    backend = flaky_smtp(failures=2)
    payment = pay_through_sandbox(user, make_event())
    assert payment.status == "completed"
    assert backend.attempts == 3
    assert len(mail.outbox) == 1


def test_a_mail_server_that_stays_down_never_fails_the_payment(user, make_event, pay_through_sandbox, flaky_smtp):
    backend = flaky_smtp(failures=99)
    payment = pay_through_sandbox(user, make_event())
    assert payment.status == "completed"
    assert payment.purchase.tickets.get().status == "active"
    assert backend.attempts == 4  # the first try and 3 retries
    assert mail.outbox == []


def test_nothing_is_sent_for_a_purchase_without_issued_tickets(user, buy_tickets, reserve_only):
    refunded = buy_tickets(user)
    refund_purchase(purchase=refunded)
    tasks.send_ticket_email.delay(refunded.pk)
    tasks.send_ticket_email.delay(reserve_only(user).pk)
    tasks.send_ticket_email.delay(987654)
    assert mail.outbox == []


def test_a_single_ticket_subject_and_a_free_ticket(user, buy_tickets, make_event):
    event = make_event(title="Open Mic", ticket_types=[{"price": "0"}])
    purchase = buy_tickets(user, event=event)
    tasks.send_ticket_email.delay(purchase.pk)
    [message] = mail.outbox
    assert message.subject == "Your ticket for Open Mic"
    assert "Free" in message.body
