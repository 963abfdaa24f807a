"""Fixtures and helpers of the payout tests (import with `from payouts.tests.payout_fixtures import *`)."""

import itertools
import json
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import PaymentProfile
from events.models import Category, Event, TicketType
from payments.providers.paystack import SIGNATURE_HEADER, sign
from payments.providers.sandbox import sandbox_secret
from payouts.models import Withdrawal
from payouts.services import ledger
from tickets.models import Purchase, PurchaseStatus

__all__ = [
    "deliver_webhook",
    "make_event",
    "make_profile",
    "make_sale",
    "organizer",
    "organizer_client",
    "payout_profile",
    "sold_event",
    "transfer_data",
    "withdrawable",
]

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
def organizer(make_user):
    return make_user(full_name="Ama Mensah", verification_status="verified", is_organizer=True)


@pytest.fixture
def organizer_client(client_for, organizer):
    return client_for(organizer)


@pytest.fixture
def make_profile():
    """A payout account straight in the database (no verification transfer)."""

    def make(user, **fields):
        number = next(_numbers)
        fields.setdefault("method", "mobile_money")
        fields.setdefault("name", f"MoMo {number}")
        fields.setdefault("account_number", f"+23324{number:03d}1234")
        fields.setdefault("account_name", user.full_name or user.username)
        fields.setdefault("network", "MTN")
        fields.setdefault("status", "verified")
        return PaymentProfile.objects.create(user=user, **fields)

    return make


@pytest.fixture
def payout_profile(organizer, make_profile):
    return make_profile(organizer, is_default=True, recipient_code="")


@pytest.fixture
def make_event(organizer):
    """`make_event(days=-10, title=..., organizer=...)`: an event starting `days` from today."""

    def make(*, days=10, price="50.00", **fields):
        number = next(_numbers)
        fields.setdefault("organizer", organizer)
        # get_or_create: a transactional (`services`) test may run after another one flushed the seeded rows
        music, _ = Category.objects.get_or_create(slug="music", defaults={"name": "Music", "icon": "FaMusic"})
        fields.setdefault("category", music)
        fields.setdefault("title", f"Payout Night {number}")
        fields.setdefault("slug", f"payout-night-{number}")
        event = Event.objects.create(
            short_description="A night of highlife to test organizer payouts.",
            description="x" * 60,
            venue_name="Hall",
            venue_city="Accra",
            start_date=timezone.localdate() + timedelta(days=days),
            start_time=time(19, 0),
            max_attendees=500,
            **fields,
        )
        TicketType.objects.create(event=event, name="Regular", price=Decimal(price), quantity=400, max_purchase=10)
        return event

    return make


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
