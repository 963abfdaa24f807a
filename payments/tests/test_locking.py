"""The one locking helper (cafa/locking.py) and the transactions of the checkout that use it.

The lock-timeout test needs real row locks: PostgreSQL (`services`).
"""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from rest_framework.exceptions import ValidationError

from cafa import locking
from cafa.api.exceptions import api_exception_handler
from events.models import TicketType
from payments.models import Payment
from payments.tests.fixtures import attendee_for, buy
from tickets.models import Purchase, Ticket
from tickets.services.reservations import reserve_tickets

User = get_user_model()


@pytest.mark.django_db(transaction=True)
def test_locks_are_refused_outside_a_transaction(buyer):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        locking.lock_rows(User.objects.filter(pk=buyer.pk))


@pytest.mark.django_db(transaction=True)
def test_a_reservation_runs_in_its_callers_transaction_and_opens_none_itself(buyer, ticket_type):
    def reserve():
        return reserve_tickets(
            buyer=buyer,
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=1,
            attendee=attendee_for(buyer),
        )

    with pytest.raises(RuntimeError):
        reserve()
    with transaction.atomic():
        reserve()
        transaction.set_rollback(True)  # the caller's rollback takes the reservation with it
    assert not Purchase.objects.exists() and not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_checkout_cannot_be_wrapped_in_a_longer_transaction(buyer, ticket_type):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        buy(buyer, ticket_type)
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_tables_are_locked_in_the_fixed_order_whatever_order_they_are_asked_in(buyer, ticket_type):
    tables = []

    def record(execute, sql, params, many, context):
        if sql.startswith("SELECT") and " FROM " in sql:
            tables.append(sql.split(" FROM ", 1)[1].split()[0].strip('"'))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record), transaction.atomic():
        types, users = locking.lock_rows(TicketType.objects.filter(pk=ticket_type.pk), User.objects.filter(pk=buyer.pk))

    assert (types, users) == ([ticket_type], [buyer])  # answered in the caller's order
    assert tables == ["accounts_user", "events_tickettype"]


@pytest.mark.django_db
def test_a_model_without_a_place_in_the_order_cannot_be_locked(buyer):
    with pytest.raises(ValueError, match="LOCK_ORDER"), transaction.atomic():
        locking.lock_rows(Purchase.objects.all())


def test_a_lock_timeout_from_the_database_is_a_503_envelope_with_retry_after():
    cause = type("LockNotAvailable", (Exception,), {"pgcode": "55P03"})()
    error = DatabaseError("canceling statement due to lock timeout")
    error.__cause__ = cause

    response = api_exception_handler(error, {})

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data["error"] == "Service Unavailable" and response.data["retry_after"] == 1
    assert api_exception_handler(DatabaseError("something else"), {}) is None  # still a plain 500
    assert api_exception_handler(ValidationError({"x": ["bad"]}), {}).status_code == 400


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_checkout_that_waits_too_long_for_the_stock_lock_answers_503_and_stores_nothing(
    buyer, ticket_type, client_for, monkeypatch
):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT_MS", 300)
    holding, release = threading.Event(), threading.Event()

    def hold_the_ticket_type():  # another transaction sitting on the stock row
        try:
            with transaction.atomic():
                TicketType.objects.select_for_update().get(pk=ticket_type.pk)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_ticket_type, daemon=True)
    holder.start()
    assert holding.wait(10)
    try:
        started = time.monotonic()
        response = client_for(buyer).post(
            "/api/v1/tickets/purchase/",
            {"event_id": ticket_type.event_id, "ticket_type_id": ticket_type.pk, "quantity": 1},
            format="json",
        )
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(10)

    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "1"
    assert response.json()["status_code"] == 503
    assert waited < 5
    assert not Purchase.objects.exists() and not Payment.objects.exists()
