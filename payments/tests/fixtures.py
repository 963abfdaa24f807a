"""Fixtures and helpers for the money-path tests (reservations, completion, webhooks, jobs).

The fixtures are registered for every test by the root conftest (`pytest_plugins`); test modules
import only the plain helpers they call, e.g. `from payments.tests.fixtures import buy, signed_event`.
`FakePaystack` answers like Paystack's documented API behind an `httpx.MockTransport`, so the real
`PaystackProvider` client runs without a network.
"""

import hashlib
import hmac
import itertools
import json
import re
import threading
from decimal import Decimal

import httpx
import pytest
from django.db import connection

from cafa.api.exceptions import api_exception_handler
from events.models import TicketType
from payments import providers
from payments.providers.paystack import SIGNATURE_HEADER, PaystackProvider
from payments.services import completion, webhooks
from payments.services.checkout import start_checkout
from tickets.services import delivery
from tickets.services.reservations import Attendee

PAYSTACK_TEST_SECRET = "sk_test_4f2b9c1e0d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c"


# --- People and stock ---------------------------------------------------------------------------


@pytest.fixture
def seller(make_user):
    """A verified organizer who owns the events the tests sell."""
    return make_user(full_name="Kofi Boateng", is_organizer=True, verification_status="verified")


@pytest.fixture
def make_ticket_type(seller, make_event):
    """`make_ticket_type(price="50.00", quantity=10, days=5, **ticket_type_fields)` -> a ticket type on sale.

    `event_fields` (a dict) overrides the event; `days` moves its start date (negative = started).
    """

    def make(*, price="50.00", quantity=10, days=5, event_fields=None, **fields):
        event = make_event(days=days, ticket_types=[], **{"organizer": seller, **(event_fields or {})})
        fields.setdefault("name", "Regular")
        fields.setdefault("max_purchase", min(10, quantity))
        return TicketType.objects.create(event=event, price=Decimal(str(price)), quantity=quantity, **fields)

    return make


@pytest.fixture
def ticket_type(make_ticket_type):
    """GHS 50.00 a ticket, 10 in stock, event in 5 days."""
    return make_ticket_type()


def attendee_for(user) -> Attendee:
    return Attendee(name=user.full_name or user.username, email=user.email, phone="+233241234567")


def buy(user, ticket_type, quantity=1, **kwargs):
    """Run the checkout service exactly as the purchase views do; returns the Checkout."""
    return start_checkout(
        buyer=user,
        event=ticket_type.event,
        ticket_type_id=ticket_type.pk,
        quantity=quantity,
        attendee=kwargs.pop("attendee", None) or attendee_for(user),
        **kwargs,
    )


def refusal_body(exc) -> dict:
    """The JSON body the API sends for a domain error (rendered by the project's exception handler)."""
    response = api_exception_handler(exc, {})
    return json.loads(json.dumps(response.data, default=str)) | {"_status": response.status_code}


# --- Paystack at the transport ------------------------------------------------------------------


def paystack_sign(body: bytes, secret: str = PAYSTACK_TEST_SECRET) -> str:
    """`X-Paystack-Signature`: hex HMAC-SHA512 of the raw body keyed with the secret key."""
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def signed_event(event: str, data: dict, secret: str = PAYSTACK_TEST_SECRET) -> tuple[bytes, dict]:
    body = json.dumps({"event": event, "data": data}).encode()
    return body, {SIGNATURE_HEADER: paystack_sign(body, secret)}


class FakePaystack:
    """Paystack's transaction, refund and verify endpoints, answering with the documented shapes.

    `transactions` maps reference -> what Paystack knows; `pay(reference)` makes a charge succeed,
    `decline(reference)` fail; `down = True` makes every call a connection error; `refusal` (a
    response) is what Paystack answers to initialize when it says no.
    """

    def __init__(self):
        self.transactions: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.requests: list[httpx.Request] = []
        self.down = False
        self.refusal: httpx.Response | None = None
        self._ids = itertools.count(4099260516)
        self._lock = threading.Lock()

    # What the tests do
    def pay(self, reference, *, amount=None, currency="GHS", channel="card"):
        tx = self.transactions[reference]
        tx.update(
            status="success",
            amount=tx["amount"] if amount is None else amount,
            currency=currency,
            channel=channel,
            gateway_response="Approved",
            paid_at="2026-02-03T18:30:00.000Z",
            authorization={
                "authorization_code": "AUTH_8dfhjjdt",
                "bin": "408408",
                "last4": "4081",
                "exp_month": "12",
                "exp_year": "2030",
                "channel": "card",
                "card_type": "visa ",
                "bank": "TEST BANK",
                "country_code": "GH",
                "brand": "visa",
                "reusable": True,
                "signature": "SIG_yEXu7dLBeqG0kU7g95Ke",
            },
        )
        return tx

    def decline(self, reference):
        self.transactions[reference].update(status="failed", gateway_response="Declined")

    def charge_success_data(self, reference) -> dict:
        """The `data` of the `charge.success` webhook for a paid transaction."""
        tx = self.transactions[reference]
        return {key: value for key, value in tx.items() if key != "callback_url"}

    def calls(self, method, path_prefix):
        return [r for r in self.requests if r.method == method and r.url.path.startswith(path_prefix)]

    # The transport
    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            if self.down:
                raise httpx.ConnectError("connection refused", request=request)
            path = request.url.path
            if request.method == "POST" and path == "/transaction/initialize":
                return self._initialize(json.loads(request.content))
            if request.method == "GET" and path.startswith("/transaction/verify/"):
                return self._verify(path.rsplit("/", 1)[-1])
            if request.method == "POST" and path == "/refund":
                return self._refund(json.loads(request.content))
            return httpx.Response(404, json={"status": False, "message": "Not found"})

    def _initialize(self, body):
        if self.refusal is not None:
            return self.refusal
        access_code = f"0peioxfhpn{next(self._ids)}"
        self.transactions[body["reference"]] = {
            "id": next(self._ids),
            "domain": "test",
            "status": "abandoned",
            "reference": body["reference"],
            "amount": body["amount"],
            "currency": body.get("currency", "GHS"),
            "channel": "card",
            "gateway_response": "The transaction was not completed",
            "paid_at": None,
            "metadata": body.get("metadata"),
            "callback_url": body.get("callback_url"),
            "customer": {"id": 1, "email": body["email"], "customer_code": "CUS_xnxdt6s1zg1f4nx"},
            "authorization": {},
        }
        return httpx.Response(
            200,
            json={
                "status": True,
                "message": "Authorization URL created",
                "data": {
                    "authorization_url": f"https://checkout.paystack.com/{access_code}",
                    "access_code": access_code,
                    "reference": body["reference"],
                },
            },
        )

    def _verify(self, reference):
        tx = self.transactions.get(reference)
        if tx is None:
            return httpx.Response(400, json={"status": False, "message": "Transaction reference not found"})
        data = {key: value for key, value in tx.items() if key != "callback_url"}
        return httpx.Response(200, json={"status": True, "message": "Verification successful", "data": data})

    def _refund(self, body):
        self.refunds.append(body)
        tx = self.transactions.get(body["transaction"], {})
        return httpx.Response(
            200,
            json={
                "status": True,
                "message": "Refund has been queued for processing",
                "data": {
                    "transaction": {"id": tx.get("id"), "reference": body["transaction"], "amount": tx.get("amount")},
                    "amount": body.get("amount", tx.get("amount")),
                    "currency": "GHS",
                    "status": "pending",
                    "id": next(self._ids),
                },
            },
        )


@pytest.fixture
def fake_paystack(settings, monkeypatch):
    """Paystack configured (secret key set) and answered by a FakePaystack; no byte leaves the process."""
    settings.PAYSTACK_SECRET_KEY = PAYSTACK_TEST_SECRET
    fake = FakePaystack()
    client = PaystackProvider(PAYSTACK_TEST_SECRET, transport=httpx.MockTransport(fake))
    monkeypatch.setattr(providers, "get", lambda: client)
    yield fake
    client.close()


def reference_in(url: str) -> str:
    return re.search(r"CAFA-[0-9A-F]{24}", url).group(0)


# --- Concurrency (PostgreSQL tests) -------------------------------------------------------------


def run_together(count, work, timeout=60):
    """Run `work(i)` in `count` threads released at the same instant; returns [("ok"|"error", value)]."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def runner(index):
        try:
            barrier.wait(timeout=15)
            results[index] = ("ok", work(index))
        except BaseException as error:
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


@pytest.fixture
def inline_side_effects(monkeypatch):
    """Webhook processing and ticket e-mails run in the committing thread, and every e-mail is counted."""
    queued = []
    lock = threading.Lock()

    def send_now(purchase_pk):
        with lock:
            queued.append(purchase_pk)
        delivery.send_ticket_email(purchase_pk=purchase_pk)

    monkeypatch.setattr(completion, "queue_ticket_email", send_now)
    monkeypatch.setattr(completion, "_queue_refund", lambda payment_pk: None)
    monkeypatch.setattr(webhooks, "_queue_processing", lambda pk: webhooks.process_webhook_event(event_pk=pk))
    return queued
