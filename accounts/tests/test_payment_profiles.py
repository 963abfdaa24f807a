"""Payout accounts M1-M6 (CONTRACT.md §10)."""

import pytest

from accounts.models import PaymentProfile
from accounts.signals import payment_profile_deletion_requested

pytestmark = pytest.mark.django_db

PREFIXES = ["/api/v1/auth/payment-profile/", "/api/v1/auth/users/payment-profile/"]
BANK = {
    "method": "bank_transfer",
    "name": "Cal Bank",
    "description": "Main account",
    "account_details": {
        "account_number": "1234567890",
        "account_name": "Ama Mensah",
        "bank_name": "CAL Bank",
        "bank_code": "140100",
    },
}
MOMO = {
    "method": "mobile_money",
    "name": "My MoMo",
    "account_details": {"mobile_number": "0241234567", "network": "vodafone", "account_name": "Ama Mensah"},
}


def create(client, body, prefix=PREFIXES[0]):
    return client.post(prefix, body, format="json")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_first_bank_profile_is_created_pending_default_and_masked(auth_client, prefix):
    response = create(auth_client, BANK, prefix)
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    profile = body["data"]["payment_profile"]
    assert isinstance(profile["id"], str)
    assert profile["status"] == "pending"
    assert profile["is_default"] is True
    assert profile["is_verified"] is False
    assert profile["fee_percentage"] == 2.0
    assert profile["account_details"]["account_number"] == "******7890"
    assert body["data"]["verification"] == {"status": "pending", "attempts": 0}
    assert "1234567890" not in response.content.decode()


def test_mobile_money_number_and_network_are_normalised(auth_client):
    profile = create(auth_client, MOMO).json()["data"]["payment_profile"]
    assert profile["account_details"] == {
        "mobile_number": "+233****4567",
        "network": "Telecel",
        "account_name": "Ama Mensah",
    }
    assert profile["fee_percentage"] == 1.5
    assert PaymentProfile.objects.get().account_number == "+233241234567"


def test_bad_account_details_are_flattened_and_nothing_is_stored(auth_client):
    body = {**BANK, "account_details": {**BANK["account_details"], "account_number": "12ab"}}
    response = create(auth_client, body)
    assert response.status_code == 400
    assert response.json()["details"]["account_details"] == ["account_number: Enter 8 to 20 digits."]
    assert not PaymentProfile.objects.exists()


def test_unknown_network_and_foreign_number_are_refused(auth_client):
    body = {**MOMO, "account_details": {**MOMO["account_details"], "network": "Glo", "mobile_number": "+14155550100"}}
    details = create(auth_client, body).json()["details"]["account_details"]
    assert any(text.startswith("network:") for text in details)
    assert any(text.startswith("mobile_number:") for text in details)


def test_a_duplicate_account_is_refused(auth_client):
    create(auth_client, BANK)
    response = create(auth_client, {**BANK, "name": "Same again"})
    assert response.status_code == 400
    assert PaymentProfile.objects.count() == 1


def test_list_puts_the_default_first_then_the_newest(auth_client):
    first = create(auth_client, BANK).json()["data"]["payment_profile"]["id"]
    second = create(auth_client, MOMO).json()["data"]["payment_profile"]["id"]
    body = auth_client.get(PREFIXES[1]).json()
    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [first, second]


def test_other_users_profiles_are_not_found(auth_client, make_user, client_for):
    profile_id = create(auth_client, BANK).json()["data"]["payment_profile"]["id"]
    stranger = client_for(make_user())
    for prefix in PREFIXES:
        assert stranger.get(f"{prefix}{profile_id}/").status_code == 404
        assert stranger.patch(f"{prefix}{profile_id}/", {"name": "Mine"}, format="json").status_code == 404
        assert stranger.delete(f"{prefix}{profile_id}/").status_code == 404
        assert stranger.post(f"{prefix}{profile_id}/set-default/").status_code == 404
    assert PaymentProfile.objects.get().name == "Cal Bank"


def test_rename_works_but_account_details_are_immutable(auth_client):
    profile_id = create(auth_client, BANK).json()["data"]["payment_profile"]["id"]
    url = f"{PREFIXES[0]}{profile_id}/"
    renamed = auth_client.patch(url, {"name": "Salary account"}, format="json")
    assert renamed.json()["payment_profile"]["name"] == "Salary account"
    refused = auth_client.patch(url, {"account_details": {"account_number": "999999999"}}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"] == "Immutable field"


def test_only_a_verified_profile_can_become_the_default(auth_client):
    create(auth_client, BANK)
    momo_id = create(auth_client, MOMO).json()["data"]["payment_profile"]["id"]
    url = f"{PREFIXES[0]}{momo_id}/set-default/"
    refused = auth_client.post(url)
    assert refused.status_code == 400
    assert refused.json()["error"] == "Profile not verified"

    PaymentProfile.objects.filter(pk=momo_id).update(status="verified")
    response = auth_client.post(url)
    assert response.json()["payment_profile"] == {"id": momo_id, "name": "My MoMo", "is_default": True}
    assert PaymentProfile.objects.get(is_default=True).pk.hex == momo_id.replace("-", "")


def test_the_default_cannot_be_deleted_while_others_exist(auth_client):
    default_id = create(auth_client, BANK).json()["data"]["payment_profile"]["id"]
    other_id = create(auth_client, MOMO).json()["data"]["payment_profile"]["id"]
    refused = auth_client.delete(f"{PREFIXES[0]}{default_id}/")
    assert refused.status_code == 400
    assert refused.json()["error"] == "Cannot delete payment profile"

    deleted = auth_client.delete(f"{PREFIXES[0]}{other_id}/")
    assert deleted.json() == {"success": True, "message": "Payment profile deleted"}
    assert [item["id"] for item in auth_client.get(PREFIXES[0]).json()["results"]] == [default_id]
    assert PaymentProfile.objects.filter(pk=other_id, deleted_at__isnull=False).exists()


def test_a_profile_in_use_elsewhere_cannot_be_deleted(auth_client):
    profile_id = create(auth_client, BANK).json()["data"]["payment_profile"]["id"]

    def in_use(sender, profile, **kwargs):
        return {"message": "An upcoming event uses it.", "extra": {"active_events": [{"id": 1, "title": "Gala"}]}}

    payment_profile_deletion_requested.connect(in_use)
    try:
        response = auth_client.delete(f"{PREFIXES[0]}{profile_id}/")
    finally:
        payment_profile_deletion_requested.disconnect(in_use)
    assert response.status_code == 400
    assert response.json()["active_events"] == [{"id": 1, "title": "Gala"}]
    assert PaymentProfile.objects.live().count() == 1
