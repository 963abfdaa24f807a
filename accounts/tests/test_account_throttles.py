"""§1.10 — login, registration and account e-mail limits: 429 with Retry-After and the envelope."""

import pytest
from django.core import mail

from accounts.tests.conftest import assert_envelope
from cafa.api.throttling import AccountEmailThrottle

pytestmark = pytest.mark.django_db
LOGIN = "/api/v1/auth/login/"


def assert_throttled(response):
    body = assert_envelope(response, 429, error="Too Many Requests")
    wait = int(response["Retry-After"])
    assert wait > 0
    assert body["retry_after"] == wait
    assert body["message"] == f"Request was throttled. Try again in {wait} seconds."
    return body


@pytest.mark.parametrize("path", [LOGIN, "/api/v1/auth/jwt/create/"])
def test_the_eleventh_login_within_a_minute_is_throttled(api_client, user, password, path):
    for _ in range(10):
        assert api_client.post(path, {"email": user.email, "password": "Wrong-Passw0rd!"}).status_code == 401

    response = api_client.post(path, {"email": user.email, "password": password})

    assert_throttled(response)
    assert int(response["Retry-After"]) <= 60
    user.refresh_from_db()
    assert user.last_login is None


def test_login_and_jwt_create_share_one_budget(api_client, user, password):
    for index in range(10):
        path = LOGIN if index % 2 else "/api/v1/auth/jwt/create/"
        api_client.post(path, {"email": user.email, "password": password})

    assert_throttled(api_client.post(LOGIN, {"email": user.email, "password": password}))


def test_login_limit_is_per_address_and_forwarded_for_does_not_escape_it(api_client, user, password):
    for _ in range(10):
        api_client.post(LOGIN, {"email": user.email, "password": password}, REMOTE_ADDR="10.0.0.1")

    spoofed = api_client.post(
        LOGIN, {"email": user.email, "password": password}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    elsewhere = api_client.post(LOGIN, {"email": user.email, "password": password}, REMOTE_ADDR="10.0.0.2")

    assert_throttled(spoofed)
    assert elsewhere.status_code == 200


def test_registration_is_limited_per_address(api_client):
    for number in range(10):
        body = {"email": f"p{number}@example.com", "username": f"person{number}", "password": "Kente-Cloth-2024"}
        assert api_client.post("/api/v1/auth/users/", body).status_code == 201

    response = api_client.post(
        "/api/v1/auth/users/", {"email": "late@example.com", "username": "late", "password": "Kente-Cloth-2024"}
    )

    assert_throttled(response)


@pytest.mark.parametrize(
    "paths",
    [
        ["/api/v1/auth/users/reset_password/"],
        ["/api/v1/auth/password/reset/"],
        ["/api/v1/auth/users/resend_activation/"],
        # one budget across the three paths
        ["/api/v1/auth/users/reset_password/", "/api/v1/auth/password/reset/", "/api/v1/auth/users/resend_activation/"],
    ],
)
def test_account_emails_are_limited_to_five_an_hour(api_client, committed, user, paths):
    with committed():
        for index in range(5):
            assert api_client.post(paths[index % len(paths)], {"email": user.email}).status_code == 204
    sent = len(mail.outbox)

    with committed():
        response = api_client.post(paths[-1], {"email": user.email})

    assert_throttled(response)
    assert len(mail.outbox) == sent


def test_lowered_rate_via_the_throttle_class(api_client, monkeypatch, user):
    monkeypatch.setattr(AccountEmailThrottle, "THROTTLE_RATES", {"account_email": "1/min"})

    first = api_client.post("/api/v1/auth/password/reset/", {"email": user.email})
    second = api_client.post("/api/v1/auth/password/reset/", {"email": user.email})

    assert first.status_code == 204
    assert_throttled(second)
    assert int(second["Retry-After"]) <= 60
