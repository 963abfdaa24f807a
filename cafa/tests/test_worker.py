"""With PostgreSQL, Redis and a real Celery worker, queued work is done by the worker."""

import pytest

from conftest import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_registration_email_is_delivered_by_the_worker(api_client, celery_worker_process):
    from cafa.celery import app

    assert app.conf.task_always_eager is False
    response = api_client.post(
        "/api/v1/auth/users/",
        {"email": "worker@example.com", "username": "worker", "password": "Str0ng-Passw0rd!"},
        format="json",
    )
    assert response.status_code == 201

    mail_dir = celery_worker_process["mail_dir"]
    delivered = wait_until(lambda: [p for p in mail_dir.iterdir() if "worker@example.com" in p.read_text()])
    assert delivered, "the worker did not deliver the activation e-mail"
    assert "/activate/" in delivered[0].read_text()
