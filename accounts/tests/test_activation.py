"""A2 activation and A3 resend activation (no account enumeration)."""

import pytest
from django.conf import settings
from django.core import mail

from accounts.services import account as services
from accounts.tests.conftest import assert_envelope, assert_validation_error, last_link, link_params

pytestmark = pytest.mark.django_db
ACTIVATE = "/api/v1/auth/users/activation/"
RESEND = "/api/v1/auth/users/resend_activation/"
LOGIN = "/api/v1/auth/login/"


def register(api_client, committed, **overrides):
    body = {"email": "kofi@example.com", "username": "kofi", "password": "Kente-Cloth-2024", **overrides}
    with committed():
        response = api_client.post("/api/v1/auth/users/", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_the_emailed_link_activates_the_account_and_login_then_works(api_client, committed, django_user_model):
    created = register(api_client, committed)
    link = last_link()
    assert link.startswith(f"{settings.FRONTEND_URL}/activate/")
    assert link.count("/") == settings.FRONTEND_URL.count("/") + 3  # <FRONTEND_URL>/activate/<uid>/<token>

    response = api_client.post(ACTIVATE, link_params(link))

    assert response.status_code == 204
    assert response.content == b""
    user = django_user_model.objects.get(pk=created["id"])
    assert user.is_active and user.is_email_verified
    login = api_client.post(LOGIN, {"email": "kofi@example.com", "password": "Kente-Cloth-2024"})
    assert login.status_code == 200
    assert login.json()["user"]["is_email_verified"] is True


def test_opening_the_link_again_answers_stale_token(api_client, committed):
    register(api_client, committed)
    params = link_params(last_link())
    assert api_client.post(ACTIVATE, params).status_code == 204

    response = api_client.post(ACTIVATE, params)

    body = assert_envelope(response, 403, error="Permission Denied", message="Stale token for given user.")
    assert "stale" in body["message"].lower()


def test_a_link_never_reopens_an_account_staff_deactivated(api_client, committed, django_user_model):
    created = register(api_client, committed)
    params = link_params(last_link())
    user = django_user_model.objects.get(pk=created["id"])
    user.is_email_verified = True  # activated once, later switched off by staff
    user.save()

    response = api_client.post(ACTIVATE, params)

    assert_envelope(response, 403, message="Stale token for given user.")
    user.refresh_from_db()
    assert user.is_active is False


UNKNOWN_UID = "OTk5OTk5"  # base64 of "999999"


@pytest.mark.parametrize(
    ("field", "change", "text"),
    [
        ("uid", {"uid": UNKNOWN_UID}, "Invalid user id or user doesn't exist."),
        ("uid", {"uid": "!!!"}, "Invalid user id or user doesn't exist."),
        ("token", {"token": "c3m7ab-0123456789abcdef0123456789abcdef"}, "Invalid token for given user."),
    ],
)
def test_bad_uid_or_token_is_refused_and_the_account_stays_inactive(
    api_client, committed, django_user_model, field, change, text
):
    created = register(api_client, committed)

    response = api_client.post(ACTIVATE, {**link_params(last_link()), **change})

    body = assert_validation_error(response, field, text)
    assert any(word in body["message"].lower() for word in ("invalid", "stale", "expired"))
    assert django_user_model.objects.get(pk=created["id"]).is_active is False


@pytest.mark.parametrize("field", ["uid", "token"])
def test_missing_uid_or_token_is_a_validation_error(api_client, committed, field):
    register(api_client, committed)
    params = link_params(last_link())
    params.pop(field)

    response = api_client.post(ACTIVATE, params)

    assert_validation_error(response, field, "This field is required.")


def test_resend_mails_a_fresh_link_to_a_never_activated_account(api_client, committed, inactive_user):
    with committed():
        response = api_client.post(RESEND, {"email": inactive_user.email.upper()})

    assert response.status_code == 204
    assert [message.to for message in mail.outbox] == [[inactive_user.email]]
    assert api_client.post(ACTIVATE, link_params(last_link())).status_code == 204


@pytest.mark.parametrize("who", ["unknown", "active", "deactivated_by_staff", "deleted"])
def test_resend_answers_204_and_sends_nothing(api_client, committed, make_user, who):
    if who == "unknown":
        email = "nobody@example.com"
    elif who == "active":
        email = make_user().email
    elif who == "deactivated_by_staff":
        email = make_user(is_active=False, is_email_verified=True).email
    else:
        victim = make_user()
        email = victim.email
        services.anonymise_account(user=victim)

    with committed():
        response = api_client.post(RESEND, {"email": email})

    assert response.status_code == 204
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["not-an-email", "", None])
def test_resend_refuses_a_malformed_address(api_client, email):
    response = api_client.post(RESEND, {} if email is None else {"email": email})

    assert_validation_error(response, "email")
    assert mail.outbox == []
