"""A9 reset request (no enumeration) and A10 reset confirm, on the seed and the mobile paths."""

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.services import account as services
from accounts.tests.conftest import assert_validation_error, last_link, link_params

pytestmark = pytest.mark.django_db
RESET_PATHS = ["/api/v1/auth/users/reset_password/", "/api/v1/auth/password/reset/"]
CONFIRM_PATHS = ["/api/v1/auth/users/reset_password_confirm/", "/api/v1/auth/password/reset/confirm/"]
NEW_PASSWORD = "Fresh-Plantain-77"


def request_reset(api_client, committed, email, path=RESET_PATHS[0]):
    with committed():
        response = api_client.post(path, {"email": email})
    assert response.status_code == 204, response.content
    return response


@pytest.mark.parametrize("path", RESET_PATHS)
def test_reset_mails_a_query_style_link_to_an_active_account(api_client, committed, user, path):
    response = request_reset(api_client, committed, user.email.upper(), path)

    assert response.content == b""
    assert [message.to for message in mail.outbox] == [[user.email]]
    link = last_link()
    assert link.startswith(f"{settings.FRONTEND_URL}/password-reset?uid=")
    assert "&token=" in link


@pytest.mark.parametrize("who", ["unknown", "unverified", "deactivated_by_staff", "deleted"])
def test_reset_answers_204_and_sends_nothing(api_client, committed, make_user, who):
    if who == "unknown":
        email = "nobody@example.com"
    elif who == "unverified":
        email = make_user(is_active=False).email
    elif who == "deactivated_by_staff":
        email = make_user(is_active=False, is_email_verified=True).email
    else:
        victim = make_user()
        email = victim.email
        services.anonymise_account(user=victim)

    request_reset(api_client, committed, email)

    assert mail.outbox == []


@pytest.mark.parametrize("path", RESET_PATHS)
def test_reset_refuses_a_malformed_address(api_client, path):
    assert_validation_error(api_client.post(path, {"email": "not-an-email"}), "email")
    assert mail.outbox == []


@pytest.mark.parametrize("path", CONFIRM_PATHS)
@pytest.mark.parametrize("retype", [None, NEW_PASSWORD])
def test_confirm_sets_the_new_password(api_client, committed, user, path, retype):
    request_reset(api_client, committed, user.email)
    body = {**link_params(last_link()), "new_password": NEW_PASSWORD}
    if retype:
        body["re_new_password"] = retype

    response = api_client.post(path, body)

    assert response.status_code == 204, response.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    login = api_client.post("/api/v1/auth/login/", {"email": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 200


def test_a_used_link_is_refused(api_client, committed, user):
    request_reset(api_client, committed, user.email)
    params = link_params(last_link())
    assert api_client.post(CONFIRM_PATHS[1], {**params, "new_password": NEW_PASSWORD}).status_code == 204

    response = api_client.post(CONFIRM_PATHS[1], {**params, "new_password": "Another-Yam-2026"})

    body = assert_validation_error(response, "token", "Invalid token for given user.")
    assert body["token"][0] == "Invalid token for given user."
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_link_expires_after_three_days(api_client, committed, user, password):
    request_reset(api_client, committed, user.email)
    params = link_params(last_link())

    with time_machine.travel(timezone.now() + timezone.timedelta(days=3, minutes=1)):
        response = api_client.post(CONFIRM_PATHS[0], {**params, "new_password": NEW_PASSWORD})

    assert_validation_error(response, "token", "Invalid token for given user.")
    user.refresh_from_db()
    assert user.check_password(password)


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"uid": "OTk5OTk5"}, "uid", "Invalid user id or user doesn't exist."),
        ({"token": "c3m7ab-0123456789abcdef0123456789abcdef"}, "token", "Invalid token for given user."),
        ({"new_password": "4829105736"}, "new_password", "This password is entirely numeric."),
        (
            {"new_password": "short"},
            "new_password",
            "This password is too short. It must contain at least 8 characters.",
        ),
        ({"re_new_password": "Something-Else-1"}, "re_new_password", "Passwords do not match."),
    ],
)
def test_confirm_errors_leave_the_password_unchanged(api_client, committed, user, password, change, field, text):
    request_reset(api_client, committed, user.email)
    body = {**link_params(last_link()), "new_password": NEW_PASSWORD, **change}

    response = api_client.post(CONFIRM_PATHS[0], body)

    envelope = assert_validation_error(response, field, text)
    assert envelope[field][0] == text
    user.refresh_from_db()
    assert user.check_password(password)


def _refresh_status(api_client, refresh):
    return api_client.post("/api/v1/auth/jwt/refresh/", {"refresh": refresh}).status_code


@pytest.mark.parametrize("path", CONFIRM_PATHS)
def test_a_reset_signs_every_session_out(api_client, committed, user, password, path):
    web = api_client.post("/api/v1/auth/login/", {"email": user.email, "password": password}).json()["tokens"]
    mobile = api_client.post("/api/v1/auth/jwt/create/", {"email": user.username, "password": password}).json()
    assert _refresh_status(api_client, web["refresh"]) == 200
    request_reset(api_client, committed, user.email)

    response = api_client.post(path, {**link_params(last_link()), "new_password": NEW_PASSWORD})

    assert response.status_code == 204, response.content
    for old in (web["refresh"], mobile["refresh"]):
        refused = api_client.post("/api/v1/auth/jwt/refresh/", {"refresh": old})
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_not_valid"
    fresh = api_client.post("/api/v1/auth/login/", {"email": user.email, "password": NEW_PASSWORD})
    assert _refresh_status(api_client, fresh.json()["tokens"]["refresh"]) == 200


def test_a_refused_reset_keeps_the_sessions(api_client, committed, user, password):
    refresh = api_client.post("/api/v1/auth/jwt/create/", {"email": user.email, "password": password}).json()["refresh"]
    request_reset(api_client, committed, user.email)
    body = {**link_params(last_link()), "new_password": NEW_PASSWORD, "re_new_password": "Something-Else-1"}

    assert api_client.post(CONFIRM_PATHS[0], body).status_code == 400

    assert _refresh_status(api_client, refresh) == 200


def test_a_reset_leaves_other_accounts_signed_in(api_client, committed, make_user, user, password):
    other = make_user()
    refresh = api_client.post("/api/v1/auth/jwt/create/", {"email": other.email, "password": password}).json()[
        "refresh"
    ]
    request_reset(api_client, committed, user.email)

    assert (
        api_client.post(CONFIRM_PATHS[1], {**link_params(last_link()), "new_password": NEW_PASSWORD}).status_code == 204
    )

    assert _refresh_status(api_client, refresh) == 200


def test_with_rotation_on_a_reset_also_revokes_the_rotated_tokens(api_client, committed, monkeypatch, user, password):
    from rest_framework_simplejwt import serializers as jwt_serializers

    monkeypatch.setattr(jwt_serializers.api_settings, "ROTATE_REFRESH_TOKENS", True, raising=False)
    first = api_client.post("/api/v1/auth/jwt/create/", {"email": user.email, "password": password}).json()["refresh"]
    rotated = api_client.post("/api/v1/auth/jwt/refresh/", {"refresh": first}).json()["refresh"]
    request_reset(api_client, committed, user.email)

    assert (
        api_client.post(CONFIRM_PATHS[0], {**link_params(last_link()), "new_password": NEW_PASSWORD}).status_code == 204
    )

    assert _refresh_status(api_client, first) == 401
    assert _refresh_status(api_client, rotated) == 401
