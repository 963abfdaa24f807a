"""PaystackProvider against a stubbed transport (httpx.MockTransport): no socket is ever opened.

Response bodies follow the shape of Paystack's documented examples; the values are made up.
"""

import hashlib
import hmac
import json
import logging
from decimal import Decimal

import httpx
import pytest
from django.http.request import HttpHeaders

from payments.providers.base import InvalidSignature, ProviderError, to_minor_units
from payments.providers.paystack import PaystackProvider

SECRET = "sk_test_4f1c0ffee0ddba11c0ffee0ddba11c0ffee0ddb"
REFERENCE = "cafa-7d3e9b2a41c84f0e"


class Stub:
    """A MockTransport handler that records each request and answers from a queue of (status, body)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answers.pop(0)
        if isinstance(body, Exception):
            raise body
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> dict:
        return json.loads(self.last.content)


def provider(*answers) -> tuple[PaystackProvider, Stub]:
    stub = Stub(*answers)
    return PaystackProvider(SECRET, transport=httpx.MockTransport(stub)), stub


def ok(data, message="Request processed", **extra):
    return 200, {"status": True, "message": message, "data": data, **extra}


def assert_authorized(request: httpx.Request) -> None:
    assert request.headers["Authorization"] == f"Bearer {SECRET}"
    assert request.url.host == "api.paystack.co"
    assert request.url.scheme == "https"


def transaction(status="success", channel="card", **overrides) -> dict:
    """A verify `data` object shaped like Paystack's example."""
    data = {
        "id": 4099260516,
        "domain": "test",
        "status": status,
        "reference": REFERENCE,
        "amount": 5250,
        "message": None,
        "gateway_response": "Approved" if status == "success" else "Declined",
        "paid_at": "2025-03-14T10:21:07.000Z" if status == "success" else None,
        "created_at": "2025-03-14T10:19:55.000Z",
        "channel": channel,
        "currency": "GHS",
        "ip_address": "41.66.200.7",
        "metadata": {"purchase_id": "PUR-1", "payment_id": "PAY-1"},
        "fees": 103,
        "customer": {"id": 18841, "email": "ama@example.com", "customer_code": "CUS_x81kq0p2mz"},
        "authorization": {
            "authorization_code": "AUTH_q7v2kx09ld",
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
            "signature": "SIG_b1o2x3q4",
            "account_name": None,
        },
        "plan": None,
        "requested_amount": 5250,
    }
    data.update(overrides)
    return data


# -- initialize ------------------------------------------------------------------------------------


def test_initialize_posts_pesewas_and_returns_checkout_page():
    p, stub = provider(
        ok(
            {
                "authorization_url": "https://checkout.paystack.com/x2k9q0wl7m",
                "access_code": "x2k9q0wl7m",
                "reference": REFERENCE,
            },
            message="Authorization URL created",
        )
    )
    init = p.initialize(
        reference=REFERENCE,
        amount_minor=to_minor_units(Decimal("52.50")),
        currency="GHS",
        email="ama@example.com",
        callback_url="https://cafa.example.com/payment-results",
        metadata={"purchase_id": "PUR-1", "payment_id": "PAY-1"},
    )

    assert init.authorization_url == "https://checkout.paystack.com/x2k9q0wl7m"
    assert init.access_code == "x2k9q0wl7m"
    assert init.reference == REFERENCE
    request = stub.last
    assert request.method == "POST"
    assert request.url.path == "/transaction/initialize"
    assert_authorized(request)
    assert request.headers["Content-Type"] == "application/json"
    assert stub.last_json() == {
        "reference": REFERENCE,
        "amount": 5250,
        "currency": "GHS",
        "email": "ama@example.com",
        "callback_url": "https://cafa.example.com/payment-results",
        "metadata": {"purchase_id": "PUR-1", "payment_id": "PAY-1"},
    }


def test_initialize_without_authorization_url_is_a_provider_error():
    p, _ = provider(ok({"access_code": "abc", "reference": REFERENCE}))
    with pytest.raises(ProviderError):
        p.initialize(
            reference=REFERENCE, amount_minor=100, currency="GHS", email="a@b.co", callback_url="https://x", metadata={}
        )


# -- verify ----------------------------------------------------------------------------------------


def test_verify_success_with_card_details():
    data = transaction()
    p, stub = provider(ok(data, message="Verification successful"))
    result = p.verify(REFERENCE)

    assert stub.last.method == "GET"
    assert stub.last.url.path == f"/transaction/verify/{REFERENCE}"
    assert_authorized(stub.last)
    assert result.succeeded
    assert result.status == "success"
    assert result.reference == REFERENCE
    assert result.amount_minor == 5250
    assert result.currency == "GHS"
    assert result.channel == "card"
    assert result.paid_at == "2025-03-14T10:21:07.000Z"
    assert result.gateway_response == "Approved"
    assert result.card == {"brand": "visa", "last4": "4081", "exp_month": "12", "exp_year": "2030"}
    assert result.raw == data


@pytest.mark.parametrize(
    ("paystack_status", "expected"),
    [
        ("abandoned", "abandoned"),
        ("failed", "failed"),
        ("reversed", "reversed"),
        ("ongoing", "pending"),
        ("pending", "pending"),
        ("processing", "pending"),
        ("queued", "pending"),
        ("something_new", "pending"),
    ],
)
def test_verify_maps_paystack_status(paystack_status, expected):
    p, _ = provider(ok(transaction(status=paystack_status)))
    result = p.verify(REFERENCE)
    assert result.status == expected
    assert not result.succeeded


def test_verify_mobile_money_has_no_card():
    momo = transaction(
        channel="mobile_money",
        authorization={"authorization_code": "AUTH_m0m0", "channel": "mobile_money", "bank": "MTN", "last4": "4567"},
    )
    p, _ = provider(ok(momo))
    result = p.verify(REFERENCE)
    assert result.channel == "mobile_money"
    assert result.card is None


def test_verify_quotes_the_reference_in_the_path():
    p, stub = provider(ok(transaction()))
    p.verify("odd/ref")
    assert stub.last.url.raw_path == b"/transaction/verify/odd%2Fref"


def test_verify_unknown_reference_is_a_provider_error():
    p, _ = provider((400, {"status": False, "message": "Transaction reference not found"}))
    with pytest.raises(ProviderError, match="Transaction reference not found"):
        p.verify("nope")


# -- refund ----------------------------------------------------------------------------------------


def refund_data(amount=5250):
    return {
        "transaction": {"id": 4099260516, "reference": REFERENCE, "amount": 5250, "currency": "GHS"},
        "integration": 463433,
        "deducted_amount": 0,
        "channel": None,
        "merchant_note": "Refund for transaction " + REFERENCE,
        "customer_note": "Refund for transaction " + REFERENCE,
        "status": "pending",
        "refunded_by": "ops@cafa.example.com",
        "expected_at": "2025-03-24T10:21:07.000Z",
        "currency": "GHS",
        "domain": "test",
        "amount": amount,
        "fully_deducted": False,
        "id": 1209448,
    }


def test_refund_full():
    p, stub = provider(ok(refund_data(), message="Refund has been queued for processing"))
    data = p.refund(reference=REFERENCE)
    assert stub.last.method == "POST"
    assert stub.last.url.path == "/refund"
    assert_authorized(stub.last)
    assert stub.last_json() == {"transaction": REFERENCE}
    assert data["status"] == "pending"
    assert data["id"] == 1209448


def test_refund_partial_sends_amount():
    p, stub = provider(ok(refund_data(amount=2000)))
    p.refund(reference=REFERENCE, amount_minor=2000)
    assert stub.last_json() == {"transaction": REFERENCE, "amount": 2000}


# -- errors ----------------------------------------------------------------------------------------


def test_status_false_in_a_200_is_a_provider_error_with_the_message():
    p, _ = provider((200, {"status": False, "message": "Duplicate Transaction Reference"}))
    with pytest.raises(ProviderError, match="Duplicate Transaction Reference"):
        p.refund(reference=REFERENCE)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (400, {"status": False, "message": "Invalid Amount Sent"}, "Invalid Amount Sent"),
        (401, {"status": False, "message": "Invalid key"}, "Invalid key"),
        (404, {"status": False, "message": "Transaction not found"}, "Transaction not found"),
        (500, {"status": False, "message": "An error occurred"}, "An error occurred"),
        (502, "<html>Bad Gateway</html>", "HTTP 502"),
        (503, {"status": True, "data": {}}, "HTTP 503"),
    ],
)
def test_non_2xx_is_a_provider_error(status, body, message):
    p, _ = provider((status, body))
    with pytest.raises(ProviderError, match=message):
        p.verify(REFERENCE)


def test_non_json_200_is_a_provider_error():
    p, _ = provider((200, "not json"))
    with pytest.raises(ProviderError):
        p.verify(REFERENCE)


def test_connect_error_is_a_provider_error():
    p, _ = provider((0, httpx.ConnectError("[Errno 111] Connection refused")))
    with pytest.raises(ProviderError) as excinfo:
        p.verify(REFERENCE)
    assert isinstance(excinfo.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("timed out"), httpx.ConnectTimeout("timed out")])
def test_timeout_is_a_provider_error(exc):
    p, _ = provider((0, exc))
    with pytest.raises(ProviderError, match="Timeout"):
        p.initialize(
            reference=REFERENCE, amount_minor=100, currency="GHS", email="a@b.co", callback_url="https://x", metadata={}
        )


def test_failures_are_logged_without_the_secret(caplog):
    p, _ = provider((401, {"status": False, "message": "Invalid key"}), (0, httpx.ConnectError("refused")))
    with caplog.at_level(logging.WARNING, logger="payments.providers.paystack"):
        for _ in range(2):
            with pytest.raises(ProviderError) as excinfo:
                p.verify(REFERENCE)
            assert SECRET not in str(excinfo.value)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all(SECRET not in r.getMessage() for r in warnings)


def test_default_transport_retries_connects_and_has_timeouts():
    p = PaystackProvider(SECRET)
    transport = p._client._transport
    assert isinstance(transport, httpx.HTTPTransport)
    assert transport._pool._retries == 2
    assert p._client.timeout.connect == 5.0
    assert p._client.timeout.read == 20.0
    assert str(p._client.base_url) == "https://api.paystack.co"
    assert p._client.headers["Authorization"] == f"Bearer {SECRET}"
    assert p.name == "paystack"
    p.close()


# -- webhooks --------------------------------------------------------------------------------------


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


CHARGE_SUCCESS = {
    "event": "charge.success",
    "data": {
        "id": 4099260516,
        "domain": "test",
        "status": "success",
        "reference": REFERENCE,
        "amount": 5250,
        "gateway_response": "Approved",
        "paid_at": "2025-03-14T10:21:07.000Z",
        "channel": "mobile_money",
        "currency": "GHS",
        "metadata": {"purchase_id": "PUR-1", "payment_id": "PAY-1"},
        "customer": {"id": 18841, "email": "ama@example.com", "customer_code": "CUS_x81kq0p2mz"},
    },
}
TRANSFER_SUCCESS = {
    "event": "transfer.success",
    "data": {
        "id": 73021155,
        "amount": 100,
        "currency": "GHS",
        "domain": "test",
        "reason": "Payout verification",
        "reference": "payver-3f8a1c",
        "source": "balance",
        "status": "success",
        "transfer_code": "TRF_9wq1z3k7lp",
        "recipient": {"recipient_code": "RCP_0g4k8s2d1f", "type": "mobile_money", "currency": "GHS"},
        "transferred_at": "2025-03-14T11:02:00.000Z",
    },
}
REFUND_PROCESSED = {
    "event": "refund.processed",
    "data": {
        "status": "processed",
        "transaction_reference": REFERENCE,
        "refund_reference": "RFD_5jq7n2x0vb",
        "amount": 5250,
        "currency": "GHS",
        "processor": "mtn",
        "domain": "test",
        "integration": 463433,
    },
}


@pytest.mark.parametrize(
    ("payload", "dedup_key"),
    [
        (CHARGE_SUCCESS, "charge.success:4099260516"),
        (TRANSFER_SUCCESS, "transfer.success:TRF_9wq1z3k7lp"),
        (REFUND_PROCESSED, "refund.processed:RFD_5jq7n2x0vb"),
    ],
)
def test_webhook_with_valid_signature(payload, dedup_key):
    p, stub = provider()
    body = json.dumps(payload).encode()
    event = p.parse_webhook(body, {"X-Paystack-Signature": sign(body)})
    assert event.event == payload["event"]
    assert event.data == payload["data"]
    assert event.dedup_key == dedup_key
    assert event.raw == payload
    assert stub.requests == []


@pytest.mark.parametrize(
    "authorization",
    [
        {"last4": "4081", "exp_month": "12", "exp_year": "2030", "brand": "visa", "card_type": "visa "},
        {"last4": "4081", "exp_month": "12", "exp_year": "2030", "brand": "", "card_type": ""},  # no brand given
        {"bin": "408408"},  # a card channel without card details
    ],
    ids=["full", "no-brand", "no-last4"],
)
def test_a_charge_webhook_reads_the_charge_exactly_as_verify_does(authorization):
    data = transaction(authorization=authorization)
    p, _ = provider(ok(data, message="Verification successful"))
    body = json.dumps({"event": "charge.success", "data": data}).encode()

    event = p.parse_webhook(body, {"X-Paystack-Signature": sign(body)})

    assert event.charge == p.verify(REFERENCE)
    assert p.read_event(event.raw) == event  # what webhook processing reads back from storage


def test_non_charge_events_carry_no_charge():
    p, _ = provider()
    body = json.dumps(TRANSFER_SUCCESS).encode()
    assert p.parse_webhook(body, {"X-Paystack-Signature": sign(body)}).charge is None


def test_a_charge_webhook_with_a_bad_amount_is_refused():
    p, _ = provider()
    body = json.dumps({"event": "charge.success", "data": transaction(amount="52.50")}).encode()
    with pytest.raises(InvalidSignature):
        p.parse_webhook(body, {"X-Paystack-Signature": sign(body)})


@pytest.mark.parametrize(
    "make_headers",
    [
        lambda sig: {"x-paystack-signature": sig},
        lambda sig: {"X-PAYSTACK-SIGNATURE": sig},
        lambda sig: HttpHeaders({"HTTP_X_PAYSTACK_SIGNATURE": sig, "CONTENT_TYPE": "application/json"}),
        lambda sig: {"HTTP_X_PAYSTACK_SIGNATURE": sig},  # request.META
        lambda sig: httpx.Headers({"x-paystack-signature": sig}),
    ],
    ids=["lower", "upper", "django-HttpHeaders", "django-META", "httpx-Headers"],
)
def test_webhook_header_lookup_is_case_insensitive(make_headers):
    p, _ = provider()
    body = json.dumps(CHARGE_SUCCESS).encode()
    assert p.parse_webhook(body, make_headers(sign(body))).event == "charge.success"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Paystack-Signature": ""},
        {"X-Paystack-Signature": "deadbeef"},
        {"X-Paystack-Signature": "é" * 128},
        {"X-Paystack-Signature": hashlib.sha512(b"anything").hexdigest()},
        {"X-Other-Signature": "{sig}"},
    ],
    ids=["missing", "empty", "short", "non-ascii", "wrong", "other-header"],
)
def test_webhook_bad_or_missing_signature_raises(headers):
    p, _ = provider()
    body = json.dumps(CHARGE_SUCCESS).encode()
    headers = {k: v.replace("{sig}", sign(body)) for k, v in headers.items()}
    with pytest.raises(InvalidSignature):
        p.parse_webhook(body, headers)


def test_webhook_signed_with_another_key_raises():
    p, _ = provider()
    body = json.dumps(CHARGE_SUCCESS).encode()
    with pytest.raises(InvalidSignature):
        p.parse_webhook(body, {"X-Paystack-Signature": sign(body, secret="sk_test_someone_else")})


def test_webhook_signature_covers_the_raw_bytes():
    p, _ = provider()
    body = json.dumps(CHARGE_SUCCESS).encode()
    reformatted = json.dumps(CHARGE_SUCCESS, indent=2).encode()
    with pytest.raises(InvalidSignature):
        p.parse_webhook(reformatted, {"X-Paystack-Signature": sign(body)})


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]", b'{"data": {}}', b"\xff\xfe"])
def test_webhook_malformed_body_with_valid_signature_raises(body):
    p, _ = provider()
    with pytest.raises(InvalidSignature):
        p.parse_webhook(body, {"X-Paystack-Signature": sign(body)})


# -- payouts ---------------------------------------------------------------------------------------


def recipient(kind, account_number, bank_code, bank_name):
    return {
        "active": True,
        "createdAt": "2025-03-14T10:40:00.000Z",
        "currency": "GHS",
        "domain": "test",
        "id": 88123001,
        "integration": 463433,
        "name": "Kofi Mensah",
        "recipient_code": "RCP_0g4k8s2d1f",
        "type": kind,
        "updatedAt": "2025-03-14T10:40:00.000Z",
        "is_deleted": False,
        "details": {
            "authorization_code": None,
            "account_number": account_number,
            "account_name": "KOFI MENSAH",
            "bank_code": bank_code,
            "bank_name": bank_name,
        },
    }


@pytest.mark.parametrize(
    ("kind", "account_number", "bank_code", "bank_name"),
    [("ghipss", "1400012345678", "140100", "CAL Bank"), ("mobile_money", "0241234567", "MTN", "MTN")],
)
def test_create_recipient(kind, account_number, bank_code, bank_name):
    p, stub = provider(ok(recipient(kind, account_number, bank_code, bank_name), message="Transfer recipient created"))
    data = p.create_recipient(kind=kind, name="Kofi Mensah", account_number=account_number, bank_code=bank_code)
    assert data["recipient_code"] == "RCP_0g4k8s2d1f"
    assert stub.last.method == "POST"
    assert stub.last.url.path == "/transferrecipient"
    assert_authorized(stub.last)
    assert stub.last_json() == {
        "type": kind,
        "name": "Kofi Mensah",
        "account_number": account_number,
        "bank_code": bank_code,
        "currency": "GHS",
    }


def test_create_recipient_rejected_by_paystack():
    p, _ = provider((400, {"status": False, "message": "Account number is invalid"}))
    with pytest.raises(ProviderError, match="Account number is invalid"):
        p.create_recipient(kind="ghipss", name="Kofi", account_number="0000", bank_code="140100")


def test_create_recipient_unknown_kind():
    p, stub = provider()
    with pytest.raises(ValueError, match="nuban"):
        p.create_recipient(kind="nuban", name="Kofi", account_number="1", bank_code="2")
    assert stub.requests == []


def test_transfer():
    answer = {
        "integration": 463433,
        "domain": "test",
        "amount": 100,
        "currency": "GHS",
        "source": "balance",
        "reason": "Payout verification",
        "recipient": 88123001,
        "status": "pending",
        "transfer_code": "TRF_9wq1z3k7lp",
        "id": 73021155,
        "reference": "payver-3f8a1c",
        "createdAt": "2025-03-14T10:41:00.000Z",
        "updatedAt": "2025-03-14T10:41:00.000Z",
    }
    p, stub = provider(ok(answer, message="Transfer has been queued"))
    data = p.transfer(
        amount_minor=100, recipient_code="RCP_0g4k8s2d1f", reference="payver-3f8a1c", reason="Payout verification"
    )
    assert data["transfer_code"] == "TRF_9wq1z3k7lp"
    assert data["status"] == "pending"
    assert stub.last.method == "POST"
    assert stub.last.url.path == "/transfer"
    assert_authorized(stub.last)
    assert stub.last_json() == {
        "source": "balance",
        "amount": 100,
        "recipient": "RCP_0g4k8s2d1f",
        "reference": "payver-3f8a1c",
        "reason": "Payout verification",
        "currency": "GHS",
    }


def test_verify_transfer():
    p, stub = provider(ok({**TRANSFER_SUCCESS["data"]}, message="Transfer retrieved"))
    data = p.verify_transfer("payver-3f8a1c")
    assert data["status"] == "success"
    assert stub.last.method == "GET"
    assert stub.last.url.path == "/transfer/verify/payver-3f8a1c"
    assert_authorized(stub.last)


def bank(name, code, kind, slug, bank_id):
    return {
        "name": name,
        "slug": slug,
        "code": code,
        "longcode": code,
        "gateway": None,
        "pay_with_bank": False,
        "active": True,
        "is_deleted": False,
        "country": "Ghana",
        "currency": "GHS",
        "type": kind,
        "id": bank_id,
        "createdAt": "2019-04-10T12:00:00.000Z",
        "updatedAt": "2024-01-02T12:00:00.000Z",
    }


def test_list_banks_single_page():
    networks = [
        bank("MTN", "MTN", "mobile_money", "mtn", 28),
        bank("Telecel Ghana", "VOD", "mobile_money", "vodafone", 66),
        bank("AirtelTigo", "ATL", "mobile_money", "airteltigo", 29),
    ]
    p, stub = provider(ok(networks, message="Banks retrieved", meta={"next": None, "previous": None, "perPage": 100}))
    banks = p.list_banks("mobile_money")
    assert banks == [
        {"name": "MTN", "code": "MTN", "type": "mobile_money", "slug": "mtn"},
        {"name": "Telecel Ghana", "code": "VOD", "type": "mobile_money", "slug": "vodafone"},
        {"name": "AirtelTigo", "code": "ATL", "type": "mobile_money", "slug": "airteltigo"},
    ]
    request = stub.last
    assert request.method == "GET"
    assert request.url.path == "/bank"
    assert_authorized(request)
    assert request.url.params["currency"] == "GHS"
    assert request.url.params["type"] == "mobile_money"
    assert "next" not in request.url.params


def test_list_banks_follows_the_cursor():
    page1 = [
        bank("CAL Bank", "140100", "ghipss", "cal-bank", 101),
        bank("Ecobank Ghana", "130100", "ghipss", "ecobank-ghana", 102),
    ]
    page2 = [bank("GCB Bank", "040100", "ghipss", "gcb-bank", 103)]
    p, stub = provider(
        ok(page1, meta={"next": "YmFuazoxMDI=", "previous": None, "perPage": 2}),
        ok(page2, meta={"next": None, "previous": "YmFuazoxMDM=", "perPage": 2}),
    )
    banks = p.list_banks("ghipss")
    assert [b["code"] for b in banks] == ["140100", "130100", "040100"]
    assert all(b["type"] == "ghipss" for b in banks)
    assert len(stub.requests) == 2
    assert "next" not in stub.requests[0].url.params
    assert stub.requests[1].url.params["next"] == "YmFuazoxMDI="
    assert stub.requests[1].url.params["type"] == "ghipss"
    assert stub.requests[1].url.params["currency"] == "GHS"


def test_list_banks_stops_on_a_repeated_cursor():
    page = [bank("CAL Bank", "140100", "ghipss", "cal-bank", 101)]
    p, stub = provider(*[ok(page, meta={"next": "c2FtZQ=="}) for _ in range(3)])
    p.list_banks("ghipss")
    assert len(stub.requests) == 2


def test_list_banks_unreachable_is_a_provider_error():
    p, _ = provider((0, httpx.ConnectError("refused")))
    with pytest.raises(ProviderError):
        p.list_banks("ghipss")
