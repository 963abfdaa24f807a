"""With the broker refusing queue writes, account e-mails are sent in the request instead of lost, never a 500."""

import logging

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from accounts import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_refusing(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    for task in (tasks.send_account_email, tasks.send_contact_notification):
        monkeypatch.setattr(task, "apply_async", refuse)


def test_registering_still_mails_the_activation_link(api_client, committed, broker_refusing, caplog):
    caplog.set_level(logging.WARNING, logger="cafa.celery")
    with committed():
        response = api_client.post(
            "/api/v1/auth/users/",
            {"email": "kojo@example.com", "username": "kojo", "password": "Kente-Cloth-2024"},
            format="json",
        )
    assert response.status_code == 201, response.content
    [message] = mail.outbox
    assert message.to == ["kojo@example.com"] and "/activate/" in message.body
    assert "broker_unavailable task=accounts.send_account_email action=run_inline" in caplog.text


def test_a_contact_message_still_reaches_staff(api_client, committed, broker_refusing, settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["support@cafaticket.com"]
    with committed():
        response = api_client.post(
            "/api/v1/contact/",
            {"name": "Efua", "email": "efua@example.com", "subject": "Hello", "message": "A question about refunds."},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert [message.to for message in mail.outbox] == [["support@cafaticket.com"]]
