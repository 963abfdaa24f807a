"""Inputs found by generating requests from our own OpenAPI schema (schemathesis): each once got a 500.

Every one of them must now get a 4xx envelope (or, for OPTIONS, a plain description) and change nothing.
"""

import pytest

from accounts.models import PaymentProfile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/profile/",
        "/api/v1/auth/settings/",
        "/api/v1/auth/users/me/",
        "/api/v1/auth/verification/retry/",
        "/api/v1/events/",
    ],
)
def test_options_describes_the_endpoint_without_failing(auth_client, path):
    response = auth_client.options(path)
    assert response.status_code == 200
    assert set(response.json()) == {"name", "description", "renders", "parses"}


def test_options_on_a_payout_profile_describes_it(auth_client, user):
    profile = PaymentProfile.objects.create(
        user=user, method="bank_transfer", name="Main", account_number="1234567890", account_name="Ama Mensah"
    )
    for suffix in ("", "set-default/"):
        assert auth_client.options(f"/api/v1/auth/payment-profile/{profile.pk}/{suffix}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "field", "body"),
    [
        ("patch", "/api/v1/auth/profile/", "profile_image", {"profile_image": {}}),
        ("patch", "/api/v1/auth/users/me/", "profile_image", {"profile_image": {}}),
        ("post", "/api/v1/auth/verification/upload-id/", "id_document", {"id_document": {}}),
        ("post", "/api/v1/auth/verification/upload-selfie/", "selfie_image", {"selfie_image": {"a": 1}}),
    ],
)
def test_a_json_object_where_an_image_belongs_is_a_400(auth_client, user, method, path, field, body):
    response = getattr(auth_client, method)(path, body, format="json")
    assert response.status_code == 400
    assert response.json()["details"][field] == ["Upload an image file."]
    user.refresh_from_db()
    assert not user.profile_image and not user.id_document


@pytest.mark.parametrize("path", ["/api/v1/auth/users/activation/", "/api/v1/auth/users/reset_password_confirm/"])
def test_a_uid_that_is_not_text_is_a_400(api_client, path):
    response = api_client.post(path, {"uid": 0, "token": "x", "new_password": "Str0ng-Passw0rd!"}, format="json")
    assert response.status_code == 400
    assert response.json()["uid"] == ["Invalid user id or user doesn't exist."]


def test_a_null_body_on_a_payout_profile_update_is_a_400(auth_client, user):
    profile = PaymentProfile.objects.create(
        user=user, method="bank_transfer", name="Main", account_number="1234567890", account_name="Ama Mensah"
    )
    response = auth_client.patch(
        f"/api/v1/auth/payment-profile/{profile.pk}/", data="null", content_type="application/json"
    )
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.name == "Main"


@pytest.mark.parametrize("reference", ["\x08", "¥\x8a]", "a b&c"])
def test_the_mobile_callback_quotes_an_unknown_reference(api_client, reference):
    response = api_client.get("/api/v1/payments/mobile-callback/", {"reference": reference})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("cafatickets://payment-result?status=failed&reference=")
    assert location.endswith("&error=not_found")
    assert all(32 < ord(character) < 127 for character in location)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/payments/mobile-callback/?reference=%00abc",
        "/api/v1/events/?search=jazz%00",
        "/api/v1/events/slug%00with-nul/",
        "/api/v1/payments/verify/CAFA-%00/",
        "/api/v1/events/?na%00me=x",
    ],
)
def test_a_nul_character_in_the_path_or_query_is_a_400(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
