"""M9 `banks/` (CONTRACT.md §10.6): the provider's list cached 24 hours, a static list otherwise."""

import io
from datetime import timedelta

import httpx
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from payments.providers.paystack import PaystackProvider
from payouts.services import banks

pytestmark = pytest.mark.django_db

PAYSTACK_BANKS = {
    "ghipss": [
        {"id": 1, "name": "Absa Bank Ghana Ltd", "slug": "absa-bank-ghana-ltd", "code": "030100", "type": "ghipss"},
        {"id": 2, "name": "CAL Bank Limited", "slug": "cal-bank-limited", "code": "140100", "type": "ghipss"},
    ],
    "mobile_money": [
        {"id": 3, "name": "MTN", "slug": "mtn-gh", "code": "MTN", "type": "mobile_money"},
        {"id": 4, "name": "Telecel Ghana", "slug": "vod-gh", "code": "VOD", "type": "mobile_money"},
    ],
}


@pytest.fixture
def paystack(monkeypatch):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        kind = request.url.params["type"]
        calls.append(kind)
        if "down" in calls:
            raise httpx.ConnectError("down")
        body = {"status": True, "message": "Banks retrieved", "data": PAYSTACK_BANKS[kind], "meta": {"next": None}}
        return httpx.Response(200, json=body)

    provider = PaystackProvider("sk_test_x", transport=httpx.MockTransport(handler))
    monkeypatch.setattr("payments.providers.get", lambda: provider)
    monkeypatch.setattr("payments.providers.sandbox_enabled", lambda: False)
    return calls


def test_without_keys_the_static_list_is_served(api_client):
    body = api_client.get("/api/v1/banks/").json()
    assert body["source"] == "static" and body["cached_at"] is None
    codes = {(bank["name"], bank["code"], bank["type"]) for bank in body["results"]}
    assert {
        ("MTN", "MTN", "mobile_money"),
        ("Telecel", "VOD", "mobile_money"),
        ("AirtelTigo", "ATL", "mobile_money"),
    } <= codes
    assert ("CAL Bank", "140100", "ghipss") in codes
    assert body["count"] == len(body["results"])
    networks = api_client.get("/api/v1/banks/?type=mobile_money").json()
    assert [bank["code"] for bank in networks["results"]] == ["MTN", "VOD", "ATL"]
    assert all(set(bank) == {"name", "code", "type", "slug"} for bank in body["results"])


def test_a_bad_type_is_a_validation_error(api_client):
    response = api_client.get("/api/v1/banks/?type=crypto")
    assert response.status_code == 400
    assert "type" in response.json()["details"]


def test_the_provider_list_is_cached_for_a_day(api_client, paystack):
    first = api_client.get("/api/v1/banks/?type=bank").json()
    assert first["source"] == "provider" and first["cached_at"]
    assert [bank["code"] for bank in first["results"]] == ["030100", "140100"]
    assert api_client.get("/api/v1/banks/?type=bank").json() == first
    assert paystack == ["ghipss"]

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        banks.refresh_all()
    assert paystack == ["ghipss", "ghipss", "mobile_money"]
    both = api_client.get("/api/v1/banks/").json()
    assert both["count"] == 4


def test_an_unreachable_provider_falls_back_to_the_static_list(api_client, paystack):
    paystack.append("down")
    body = api_client.get("/api/v1/banks/?type=bank").json()
    assert body["source"] == "static" and body["cached_at"] is None
    assert "140100" in [bank["code"] for bank in body["results"]]


def _cache_provider_list(codes):
    from django.core.cache import cache

    results = [{"name": f"Bank {code}", "code": code, "type": "ghipss", "slug": f"bank-{code}"} for code in codes]
    cache.set(banks._cache_key("ghipss"), {"results": results, "cached_at": timezone.now()}, 60)


BANK_PROFILE = {
    "method": "bank_transfer",
    "name": "Main account",
    "account_details": {"account_number": "1234567890", "account_name": "Ama Mensah", "bank_name": "CAL Bank"},
}


def _create_profile(client, bank_code):
    body = {**BANK_PROFILE, "account_details": {**BANK_PROFILE["account_details"], "bank_code": bank_code}}
    return client.post("/api/v1/auth/payment-profile/", body, format="json")


def test_a_bank_code_outside_the_cached_provider_list_is_refused(auth_client):
    _cache_provider_list(["140100", "030100"])
    response = _create_profile(auth_client, "999999")
    assert response.status_code == 400
    assert response.json()["details"]["account_details"] == ["bank_code: Choose a bank from the bank list."]
    assert _create_profile(auth_client, "140100").status_code == 201


def test_without_a_cached_provider_list_any_code_is_accepted(auth_client):
    assert _create_profile(auth_client, "999999").status_code == 201


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("refresh_bank_list", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_the_refresh_bank_list_command(paystack):
    assert run_command("--dry-run") == (
        "bank list: would fetch ghipss, mobile_money from the provider (dry run: nothing changed)"
    )
    assert paystack == [] and banks.cached_bank_codes("ghipss") is None
    assert run_command() == "bank list: 2 ghipss, 2 mobile_money refreshed"
    assert banks.cached_bank_codes("ghipss") == {"030100", "140100"}
    assert run_command() == "bank list: 2 ghipss, 2 mobile_money refreshed"  # the same list, cached again
    assert banks.cached_bank_codes("ghipss") == {"030100", "140100"}
    paystack.append("down")
    with pytest.raises(CommandError, match="failed \\(the cached list stays\\)"):
        run_command()
    assert banks.cached_bank_codes("ghipss") == {"030100", "140100"}
    with pytest.raises(CommandError, match="unrecognized arguments"):
        run_command("banks")


def test_the_refresh_bank_list_command_in_sandbox_mode():
    assert run_command() == "bank list: sandbox mode, the static list is served; nothing to refresh"
