"""`Idempotency-Key` on Y1 and Y2 (CONTRACT.md §6.2): one purchase per key, replays change nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import IdempotentRequest, Payment
from payments.providers import ProviderError
from payments.providers.sandbox import SandboxProvider
from tickets.models import Purchase, Ticket

pytestmark = pytest.mark.django_db

PURCHASE_URL = "/api/v1/tickets/purchase/"
INITIATE_URL = "/api/v1/payments/initiate/"


@pytest.fixture
def post(buyer_client, django_capture_on_commit_callbacks):
    def send(body, key="order-1", url=PURCHASE_URL, client=None):
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        with django_capture_on_commit_callbacks(execute=True):
            return (client or buyer_client).post(url, body, format="json", **headers)

    return send


def test_a_repeat_with_the_same_body_replays_the_answer_and_reserves_nothing(post, purchase_body):
    first = post(purchase_body())
    again = post(purchase_body())

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert (Purchase.objects.count(), Ticket.objects.count(), Payment.objects.count()) == (1, 2, 1)


def test_key_order_and_spacing_of_the_body_do_not_matter(buyer_client, purchase_body, post):
    post(purchase_body())
    reordered = dict(reversed(list(purchase_body().items())))
    assert post(reordered)["Idempotent-Replayed"] == "true"


def test_a_different_body_with_the_same_key_is_409(post, purchase_body, assert_error):
    post(purchase_body())
    response = post(purchase_body(quantity=3))
    assert_error(response, 409, "Idempotency key reused")
    assert Ticket.objects.count() == 2


def test_a_repeat_while_the_first_runs_is_409_with_retry_after(post, purchase_body, buyer, assert_error):
    first = post(purchase_body(), key="running")
    IdempotentRequest.objects.filter(key="running").update(status_code=None, response_body=None)

    response = post(purchase_body(), key="running")

    assert first.status_code == 201
    assert_error(response, 409, "Request in progress")
    assert response["Retry-After"] == "1"


def test_a_claim_never_finished_stops_blocking_after_two_minutes(post, purchase_body, buyer, time_machine):
    IdempotentRequest.objects.create(
        user=buyer, endpoint="tickets/purchase", key="crashed", fingerprint="0" * 64, status_code=None
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=3))
    assert post(purchase_body(), key="crashed").status_code == 201


def test_a_refusal_is_stored_and_replayed(post, purchase_body, paid_type):
    paid_type.quantity = 1
    paid_type.save()
    refused = post(purchase_body(quantity=2))
    paid_type.quantity = 10
    paid_type.save()

    again = post(purchase_body(quantity=2))

    assert refused.status_code == again.status_code == 400
    assert again.json() == refused.json() and again["Idempotent-Replayed"] == "true"
    assert not Purchase.objects.exists()


def test_a_validation_error_is_stored_too(post):
    assert post({"quantity": 0}).status_code == 400
    assert post({"quantity": 0})["Idempotent-Replayed"] == "true"


def test_a_server_error_is_not_stored(post, purchase_body, monkeypatch):
    original = SandboxProvider.initialize

    def refuse(self, **kwargs):
        raise ProviderError("down")

    monkeypatch.setattr(SandboxProvider, "initialize", refuse)
    assert post(purchase_body()).status_code == 502
    monkeypatch.setattr(SandboxProvider, "initialize", original)

    retried = post(purchase_body())

    assert retried.status_code == 201 and not retried.has_header("Idempotent-Replayed")
    assert IdempotentRequest.objects.get().status_code == 201


def test_an_answer_is_kept_for_24_hours(post, purchase_body, time_machine):
    post(purchase_body(quantity=1))
    time_machine.move_to(timezone.now() + timedelta(hours=23))
    assert post(purchase_body(quantity=1))["Idempotent-Replayed"] == "true"
    time_machine.move_to(timezone.now() + timedelta(hours=2))

    later = post(purchase_body(quantity=1))

    assert later.status_code == 201 and not later.has_header("Idempotent-Replayed")
    assert Purchase.objects.count() == 2


def test_keys_are_scoped_per_user_and_endpoint(post, purchase_body, make_user, client_for, event, paid_type):
    post(purchase_body(quantity=1))
    other = post(purchase_body(quantity=1), client=client_for(make_user()))
    initiated = post({"event_id": event.pk, "ticket_type_id": paid_type.pk}, url=INITIATE_URL)

    assert other.status_code == 201 and not other.has_header("Idempotent-Replayed")
    assert initiated.status_code == 201 and not initiated.has_header("Idempotent-Replayed")
    assert Purchase.objects.count() == 3


def test_initiate_replays_too(post, event, paid_type):
    body = {"event_id": event.pk, "ticket_type_id": paid_type.pk}
    first = post(body, url=INITIATE_URL)
    again = post(body, url=INITIATE_URL)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Purchase.objects.count() == 1


def test_without_a_key_every_request_is_a_new_purchase(post, purchase_body):
    post(purchase_body(quantity=1), key=None)
    post(purchase_body(quantity=1), key=None)
    assert Purchase.objects.count() == 2
    assert not IdempotentRequest.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "caf\u00e9"])
def test_a_malformed_key_is_400(post, purchase_body, assert_error, key):
    body = assert_error(post(purchase_body(), key=key), 400, "Validation Error")
    assert "Idempotency-Key" in body["details"]
    assert not Purchase.objects.exists()


def test_a_key_of_255_printable_characters_is_accepted(post, purchase_body):
    assert post(purchase_body(), key="K" * 254 + "~").status_code == 201


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_create_one_purchase(buyer, purchase_body):
    body = purchase_body(quantity=1)
    start = threading.Barrier(2)
    responses = []

    def send():
        try:
            client = APIClient()
            client.force_authenticate(user=buyer)
            start.wait(timeout=10)
            responses.append(client.post(PURCHASE_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same-key"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert Purchase.objects.count() == 1 and Ticket.objects.count() == 1
    statuses = sorted(response.status_code for response in responses)
    assert statuses in ([201, 201], [201, 409])
    if statuses == [201, 409]:
        conflict = next(response for response in responses if response.status_code == 409)
        assert conflict.json()["error"] == "Request in progress" and conflict["Retry-After"] == "1"
    else:
        assert sum(response.has_header("Idempotent-Replayed") for response in responses) == 1
