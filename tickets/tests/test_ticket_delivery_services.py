"""Ticket e-mails on PostgreSQL and a real worker: concurrent senders send once, a lost queue message is made good.

Run with your own database and Redis DB, e.g.
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_XX REDIS_URL=redis://127.0.0.1:6379/N \
 .venv/bin/pytest -m services tickets/tests/test_ticket_delivery_services.py`
"""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from conftest import wait_until
from tickets import tasks
from tickets.models import TicketDelivery
from tickets.services import outbox
from tickets.services.reservations import Attendee

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def in_thread(work):
    """Start `work()` in a thread with its own connection; returns (thread, results)."""
    results = []

    def run():
        try:
            results.append(work())
        except BaseException as error:
            results.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, results


def test_a_run_while_another_is_mid_send_sends_nothing(user, buy_tickets, monkeypatch):
    purchase = buy_tickets(user)
    TicketDelivery.objects.filter(purchase=purchase).update(due_since=timezone.now() - timedelta(minutes=2))
    real_send = outbox.delivery.send_ticket_email
    sending, release = threading.Event(), threading.Event()

    def slow_send(*, purchase_pk):
        sending.set()
        assert release.wait(20), "never released"
        return real_send(purchase_pk=purchase_pk)

    monkeypatch.setattr(outbox.delivery, "send_ticket_email", slow_send)
    first, first_result = in_thread(lambda: outbox.deliver(purchase_pk=purchase.pk))
    assert sending.wait(20), "the first sender never started"

    second, second_result = in_thread(lambda: outbox.deliver(purchase_pk=purchase.pk))
    second.join(20)
    job, job_result = in_thread(lambda: outbox.send_due())
    job.join(20)
    release.set()
    first.join(20)

    assert first_result == ["sent"] and second_result == ["busy"]
    assert job_result[0].due == 0  # a claimed delivery is not due
    assert len(mail.outbox) == 1


def test_senders_released_together_send_once(user, buy_tickets):
    purchase = buy_tickets(user)
    TicketDelivery.objects.filter(purchase=purchase).update(due_since=timezone.now() - timedelta(minutes=2))
    barrier = threading.Barrier(6)

    def race(index):
        barrier.wait(10)
        return outbox.deliver(purchase_pk=purchase.pk) if index % 2 else outbox.send_due().sent

    threads = [in_thread(lambda i=i: race(i)) for i in range(6)]
    for thread, _ in threads:
        thread.join(30)
    outcomes = [result for _, results in threads for result in results]
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert len(mail.outbox) == 1
    assert TicketDelivery.objects.get(purchase=purchase).status == "sent"


def test_the_worker_sends_a_ticket_email_whose_queue_write_was_refused(
    celery_worker_process, user, make_event, buy_tickets, client, monkeypatch
):
    from cafa.celery import enqueue
    from payments.services import webhooks
    from payments.services.checkout import start_checkout

    event = make_event(title="Outage Night")
    checkout = start_checkout(
        buyer=user,
        event=event,
        ticket_type_id=event.ticket_types.first().pk,
        quantity=1,
        attendee=Attendee(name="Ama Serwaa", email="outage-buyer@example.com"),
    )
    task = tasks.send_ticket_email
    refused = []

    def refuse(*args, **kwargs):
        refused.append(args)
        raise OperationalError("Error 111 connecting to redis. Connection refused.")

    monkeypatch.setattr(task, "apply_async", refuse)
    # The payment completes here, in this process, where queueing is refused.
    monkeypatch.setattr(webhooks, "_queue_processing", lambda pk: webhooks.process_webhook_event(event_pk=pk))
    payment = checkout.payment
    response = client.post(f"/api/v1/payments/sandbox/{payment.reference}/", {"outcome": "success"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "completed"
    assert refused, "the ticket e-mail was never queued"
    monkeypatch.undo()

    # The worker runs in real time: age the delivery instead of moving its clock.
    TicketDelivery.objects.filter(purchase=payment.purchase).update(due_since=timezone.now() - timedelta(minutes=2))
    purchase_id = payment.purchase.purchase_id
    mail_dir = celery_worker_process["mail_dir"]

    def mailed():
        return [p for p in mail_dir.iterdir() if purchase_id in p.read_text()]

    enqueue("tickets.send_due_ticket_emails")
    assert wait_until(mailed, timeout=60), "the periodic job did not send the ticket e-mail"

    # Run the job and the task again, then a sentinel: the solo worker takes messages in order.
    enqueue("tickets.send_due_ticket_emails")
    enqueue("tickets.send_ticket_email", payment.purchase.pk)
    sentinel = buy_tickets(user, email="sentinel@example.com")
    enqueue("tickets.send_ticket_email", sentinel.pk)
    assert wait_until(lambda: [p for p in mail_dir.iterdir() if sentinel.purchase_id in p.read_text()], timeout=60)
    assert len(mailed()) == 1
