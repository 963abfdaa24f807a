"""With PostgreSQL, Redis and a real Celery worker, a completed payment's tickets are mailed by the worker."""

import email
from email import policy

import pytest

from conftest import wait_until
from tickets.services.reservations import Attendee

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_sandbox_payment_gets_its_tickets_mailed_by_the_worker(celery_worker_process, user, make_event, client):
    from cafa.celery import app
    from payments.services.checkout import start_checkout

    assert app.conf.task_always_eager is False
    event = make_event(title="Worker Night")
    checkout = start_checkout(
        buyer=user,
        event=event,
        ticket_type_id=event.ticket_types.first().pk,
        quantity=2,
        attendee=Attendee(name="Ama Serwaa", email="worker-buyer@example.com"),
    )
    payment = checkout.payment
    response = client.post(f"/api/v1/payments/sandbox/{payment.reference}/", {"outcome": "success"})
    assert response.status_code == 302

    def completed():
        payment.refresh_from_db()
        return payment.status == "completed"

    assert wait_until(completed, timeout=60), "the payment was not completed"  # webhook processing may be queued

    purchase_id = payment.purchase.purchase_id
    mail_dir = celery_worker_process["mail_dir"]
    delivered = wait_until(lambda: [p for p in mail_dir.iterdir() if purchase_id in p.read_text()], timeout=60)
    assert delivered, "the worker did not deliver the ticket e-mail"
    # The file backend writes each message followed by a separator line of dashes.
    raw = delivered[0].read_text().rsplit("\n" + "-" * 79, 1)[0]
    message = email.message_from_string(raw, policy=policy.default)
    assert message["To"] == "worker-buyer@example.com"
    assert message["Subject"] == "Your 2 tickets for Worker Night"
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    expected = {f"ticket-{ticket_id}.pdf" for ticket_id in payment.purchase.tickets.values_list("ticket_id", flat=True)}
    assert set(attachments) == expected
    assert all(content.startswith(b"%PDF-") for content in attachments.values())
