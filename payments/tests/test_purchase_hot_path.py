"""The purchase request's fixed cost (issue 12): what one Y1 or Y2 asks of the database and of Redis,
and the hand-built answers held equal to their serializers (the contract's shapes).

The counts are of a whole request authenticated with a real access token: the user's row, the event,
the reservation's transaction (CONTRACT.md §6.1), then one more transaction for the provider's record
(the sandbox's) with the payment's URL and the purchase's move to `pending`. Two commits, each waiting
for its flush to disk; BEGIN and COMMIT count as queries. A new query on this path shows up here first.
"""

import json

import pytest
import redis.connection
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from payments.serializers.checkout import (
    InitiatedPaymentSerializer,
    PurchaseCreatedSerializer,
    initiated_payment_body,
    purchase_created_body,
)
from payments.tests.conftest import INITIATE_URL, PURCHASE_URL
from payments.tests.fixtures import buy as checkout

pytestmark = pytest.mark.django_db

# Per database: PostgreSQL's transaction also sets its lock timeout (cafa/locking.py).
Y1_QUERIES = {"postgresql": 19, "sqlite": 17}
Y2_QUERIES = {"postgresql": 18, "sqlite": 16}
COMMITS = 2
IDEMPOTENCY_KEY_QUERIES = 2  # the claim's INSERT and the answer's UPDATE
# A promo code: its look-up (before the ticket type's lock) and its lock; its uses join the stock's reading.
PROMO_CODE_QUERIES = 2


@pytest.fixture
def bearer_client(buyer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(buyer)}")
    return client


def y1_body(event, ticket_type):
    return {"event_id": event.pk, "ticket_type_id": ticket_type.pk, "quantity": 2}


def y2_body(event, ticket_type):
    return {"event_slug": event.slug, "ticket_type_id": ticket_type.pk, "quantity": 3, "buyer_name": "Ama"}


# As in production: no test transaction around the request (no savepoints in the counts).
as_in_production = pytest.mark.django_db(transaction=True)


@as_in_production
def test_y1_costs_a_fixed_number_of_queries(bearer_client, event, paid_type, django_assert_num_queries):
    bearer_client.post(PURCHASE_URL, y1_body(event, paid_type), format="json")  # warm: nothing cached counts

    with django_assert_num_queries(Y1_QUERIES[connection.vendor]) as queries:
        response = bearer_client.post(PURCHASE_URL, y1_body(event, paid_type), format="json")

    assert response.status_code == 201, response.json()
    assert _commits(queries) == COMMITS


@as_in_production
def test_y2_costs_a_fixed_number_of_queries(bearer_client, event, paid_type, django_assert_num_queries):
    bearer_client.post(INITIATE_URL, y2_body(event, paid_type), format="json")

    with django_assert_num_queries(Y2_QUERIES[connection.vendor]) as queries:
        response = bearer_client.post(INITIATE_URL, y2_body(event, paid_type), format="json")

    assert response.status_code == 201, response.json()
    assert _commits(queries) == COMMITS


@as_in_production
@pytest.mark.parametrize("max_uses", [None, 1000])
def test_a_promo_code_adds_two_queries(
    bearer_client, event, paid_type, make_promo, max_uses, django_assert_num_queries
):
    make_promo(event, "EARLY", percent=10, max_uses=max_uses, max_uses_per_user=5)
    body = y1_body(event, paid_type) | {"promo_code": "early"}
    bearer_client.post(PURCHASE_URL, body, format="json")

    with django_assert_num_queries(Y1_QUERIES[connection.vendor] + PROMO_CODE_QUERIES):
        response = bearer_client.post(PURCHASE_URL, body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["pricing"]["promo_code"] == "EARLY"


def _commits(queries) -> int:
    return sum(query["sql"] == "COMMIT" for query in queries.captured_queries)


@as_in_production
def test_an_idempotency_key_adds_two_queries(bearer_client, event, paid_type, django_assert_num_queries):
    expected = Y2_QUERIES[connection.vendor] + IDEMPOTENCY_KEY_QUERIES

    with django_assert_num_queries(expected):
        response = bearer_client.post(
            INITIATE_URL, y2_body(event, paid_type), format="json", HTTP_IDEMPOTENCY_KEY="order-1"
        )

    assert response.status_code == 201, response.json()


@pytest.mark.services
@as_in_production
@pytest.mark.parametrize("url, body", [(PURCHASE_URL, y1_body), (INITIATE_URL, y2_body)])
def test_a_purchase_makes_one_redis_round_trip(bearer_client, event, paid_type, monkeypatch, url, body):
    sent = []
    send = redis.connection.AbstractConnection.send_packed_command
    monkeypatch.setattr(
        redis.connection.AbstractConnection,
        "send_packed_command",
        lambda self, *args, **kwargs: sent.append(1) or send(self, *args, **kwargs),
    )

    response = bearer_client.post(url, body(event, paid_type), format="json")

    assert response.status_code == 201, response.json()
    assert len(sent) == 1  # the purchase throttle's check-and-log


def _as_json(data) -> dict:
    return json.loads(json.dumps(data))


@pytest.fixture
def checkouts(buyer, paid_type, free_type, make_promo):
    """Paid, free, discounted and app (deep link) checkouts, each as the checkout service returns it."""
    make_promo(paid_type.event, "EARLY", percent=10)
    return [
        checkout(buyer, paid_type, quantity=2),
        checkout(buyer, free_type, quantity=1),
        checkout(buyer, paid_type, quantity=1, promo_code="EARLY"),
        checkout(buyer, paid_type, quantity=1, callback_url="cafatickets://payment-result"),
    ]


def test_the_y1_answer_is_its_serializer(checkouts, time_machine):
    time_machine.move_to(timezone.now(), tick=False)  # `expires_in_seconds` alike in both
    for started in checkouts:
        assert purchase_created_body(started.payment) == _as_json(PurchaseCreatedSerializer(started.payment).data)


def test_the_y2_answer_is_its_serializer(checkouts):
    for started in checkouts:
        assert initiated_payment_body(started.payment) == _as_json(InitiatedPaymentSerializer(started.payment).data)
