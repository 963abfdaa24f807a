"""A4 login, A5 jwt/create, A6 refresh, A7 verify, A8 logout."""

import jwt
import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.services import account as services
from accounts.tests.conftest import assert_envelope, assert_validation_error, jwt_client

pytestmark = pytest.mark.django_db
LOGIN = "/api/v1/auth/login/"
JWT_CREATE = "/api/v1/auth/jwt/create/"
REFRESH = "/api/v1/auth/jwt/refresh/"
VERIFY = "/api/v1/auth/jwt/verify/"
LOGOUT = "/api/v1/auth/logout/"
PROFILE = "/api/v1/auth/profile/"
INVALID_CREDENTIALS = {"error": "Invalid credentials", "message": "Invalid email/username or password."}


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- A4 login ---------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["email", "EMAIL", "username", "USERNAME"])
def test_login_by_email_or_username_in_any_case(api_client, make_user, password, identifier):
    user = make_user(username="Esi_Owusu", email="esi@example.com")
    value = {"email": "esi@example.com", "username": "Esi_Owusu"}[identifier.lower()]
    value = value.upper() if identifier.isupper() else value

    response = api_client.post(LOGIN, {"email": value, "password": password})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "Login successful"
    assert body["user"]["id"] == user.pk
    assert body["user"]["email"] == "esi@example.com"
    assert set(body["tokens"]) == {"access", "refresh"}
    claims = jwt.decode(body["tokens"]["access"], options={"verify_signature": False})
    assert {"exp", "iat", "jti", "token_type", "user_id"} <= set(claims)
    assert str(claims["user_id"]) == str(user.pk)
    me = api_client.get(PROFILE, **bearer(body["tokens"]["access"]))
    assert me.status_code == 200 and me.json()["id"] == user.pk


def test_login_updates_last_login(api_client, user, password):
    assert user.last_login is None

    response = api_client.post(LOGIN, {"email": user.email, "password": password})

    user.refresh_from_db()
    assert user.last_login is not None
    assert response.json()["user"]["last_login"] is not None


@pytest.mark.parametrize("identifier", ["known", "unknown"])
def test_wrong_password_or_unknown_user_answers_401_alike(api_client, user, identifier):
    email = user.email if identifier == "known" else "ghost@example.com"

    response = api_client.post(LOGIN, {"email": email, "password": "Wrong-Passw0rd!"})

    assert_envelope(response, 401, **INVALID_CREDENTIALS)
    user.refresh_from_db()
    assert user.last_login is None


def test_unverified_account_with_the_right_password_is_told_to_verify(api_client, inactive_user, password):
    response = api_client.post(LOGIN, {"email": inactive_user.email, "password": password})

    body = assert_envelope(response, 403, error="Account not verified")
    assert "verify" in body["message"] and "before logging in" in body["message"]
    assert body["resend_verification_url"] == "/api/v1/auth/users/resend_activation/"
    assert "tokens" not in body


def test_unverified_account_with_a_wrong_password_reveals_nothing(api_client, inactive_user):
    response = api_client.post(LOGIN, {"email": inactive_user.email, "password": "Wrong-Passw0rd!"})

    assert_envelope(response, 401, **INVALID_CREDENTIALS)


@pytest.mark.parametrize("state", ["deleted", "deactivated_by_staff"])
def test_closed_accounts_cannot_log_in(api_client, make_user, password, state):
    user = make_user()
    email = user.email
    if state == "deleted":
        services.anonymise_account(user=user)
    else:
        user.is_active = False
        user.save()

    response = api_client.post(LOGIN, {"email": email, "password": password})

    assert_envelope(response, 401, **INVALID_CREDENTIALS)


@pytest.mark.parametrize("missing", ["email", "password"])
def test_missing_field_is_a_validation_error(api_client, user, password, missing):
    body = {"email": user.email, "password": password}
    body.pop(missing)

    response = api_client.post(LOGIN, body)

    assert_validation_error(response, missing, "This field is required.")


def test_login_answers_405_json_to_get(api_client):
    assert_envelope(api_client.get(LOGIN), 405, error="Method Not Allowed")


# --- A5 jwt/create ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["email", "username"])
def test_jwt_create_accepts_email_or_username(api_client, user, password, key):
    response = api_client.post(JWT_CREATE, {key: getattr(user, key).upper(), "password": password})

    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh"}
    user.refresh_from_db()
    assert user.last_login is not None


def test_jwt_create_has_the_login_errors(api_client, user, inactive_user, password):
    wrong = api_client.post(JWT_CREATE, {"email": user.email, "password": "nope-nope-nope"})
    unverified = api_client.post(JWT_CREATE, {"username": inactive_user.username, "password": password})
    missing = api_client.post(JWT_CREATE, {"password": password})

    assert_envelope(wrong, 401, **INVALID_CREDENTIALS)
    assert_envelope(unverified, 403, error="Account not verified")
    assert_validation_error(missing, "email")


# --- A6 refresh / A7 verify -------------------------------------------------------------------


def test_refresh_gives_a_new_access_token_at_root_level(api_client, user):
    refresh = RefreshToken.for_user(user)

    response = api_client.post(REFRESH, {"refresh": str(refresh)})

    assert response.status_code == 200
    assert set(response.json()) == {"access"}
    assert api_client.get(PROFILE, **bearer(response.json()["access"])).status_code == 200


def assert_token_not_valid(response):
    body = assert_envelope(response, 401, error="Authentication Failed", message="Token is invalid or expired")
    assert body["code"] == "token_not_valid"


@pytest.mark.parametrize("token", ["garbage", "", "a.b.c"])
def test_refresh_refuses_a_bad_token(api_client, token):
    response = api_client.post(REFRESH, {"refresh": token})

    if token == "":
        assert_validation_error(response, "refresh")
    else:
        assert_token_not_valid(response)


def test_refresh_refuses_an_access_token(api_client, user):
    access = RefreshToken.for_user(user).access_token

    assert_token_not_valid(api_client.post(REFRESH, {"refresh": str(access)}))


def test_refresh_refuses_a_blacklisted_token(api_client, user):
    refresh = RefreshToken.for_user(user)
    refresh.blacklist()

    assert_token_not_valid(api_client.post(REFRESH, {"refresh": str(refresh)}))


def test_verify_accepts_a_good_token_and_refuses_a_bad_one(api_client, user):
    good = api_client.post(VERIFY, {"token": str(RefreshToken.for_user(user).access_token)})
    bad = api_client.post(VERIFY, {"token": "garbage"})

    assert good.status_code == 200 and good.json() == {}
    assert_token_not_valid(bad)


# --- A8 logout --------------------------------------------------------------------------------


def test_logout_blacklists_the_refresh_token(api_client, user):
    refresh = str(RefreshToken.for_user(user))

    response = api_client.post(LOGOUT, {"refresh": refresh})

    assert response.status_code == 200
    assert response.json() == {"message": "Logged out successfully"}
    assert_token_not_valid(api_client.post(REFRESH, {"refresh": refresh}))


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": None}, {"refresh": "garbage"}, {"refresh": 5}])
def test_logout_always_answers_200(api_client, body):
    response = api_client.post(LOGOUT, body)

    assert response.status_code == 200
    assert response.json() == {"message": "Logged out successfully"}


def test_logout_twice_still_answers_200(api_client, user):
    refresh = str(RefreshToken.for_user(user))
    api_client.post(LOGOUT, {"refresh": refresh})

    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 200


# --- protected routes -------------------------------------------------------------------------


def test_protected_route_without_a_token_answers_401(api_client):
    response = api_client.get(PROFILE)

    assert_envelope(
        response, 401, error="Authentication Failed", message="Authentication credentials were not provided."
    )


def test_protected_route_with_a_bad_token_answers_401(api_client):
    response = api_client.get(PROFILE, **bearer("garbage"))

    body = assert_envelope(response, 401, error="Authentication Failed")
    assert body["message"] == "Given token not valid for any token type"
    assert body["code"] == "token_not_valid"


def test_tokens_of_a_deactivated_account_are_rejected(api_client, user):
    client, refresh = jwt_client(user)
    user.is_active = False
    user.save()

    assert_envelope(client.get(PROFILE), 401, error="Authentication Failed")
    assert_token_not_valid(api_client.post(REFRESH, {"refresh": str(refresh)}))


def test_refresh_token_of_a_removed_account_answers_401(api_client, user):
    refresh = RefreshToken.for_user(user)
    user.delete()  # staff removed the row in the admin

    assert_token_not_valid(api_client.post(REFRESH, {"refresh": str(refresh)}))


def test_with_rotation_switched_on_refresh_returns_a_new_refresh_and_keeps_the_old_one(api_client, monkeypatch, user):
    # simplejwt modules hold their own reference to its settings object, so patch that object
    from rest_framework_simplejwt import serializers as jwt_serializers

    monkeypatch.setattr(jwt_serializers.api_settings, "ROTATE_REFRESH_TOKENS", True, raising=False)
    old = str(RefreshToken.for_user(user))

    first = api_client.post(REFRESH, {"refresh": old})
    again = api_client.post(REFRESH, {"refresh": old})

    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert first.json()["refresh"] != old
    assert again.status_code == 200
