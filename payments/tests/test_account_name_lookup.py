"""M2 without `account_name` (CONTRACT.md §10.1): the holder's name comes from the provider's name enquiry.

Paystack is stubbed at the transport with respx; bodies follow Paystack's documented "Resolve Account
Number" answers (GET /bank/resolve). No byte leaves the process.
"""

import httpx
import pytest
import respx

from accounts.models import PaymentProfile
from payments.providers.base import AccountNotResolved, ProviderError
from payments.providers.paystack import PaystackProvider
from payments.providers.sandbox_transfers import SANDBOX_ACCOUNT_NAME

pytestmark = pytest.mark.django_db

SECRET = "sk_test_5e2a9c41d0b7f3e8a6c1d4b9e2f7a3c5d8b1e4f6"
URL = "/api/v1/auth/payment-profile/"
BANK = {
    "method": "bank_transfer",
    "name": "Cal Bank",
    "account_details": {"account_number": "1234567890", "bank_name": "CAL Bank", "bank_code": "140100"},
}
MOMO = {
    "method": "mobile_money",
    "name": "My MoMo",
    "account_details": {"mobile_number": "0241234567", "network": "MTN"},
}
NOT_FOUND = ["account_number: No account with this number was found. Check the number and the bank or network."]


def resolved(account_number: str, account_name: str) -> dict:
    return {
        "status": True,
        "message": "Account number resolved",
        "data": {"account_number": account_number, "account_name": account_name, "bank_id": 29},
    }


@pytest.fixture
def paystack(settings):
    """Paystack configured; its API answered by respx routes (an unrouted call fails the test)."""
    settings.PAYSTACK_SECRET_KEY = SECRET
    with respx.mock(base_url="https://api.paystack.co", assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def organizer_client(client_for, make_user):
    return client_for(make_user(full_name="Ama Mensah", verification_status="verified", is_organizer=True))


def resolve_route(paystack, account_number, bank_code):
    return paystack.get("/bank/resolve", params={"account_number": account_number, "bank_code": bank_code})


def test_a_bank_account_without_a_name_gets_the_name_the_bank_knows(organizer_client, paystack):
    route = resolve_route(paystack, "1234567890", "140100").respond(200, json=resolved("1234567890", "AMA MENSAH"))

    response = organizer_client.post(URL, BANK, format="json")

    assert response.status_code == 201, response.json()
    assert route.call_count == 1
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {SECRET}"
    shown = response.json()["data"]["payment_profile"]
    assert shown["account_details"]["account_name"] == "AMA MENSAH"
    profile = PaymentProfile.objects.get()
    assert (profile.account_name, profile.resolved_account_name) == ("AMA MENSAH", "AMA MENSAH")
    status = organizer_client.get(f"{URL}{profile.pk}/verification-status/").json()
    assert status["resolved_account_name"] == "AMA MENSAH"


def test_a_wallet_is_looked_up_by_its_local_number_and_the_networks_code(organizer_client, paystack):
    route = resolve_route(paystack, "0241234567", "MTN").respond(200, json=resolved("0241234567", "KWAME BOATENG"))

    response = organizer_client.post(URL, MOMO, format="json")

    assert response.status_code == 201, response.json()
    assert route.called
    details = response.json()["data"]["payment_profile"]["account_details"]
    assert details == {"mobile_number": "+233****4567", "network": "MTN", "account_name": "KWAME BOATENG"}


@pytest.mark.parametrize("body", [BANK, MOMO], ids=["bank", "mobile money"])
def test_a_name_sent_by_the_client_is_kept_and_no_enquiry_is_made(organizer_client, paystack, body):
    route = paystack.get("/bank/resolve")
    named = {**body, "account_details": {**body["account_details"], "account_name": "Ama Mensah"}}

    response = organizer_client.post(URL, named, format="json")

    assert response.status_code == 201, response.json()
    assert not route.called
    profile = PaymentProfile.objects.get()
    assert (profile.account_name, profile.resolved_account_name) == ("Ama Mensah", "")


def test_a_blank_name_counts_as_absent(organizer_client, paystack):
    resolve_route(paystack, "1234567890", "140100").respond(200, json=resolved("1234567890", "AMA MENSAH"))
    blank = {**BANK, "account_details": {**BANK["account_details"], "account_name": ""}}
    response = organizer_client.post(URL, blank, format="json")
    assert response.status_code == 201
    assert PaymentProfile.objects.get().account_name == "AMA MENSAH"


def test_an_account_the_bank_does_not_know_is_a_400_on_the_account_number(organizer_client, paystack):
    resolve_route(paystack, "1234567890", "140100").respond(
        422, json={"status": False, "message": "Could not resolve account name. Check parameters or try again."}
    )

    response = organizer_client.post(URL, BANK, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Validation Error"
    assert body["details"]["account_details"] == NOT_FOUND
    assert not PaymentProfile.objects.exists()


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.ConnectError("connection refused"), id="unreachable"),
        pytest.param(httpx.ReadTimeout("timed out"), id="timeout"),
        pytest.param(httpx.Response(500, text="<html>Internal Server Error</html>"), id="5xx"),
        pytest.param(httpx.Response(401, json={"status": False, "message": "Invalid key"}), id="our key refused"),
        pytest.param(httpx.Response(429, json={"status": False, "message": "Too many requests"}), id="rate limited"),
        pytest.param(httpx.Response(200, json=resolved("1234567890", "")), id="no name in the answer"),
    ],
)
def test_a_provider_outage_is_a_502_envelope_and_stores_nothing(organizer_client, paystack, answer):
    route = resolve_route(paystack, "1234567890", "140100")
    if isinstance(answer, Exception):
        route.mock(side_effect=answer)
    else:
        route.mock(return_value=answer)

    response = organizer_client.post(URL, BANK, format="json")

    assert response.status_code == 502
    body = response.json()
    assert body["error"] == "Payment provider error"
    assert body["message"].startswith("The account name could not be looked up right now.")
    assert body["status_code"] == 502
    assert not PaymentProfile.objects.exists()


def test_the_sandbox_answers_a_fixed_name_and_refuses_its_magic_number(organizer_client, settings):
    settings.PAYSTACK_SECRET_KEY = ""
    settings.PAYMENTS_SANDBOX = True

    response = organizer_client.post(URL, BANK, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["payment_profile"]["account_details"]["account_name"] == SANDBOX_ACCOUNT_NAME

    refused = {**BANK, "account_details": {**BANK["account_details"], "account_number": "9876540000"}}
    response = organizer_client.post(URL, refused, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["account_details"] == NOT_FOUND
    assert PaymentProfile.objects.count() == 1


def test_name_enquiries_are_limited_per_user(organizer_client, paystack, monkeypatch):
    from accounts.views.payment_profiles import AccountNameLookupThrottle

    monkeypatch.setattr(AccountNameLookupThrottle, "THROTTLE_RATES", {"account_lookup": "2/hour"})
    paystack.get("/bank/resolve").respond(
        422, json={"status": False, "message": "Could not resolve account name. Check parameters or try again."}
    )
    for number in ("1111111111", "2222222222"):
        body = {**BANK, "account_details": {**BANK["account_details"], "account_number": number}}
        assert organizer_client.post(URL, body, format="json").status_code == 400

    response = organizer_client.post(URL, BANK, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    named = {**BANK, "account_details": {**BANK["account_details"], "account_name": "Ama Mensah"}}
    assert organizer_client.post(URL, named, format="json").status_code == 201  # no enquiry, no limit


# --- the provider method itself ---------------------------------------------------------------


def test_paystack_resolve_account_sends_the_documented_query():
    with respx.mock(base_url="https://api.paystack.co") as mock:
        route = resolve_route(mock, "0022728151", "063").respond(200, json=resolved("0022728151", "WES GIBBONS"))
        answer = PaystackProvider(SECRET).resolve_account(account_number="0022728151", bank_code="063")
    assert (answer.account_number, answer.account_name) == ("0022728151", "WES GIBBONS")
    assert route.calls.last.request.url.params["account_number"] == "0022728151"


@pytest.mark.parametrize(
    ("status", "error"), [(422, AccountNotResolved), (400, AccountNotResolved), (503, ProviderError)]
)
def test_paystack_resolve_account_tells_an_unknown_account_from_an_outage(status, error):
    with respx.mock(base_url="https://api.paystack.co") as mock:
        mock.get("/bank/resolve").respond(status, json={"status": False, "message": "Could not resolve account name."})
        with pytest.raises(error) as raised:
            PaystackProvider(SECRET).resolve_account(account_number="0022728151", bank_code="063")
    assert isinstance(raised.value, AccountNotResolved) == (error is AccountNotResolved)
