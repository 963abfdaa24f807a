"""With Redis unreachable, every step of buying a ticket still answers normally (only rate limits go)."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from conftest import PASSWORD
from payments.models import Payment
from payments.tests.conftest import INITIATE_URL, PURCHASE_URL
from tickets.models import Purchase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _redis_down(unreachable_cache):
    """Every test here runs with the production cache backend pointed at a closed port."""


def test_browsing_and_logging_in(event, buyer):
    anonymous = APIClient()
    listing = anonymous.get("/api/v1/events/")
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["results"]] == [event.pk]
    assert anonymous.get(f"/api/v1/events/{event.slug}/").status_code == 200
    assert anonymous.get("/api/v1/public/stats/").status_code == 200
    assert anonymous.get("/api/v1/banks/").status_code == 200

    login = anonymous.post("/api/v1/auth/login/", {"email": buyer.email, "password": PASSWORD}, format="json")
    assert login.status_code == 200
    assert set(login.json()["tokens"]) == {"access", "refresh"}


def test_buying_paying_and_reading_the_tickets(buyer_client, purchase_body, pay_in_sandbox):
    purchase = buyer_client.post(PURCHASE_URL, purchase_body(), format="json")
    assert purchase.status_code == 201, purchase.json()
    reference = purchase.json()["payment"]["reference"]

    pay_in_sandbox(reference)
    verify = APIClient().get(f"/api/v1/payments/verify/{reference}/")
    assert verify.status_code == 200
    assert Payment.objects.get(reference=reference).status == "completed"
    assert len(mail.outbox) == 1

    mine = buyer_client.get("/api/v1/tickets/my-tickets/")
    assert mine.status_code == 200
    assert mine.json()["count"] == 2


def test_initiate_with_an_idempotency_key_still_charges_once(buyer_client, purchase_body):
    """Idempotency records live in the database: a repeat is replayed, not a second reservation."""
    headers = {"HTTP_IDEMPOTENCY_KEY": "outage-key-1"}
    first = buyer_client.post(INITIATE_URL, purchase_body(), format="json", **headers)
    again = buyer_client.post(INITIATE_URL, purchase_body(), format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Purchase.objects.count() == 1 and Payment.objects.count() == 1
