"""Fixtures of the purchase and payment API tests: an event on sale, paying in the sandbox."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

_numbers = itertools.count(1)
PURCHASE_URL = "/api/v1/tickets/purchase/"
INITIATE_URL = "/api/v1/payments/initiate/"


PAID_AND_FREE = [
    {"name": "Regular", "price": "50.00", "quantity": 100},
    {"name": "Community", "price": "0", "quantity": 50},
]


@pytest.fixture
def make_event(make_event):
    """The shared `make_event`, for these tests in 5 days with a paid (50.00) and a free ticket type."""

    def make(*, days=5, ticket_types=PAID_AND_FREE, **fields):
        return make_event(days=days, ticket_types=ticket_types, **fields)

    return make


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def paid_type(event):
    return event.ticket_types.get(name="Regular")


@pytest.fixture
def free_type(event):
    return event.ticket_types.get(name="Community")


@pytest.fixture
def buyer_client(client_for, buyer):
    return client_for(buyer)


@pytest.fixture
def purchase_body(event, paid_type):
    """A valid Y1 body for 2 paid tickets; override any key."""

    def build(**overrides):
        body = {
            "event_id": event.pk,
            "ticket_type_id": paid_type.pk,
            "quantity": 2,
            "attendee_info": {"name": "Esi Owusu", "email": "esi@example.com", "phone": "0201234567"},
        }
        body.update(overrides)
        return body

    return build


@pytest.fixture
def buy(buyer_client, purchase_body, django_capture_on_commit_callbacks):
    """POST Y1 as the buyer and return the 201 body."""

    def run(client=None, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            response = (client or buyer_client).post(PURCHASE_URL, purchase_body(**overrides), format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return run


@pytest.fixture
def pay_in_sandbox(django_capture_on_commit_callbacks):
    """Press a button on the sandbox checkout page (`success`, `failed` or `abandoned`)."""

    def pay(reference, outcome="success"):
        with django_capture_on_commit_callbacks(execute=True):
            response = APIClient().post(f"/api/v1/payments/sandbox/{reference}/", {"outcome": outcome})
        assert response.status_code == 302
        return response

    return pay


@pytest.fixture
def paid_purchase(buy, pay_in_sandbox):
    """A purchase of 2 paid tickets, completed through the sandbox; returns the Y1 body."""
    body = buy()
    pay_in_sandbox(body["payment"]["reference"])
    return body


QR_IMAGE = "data:image/png;base64,iVBORw0KGgo="


@pytest.fixture
def make_payment(paid_type):
    """Rows straight in the database: a purchase of `quantity` tickets and its payment in `status`."""
    from events.services import count_issued
    from payments.models import Payment
    from tickets.models import Purchase, Ticket
    from tickets.pricing import price_order

    def make(user, *, status="completed", quantity=1, created_at=None, ticket_type=None, **payment_fields):
        ticket_type = ticket_type or paid_type
        pricing = price_order(ticket_type.price, quantity)
        now = timezone.now()
        purchase = Purchase.objects.create(
            buyer=user,
            event=ticket_type.event,
            ticket_type=ticket_type,
            quantity=quantity,
            unit_price=pricing.unit_price,
            subtotal=pricing.subtotal,
            service_fee=pricing.service_fee,
            total=pricing.total,
            status=status,
            attendee_name=user.full_name or user.username,
            attendee_email=user.email,
            reserved_at=now,
            reservation_expires_at=now + timedelta(minutes=10),
            completed_at=now if status == "completed" else None,
        )
        ticket_status = {"completed": "active", "pending": "reserved", "cancelled": "cancelled"}.get(status, "expired")
        issued = ticket_status == "active"
        Ticket.objects.bulk_create(
            Ticket(
                purchase=purchase,
                event=ticket_type.event,
                ticket_type=ticket_type,
                status=ticket_status,
                reserved_until=purchase.reservation_expires_at,
                attendee_name=purchase.attendee_name,
                attendee_email=purchase.attendee_email,
                price_paid=pricing.unit_price,
                issued_at=now if issued else None,
                qr_code=QR_IMAGE if issued else "",
            )
            for _ in range(quantity)
        )
        if issued:  # as issuing would have counted them (the stock rule reads the counter)
            count_issued(ticket_type_id=ticket_type.pk, delta=quantity, at=now)
        payment_fields.setdefault("provider", "sandbox")
        payment = Payment.objects.create(
            purchase=purchase,
            user=user,
            amount=pricing.total,
            status=status,
            completed_at=now if status == "completed" else None,
            **payment_fields,
        )
        if created_at is not None:
            Payment.objects.filter(pk=payment.pk).update(created_at=created_at)
            payment.refresh_from_db()
        return payment

    return make
