"""Fixtures and helpers of the payout tests: sales on the ledger, payout profiles, transfer webhooks.

The fixtures are registered for every test by the root conftest (`pytest_plugins`); test modules
import only the plain helpers they call (`transfer_data`, `deliver_webhook`, `open_withdrawal_count`).
"""

import itertools
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.providers.paystack import SIGNATURE_HEADER, sign
from payments.providers.sandbox import sandbox_secret
from payouts.models import Withdrawal
from payouts.services import ledger
from tickets.models import Purchase, PurchaseStatus

_numbers = itertools.count(1)


def transfer_data(*, reference: str, transfer_code: str = "TRF_test123", amount: int = 100, status="success") -> dict:
    """`data` of a Paystack `transfer.*` event, shaped like Paystack's documented example."""
    return {
        "amount": amount,
        "currency": "GHS",
        "domain": "test",
        "failures": None,
        "id": 37272792,
        "integration": 463433,
        "reason": "Cafa Tickets payout account verification",
        "reference": reference,
        "source": "balance",
        "source_details": None,
        "status": status,
        "titan_code": None,
        "transfer_code": transfer_code,
        "transferred_at": None,
        "recipient": {
            "active": True,
            "currency": "GHS",
            "domain": "test",
            "email": None,
            "id": 8690817,
            "name": "Ama Mensah",
            "recipient_code": "RCP_test123",
            "type": "mobile_money",
            "details": {"account_number": "0241234567", "account_name": "AMA MENSAH", "bank_code": "MTN"},
        },
        "createdAt": "2026-03-01T10:00:00.000Z",
        "updatedAt": "2026-03-01T10:00:05.000Z",
    }


def deliver_webhook(client, capture, event: str, data: dict):
    """POST a signed provider event to Y10 and run its after-commit processing."""
    body = json.dumps({"event": event, "data": data}).encode()
    with capture(execute=True):
        response = client.post(
            "/api/v1/payments/webhook/",
            data=body,
            content_type="application/json",
            headers={SIGNATURE_HEADER: sign(body, sandbox_secret())},
        )
    assert response.status_code == 200, response.content
    return response


@pytest.fixture
def payout_profile(organizer, make_profile):
    return make_profile(organizer, is_default=True, recipient_code="")


@pytest.fixture
def make_sale(make_user):
    """A completed purchase of `quantity` tickets, credited on the ledger as the completion service does."""
    buyer = None

    def make(event, quantity=1, *, completed_at=None, refunded=False):
        nonlocal buyer
        buyer = buyer or make_user()
        ticket_type = event.ticket_types.first()
        subtotal = ticket_type.price * quantity
        fee = (subtotal * Decimal("0.05")).quantize(Decimal("0.01"))
        now = completed_at or timezone.now()
        purchase = Purchase.objects.create(
            buyer=buyer,
            event=event,
            ticket_type=ticket_type,
            quantity=quantity,
            unit_price=ticket_type.price,
            subtotal=subtotal,
            service_fee=fee,
            total=subtotal + fee,
            status=PurchaseStatus.COMPLETED,
            attendee_name="Kofi",
            attendee_email="kofi@example.com",
            reserved_at=now,
            reservation_expires_at=now + timedelta(minutes=10),
            completed_at=now,
        )
        ledger.record_sale(purchase=purchase)
        if refunded:
            Purchase.objects.filter(pk=purchase.pk).update(status=PurchaseStatus.REFUNDED)
            ledger.reverse_sale(purchase=purchase)
        return purchase

    return make


@pytest.fixture
def sold_event(make_event, make_sale):
    """An event that ended 10 days ago (past the hold) with GHS 1,000 of sales (net 950.00 available)."""
    event = make_event(days=-10, price="100.00")
    make_sale(event, 10)
    return event


@pytest.fixture
def withdrawable(organizer, payout_profile, sold_event):
    """An organizer with GHS 950.00 available and a verified default profile."""
    return organizer


def open_withdrawal_count(organizer) -> int:
    return Withdrawal.objects.filter(organizer=organizer, status__in=("pending", "processing")).count()
