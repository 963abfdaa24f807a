"""A webhook whose processing dies with the database connection still leaves its trace (PostgreSQL).

Run with your own database and Redis DB, e.g.
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_XX REDIS_URL=redis://127.0.0.1:6379/N \
 .venv/bin/pytest -m services payments/tests/test_webhook_connection_loss.py`
"""

import pytest
from django.db import connection

from payments.models import WebhookEvent
from payments.services import webhooks

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def terminate_own_session():
    """The server ends this session, as when PostgreSQL restarts or a proxy drops the connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


def close_under_django():
    """The socket goes away under Django: the next query fails with InterfaceError."""
    connection.connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@pytest.mark.parametrize("lose_connection", [terminate_own_session, close_under_django])
def test_the_failure_is_recorded_on_a_fresh_connection(monkeypatch, lose_connection):
    record = WebhookEvent.objects.create(
        provider="paystack",
        dedup_key="charge.success:connection-loss",
        event_type="charge.success",
        payload={"event": "charge.success", "data": {"reference": "CAFA-LOST"}},
    )
    monkeypatch.setattr(webhooks, "_route", lambda event: lose_connection())

    webhooks.process_webhook_event(event_pk=record.pk)

    record.refresh_from_db()
    assert record.processed_at is None
    assert record.attempts == 1
    assert record.last_error.startswith(("OperationalError", "InterfaceError"))
