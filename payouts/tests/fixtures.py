"""Fixtures and helpers of the payout tests: sales on the ledger, payout profiles, transfer webhooks.

The fixtures are registered for every test by the root conftest (`pytest_plugins`); test modules
import only the plain helpers they call (`transfer_data`, `deliver_webhook`, `open_withdrawal_count`).
"""

import itertools
import json
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from payments.providers.paystack import SIGNATURE_HEADER, sign
from payments.providers.sandbox import sandbox_secret
from payouts.models import LedgerEntry, Withdrawal
from payouts.services import ledger
from tickets.models import CheckIn, PromoCode, Purchase, PurchaseStatus, WaitlistEntry, WaitlistStatus
from tickets.services import checkin
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

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


@pytest.fixture
def make_organizer_world(make_admin_organizer, make_event, make_profile, make_user):
    """`make_organizer_world(**user_fields)` -> an organizer with admin access and one of everything their
    admin pages show: a payment profile, an upcoming event with a ticket type, a completed sale of two
    tickets (on the ledger), one of them checked in, a pending withdrawal, a promo code and a waiting-list
    entry whose offer lapsed (a waiting one would hold the type's free seats for the queue)."""

    def make(**fields):
        organizer = make_admin_organizer(**fields)
        profile = make_profile(organizer, is_default=True)
        event = make_event(organizer=organizer, payment_profile=profile, title=f"Gala of {organizer.username}")
        ticket_type = event.ticket_types.get()
        name = organizer.username
        guest = Attendee(name=f"Guest of {name}", email=f"guest.{name}@example.com", phone="")
        with transaction.atomic():
            purchase = reserve_tickets(
                buyer=make_user(), event=event, ticket_type_id=ticket_type.pk, quantity=2, attendee=guest
            )
            issue_tickets(purchase=purchase)
        ledger.record_sale(purchase=Purchase.objects.get(pk=purchase.pk))
        ticket = purchase.tickets.order_by("pk").first()
        checkin.check_in(event=event, scanned_value=ticket.ticket_id, scanner=organizer)
        withdrawal = Withdrawal.objects.create(
            organizer=organizer, payment_profile=profile, requested_amount=Decimal("20"), final_amount=Decimal("20")
        )
        promo = PromoCode.objects.create(
            event=event, code=f"PROMO-{organizer.pk}-X", discount_type="percentage", discount_value=Decimal("10")
        )
        queue_entry = lapsed_queue_entry(ticket_type, make_user(), name=f"Waiting guest of {name}")
        return SimpleNamespace(
            organizer=organizer,
            promo=promo,
            queue_entry=queue_entry,
            profile=profile,
            event=event,
            ticket_type=ticket_type,
            purchase=purchase,
            ticket=ticket,
            check_in=CheckIn.objects.get(ticket=ticket),
            ledger_entry=LedgerEntry.objects.filter(organizer=organizer).first(),
            withdrawal=withdrawal,
        )

    return make


def lapsed_queue_entry(ticket_type, user, name="Yaw Mensah"):
    """A waiting-list entry whose offer lapsed unpaid (straight in the database)."""
    now = timezone.now()
    return WaitlistEntry.objects.create(
        user=user,
        event=ticket_type.event,
        ticket_type=ticket_type,
        quantity=1,
        attendee_name=name,
        attendee_email=user.email,
        status=WaitlistStatus.EXPIRED,
        offered_at=now - timedelta(minutes=40),
        offer_expires_at=now - timedelta(minutes=10),
        closed_at=now - timedelta(minutes=9),
    )


def open_withdrawal_count(organizer) -> int:
    return Withdrawal.objects.filter(organizer=organizer, status__in=("pending", "processing")).count()
