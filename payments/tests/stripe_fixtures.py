"""Stripe at the transport, for the legacy endpoint tests (CONTRACT.md §13).

The fixtures are registered for every test by the root conftest (`pytest_plugins`); test modules
import only the plain helpers they call (`signed_event`, `LEGACY_URL`, ...).

`FakeStripe` answers the Checkout Session, expire and refund endpoints with bodies shaped like Stripe's
documented objects (values made up), behind respx, so the real `StripeProvider` and the official SDK
run without a network. `signed_event` builds webhooks exactly as Stripe signs them:
`Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>`.
"""

import copy
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from payments import providers
from payments.providers.stripe import StripeProvider

STRIPE_TEST_SECRET = "sk_test_51Qc4fAJx9TickEtS0Nly4Te5tS00000000000000000000000000000000000000000000000000000000"
STRIPE_TEST_WEBHOOK_SECRET = "whsec_5f0c1e2d3b4a59687766554433221100ffeeddccbbaa9988"
LEGACY_URL = "/api/payments"


def stripe_signature(body: bytes, *, secret: str = STRIPE_TEST_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends for `body` (computed here by hand, not by the SDK)."""
    signed_at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{signed_at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={digest}"


def signed_event(event: dict, **signature) -> tuple[bytes, dict]:
    body = json.dumps(event).encode()
    return body, {"HTTP_STRIPE_SIGNATURE": stripe_signature(body, **signature)}


def error(status: int, message: str, *, kind="invalid_request_error", code=None) -> httpx.Response:
    body = {"error": {"type": kind, "message": message, **({"code": code} if code else {})}}
    return httpx.Response(status, json=body, headers={"Request-Id": "req_T3stR3quest01"})


class FakeStripe:
    """What Stripe knows: sessions by id, their PaymentIntents and charges, the refunds asked for.

    Test helpers play the buyer and Stripe's dashboard (`pay`, `fail_delayed_payment`, `refund_in_dashboard`);
    `down = True` makes every call a connection error; `refusal` is what session creation answers with.
    """

    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.requests: list[httpx.Request] = []
        self.down = False
        self.refusal: httpx.Response | None = None
        self._by_idempotency_key: dict[str, str] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    # -- what the tests read ---------------------------------------------------------------------

    def calls(self, method: str, path_prefix: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path.startswith(path_prefix)]

    @staticmethod
    def form(request: httpx.Request) -> dict:
        return dict(parse_qsl(request.content.decode()))

    @property
    def only_session(self) -> dict:
        (session,) = self.sessions.values()
        return session

    # -- the buyer and the dashboard -------------------------------------------------------------

    def pay(self, session_id: str, *, amount: int | None = None, currency: str | None = None) -> dict:
        """The buyer paid by card on Stripe's page (optionally a different amount or currency)."""
        session = self.sessions[session_id]
        intent = self._intent(session, status="succeeded", amount=amount, currency=currency)
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        if amount is not None:
            session["amount_total"] = amount
        if currency is not None:
            session["currency"] = currency
        return session

    def start_delayed_payment(self, session_id: str) -> dict:
        """A bank debit: the session completes now, the money (or its failure) comes later."""
        session = self.sessions[session_id]
        intent = self._intent(session, status="processing", charged=False)
        session.update(status="complete", payment_status="unpaid", payment_intent=intent["id"])
        return session

    def fail_delayed_payment(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        self.intents[session["payment_intent"]].update(
            status="requires_payment_method",
            last_payment_error={"type": "card_error", "message": "The bank account could not be debited."},
        )
        return session

    def succeed_delayed_payment(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        intent = self.intents[session["payment_intent"]]
        intent.update(status="succeeded", latest_charge=self._charge(intent, session))
        session["payment_status"] = "paid"
        return session

    def let_expire(self, session_id: str) -> dict:
        self.sessions[session_id]["status"] = "expired"
        return self.sessions[session_id]

    def refund_in_dashboard(self, session_id: str) -> dict:
        """Someone refunded the whole charge in Stripe's dashboard; returns the refunded charge."""
        charge = self.intents[self.sessions[session_id]["payment_intent"]]["latest_charge"]
        charge.update(refunded=True, amount_refunded=charge["amount"])
        return charge

    # -- webhooks --------------------------------------------------------------------------------

    def event(self, event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
        """An Event object as Stripe delivers it (the object as it was when the event happened)."""
        return {
            "id": event_id or f"evt_1Qc4f{next(self._numbers):019d}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }

    def session_event(self, event_type: str, session_id: str, **kwargs) -> dict:
        return self.event(event_type, self.sessions[session_id], **kwargs)

    def charge_event(self, event_type: str, charge: dict, **kwargs) -> dict:
        return self.event(event_type, charge, **kwargs)

    # -- the transport ---------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            if self.down:
                raise httpx.ConnectError("connection refused", request=request)
            path, method = request.url.path, request.method
            if method == "POST" and path == "/v1/checkout/sessions":
                return self._create_session(request)
            if match := re.fullmatch(r"/v1/checkout/sessions/([^/]+)", path):
                return self._retrieve(match.group(1), request) if method == "GET" else error(405, "Not allowed")
            if method == "POST" and (match := re.fullmatch(r"/v1/checkout/sessions/([^/]+)/expire", path)):
                return self._expire(match.group(1))
            if method == "POST" and path == "/v1/refunds":
                return self._refund(self.form(request))
            return error(404, f"Unrecognized request URL ({method}: {path}).")

    def _create_session(self, request: httpx.Request) -> httpx.Response:
        if self.refusal is not None:
            return self.refusal
        key = request.headers.get("Idempotency-Key")
        if key in self._by_idempotency_key:  # Stripe replays the first answer for a repeated key
            return httpx.Response(200, json=self.sessions[self._by_idempotency_key[key]])
        form = self.form(request)
        session_id = f"cs_test_a1{next(self._numbers):010d}Xq9ZkAV70h2BnbvOFRTmDfnVLgnaPGUclFX3LbWVkoXDuQ"
        lines = sorted({int(k.split("]")[0].split("[")[1]) for k in form if k.startswith("line_items[")})
        total = sum(
            int(form[f"line_items[{i}][price_data][unit_amount]"]) * int(form[f"line_items[{i}][quantity]"])
            for i in lines
        )
        metadata = {k[len("metadata[") : -1]: v for k, v in form.items() if re.fullmatch(r"metadata\[[^\]]+\]", k)}
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": form.get("cancel_url"),
            "client_reference_id": form.get("client_reference_id"),
            "created": int(time.time()),
            "currency": form.get(f"line_items[{lines[0]}][price_data][currency]") if lines else None,
            "customer": None,
            "customer_details": None,
            "customer_email": form.get("customer_email"),
            "expires_at": int(form["expires_at"]) if "expires_at" in form else int(time.time()) + 86400,
            "livemode": False,
            "locale": None,
            "metadata": metadata,
            "mode": form.get("mode"),
            "payment_intent": None,  # created when the buyer submits the payment
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form.get("success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0VHxmRDY1MEY9SmJm",
        }
        self.sessions[session_id] = session
        if key:
            self._by_idempotency_key[key] = session_id
        return httpx.Response(200, json=session)

    def _retrieve(self, session_id: str, request: httpx.Request) -> httpx.Response:
        session = self.sessions.get(session_id)
        if session is None:
            return error(404, f"No such checkout.session: '{session_id}'", code="resource_missing")
        body = copy.deepcopy(session)
        expand = [v for k, v in parse_qsl(request.url.query.decode()) if k.startswith("expand[")]
        if "payment_intent.latest_charge" in expand and session["payment_intent"]:
            body["payment_intent"] = copy.deepcopy(self.intents[session["payment_intent"]])
        return httpx.Response(200, json=body)

    def _expire(self, session_id: str) -> httpx.Response:
        session = self.sessions.get(session_id)
        if session is None:
            return error(404, f"No such checkout.session: '{session_id}'", code="resource_missing")
        if session["status"] != "open":
            return error(
                400, f"Only Checkout Sessions with a status of `open` can be expired (it is {session['status']})."
            )
        session["status"] = "expired"
        return httpx.Response(200, json=session)

    def _refund(self, form: dict) -> httpx.Response:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return error(404, f"No such payment_intent: '{form.get('payment_intent')}'", code="resource_missing")
        charge = intent["latest_charge"]
        if charge["refunded"]:
            return error(400, f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
        amount = int(form.get("amount", charge["amount"]))
        charge.update(amount_refunded=charge["amount_refunded"] + amount, refunded=amount == charge["amount"])
        refund = {
            "id": f"re_3Qc4f{next(self._numbers):018d}",
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": charge["currency"],
            "metadata": {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")},
            "payment_intent": intent["id"],
            "reason": None,
            "status": "succeeded",
        }
        self.refunds.append(refund)
        return httpx.Response(200, json=refund)

    # -- objects ---------------------------------------------------------------------------------

    def _intent(self, session: dict, *, status: str, amount=None, currency=None, charged=True) -> dict:
        intent = {
            "id": f"pi_3Qc4f{next(self._numbers):018d}",
            "object": "payment_intent",
            "amount": amount if amount is not None else session["amount_total"],
            "currency": currency or session["currency"],
            "last_payment_error": None,
            "latest_charge": None,
            "metadata": dict(session["metadata"]),
            "payment_method_types": ["card"],
            "status": status,
        }
        if charged:
            intent["latest_charge"] = self._charge(intent, session)
        self.intents[intent["id"]] = intent
        return intent

    def _charge(self, intent: dict, session: dict) -> dict:
        return {
            "id": f"ch_3Qc4f{next(self._numbers):018d}",
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": 0,
            "captured": True,
            "created": int(time.time()),
            "currency": intent["currency"],
            "metadata": {},
            "paid": True,
            "payment_intent": intent["id"],
            "payment_method_details": {
                "card": {"brand": "visa", "country": "US", "exp_month": 12, "exp_year": 2030, "last4": "4242"},
                "type": "card",
            },
            "refunded": False,
            "status": "succeeded",
        }


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    """Stripe configured (keys set) and answered by a FakeStripe through respx; no byte leaves the process."""
    settings.STRIPE_SECRET_KEY = STRIPE_TEST_SECRET
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_TEST_WEBHOOK_SECRET
    fake = FakeStripe()
    client = StripeProvider(STRIPE_TEST_SECRET, STRIPE_TEST_WEBHOOK_SECRET, max_network_retries=0)
    monkeypatch.setattr(providers, "stripe_provider", lambda: client)
    with respx.mock(assert_all_called=False) as router:
        router.route(host="api.stripe.com").mock(side_effect=fake)
        yield fake


@pytest.fixture
def legacy_sandbox(settings):
    """No Stripe key, and the sandbox allowed (as with DEBUG on): the legacy flow runs on the sandbox page."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.PAYMENTS_SANDBOX = True
    settings.LEGACY_FRONTEND_URL = "http://localhost:5173"
