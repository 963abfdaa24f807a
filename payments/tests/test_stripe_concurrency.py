"""A Stripe payment settled once whatever the timing: L2 verify racing L4 webhook deliveries (PostgreSQL).

Run with your own database and Redis DB, e.g.
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_15 REDIS_URL=redis://127.0.0.1:6379/8 \
 .venv/bin/pytest -m services payments/tests/test_stripe_concurrency.py`
"""

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from payments.models import Payment, WebhookEvent
from payments.tests.fixtures import run_together
from payments.tests.stripe_fixtures import LEGACY_URL, signed_event
from payouts.models import LedgerEntry
from tickets.models import Ticket

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paid_session(buyer, event, paid_type, fake_stripe):
    """Two Regular tickets reserved through L1 and paid on Stripe's page; nothing told us yet."""
    client = APIClient()
    client.force_authenticate(buyer)
    response = client.post(
        f"{LEGACY_URL}/create-payment-intent/",
        {"event_id": event.pk, "ticket_type_id": paid_type.pk, "quantity": 2},
        format="json",
    )
    assert response.status_code == 201, response.json()
    session_id = response.json()["session_id"]
    fake_stripe.pay(session_id)
    return session_id


def test_verify_racing_webhook_deliveries_issues_tickets_ledger_and_mail_once(
    paid_session, buyer, fake_stripe, inline_side_effects
):
    event = fake_stripe.session_event("checkout.session.completed", paid_session)
    body, headers = signed_event(event)

    def work(i):
        if i % 2:
            response = Client().post(f"{LEGACY_URL}/webhook/", data=body, content_type="application/json", **headers)
            return response.status_code, response.json()
        client = APIClient()
        client.force_authenticate(buyer)
        response = client.post(f"{LEGACY_URL}/verify/", {"session_id": paid_session}, format="json")
        return response.status_code, response.json().get("detail")

    results = run_together(8, work)

    errors = [value for outcome, value in results if outcome == "error"]
    assert errors == [], f"unexpected errors: {errors!r}"
    answers = [value for _, value in results]
    assert answers.count((200, {"received": True})) == 4
    assert answers.count((200, "Payment successful")) == 4
    payment = Payment.objects.get()
    assert payment.status == "completed"
    assert WebhookEvent.objects.count() == 1
    assert Ticket.objects.filter(status="active").count() == 2
    assert LedgerEntry.objects.filter(purchase_id=payment.purchase_id).count() == 2
    assert inline_side_effects == [payment.purchase_id]
    assert len(mail.outbox) == 1
