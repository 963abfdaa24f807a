"""A1 — POST auth/users/: an inactive account, an activation e-mail, no tokens."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.tests.conftest import assert_validation_error, last_link

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/api/v1/auth/users/"


def payload(**overrides):
    body = {
        "email": "Ama.Mensah@Example.com",
        "username": "ama_mensah",
        "password": "Kente-Cloth-2024",
        "full_name": "Ama Mensah",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def test_register_creates_an_inactive_account_and_mails_the_activation_link(api_client, committed):
    with committed():
        response = api_client.post(URL, payload(phone_number="0241234567"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "username": "ama_mensah",
        "email": "ama.mensah@example.com",
        "full_name": "Ama Mensah",
        "message": "Account created. Check your e-mail to activate your account.",
    }
    assert "access" not in str(body) and "tokens" not in body
    user = User.objects.get(pk=body["id"])
    assert user.email == "ama.mensah@example.com"
    assert user.phone_number == "+233241234567"
    assert user.is_active is False and user.is_email_verified is False
    assert user.check_password("Kente-Cloth-2024")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ama.mensah@example.com"]
    assert last_link().startswith(f"{settings.FRONTEND_URL}/activate/")


@pytest.mark.parametrize("retype", ["re_password", "password_confirm"])
def test_matching_retype_is_accepted(api_client, retype):
    response = api_client.post(URL, payload(**{retype: "Kente-Cloth-2024"}))

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("retype", ["re_password", "password_confirm"])
def test_mismatched_retype_is_refused_on_that_key(api_client, retype):
    response = api_client.post(URL, payload(**{retype: "Kente-Cloth-2025"}))

    body = assert_validation_error(response, retype, "Passwords do not match.")
    assert body["message"] == f"{retype}: Passwords do not match."
    assert not User.objects.exists()
    assert mail.outbox == []


def test_duplicate_email_in_another_case_is_refused(api_client, make_user):
    make_user(email="ama.mensah@example.com")

    response = api_client.post(URL, payload(email="AMA.MENSAH@EXAMPLE.COM"))

    assert_validation_error(response, "email", "A user with this email already exists.")
    assert User.objects.count() == 1


def test_duplicate_username_in_another_case_is_refused(api_client, make_user):
    make_user(username="Ama_Mensah")

    response = api_client.post(URL, payload(username="AMA_MENSAH"))

    assert_validation_error(response, "username", "A user with that username already exists.")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "text"),
    [
        ("Sh0rt!", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("8412957360", "This password is entirely numeric."),
        ("ama_mensah1", "The password is too similar to the username."),
    ],
)
def test_weak_password_is_refused_with_the_validator_text(api_client, password, text):
    response = api_client.post(URL, payload(password=password))

    assert_validation_error(response, "password", text)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", None),
        ("username", "ab"),
        ("username", "has space"),
        ("username", "x" * 31),
        ("username", None),
        ("password", None),
        ("phone_number", "12ab"),
        ("full_name", "n" * 151),
    ],
)
def test_bad_field_is_refused_and_nothing_is_created(api_client, field, value):
    body = payload()
    if value is None:
        body.pop(field)
    else:
        body[field] = value

    response = api_client.post(URL, body)

    assert_validation_error(response, field)
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("field", "text"),
    [("email", "A user with this email already exists."), ("username", "A user with that username already exists.")],
)
def test_losing_a_registration_race_is_a_validation_error(api_client, make_user, monkeypatch, field, text):
    from accounts.serializers.account import RegistrationSerializer

    # the other request commits between our uniqueness check and our insert
    monkeypatch.setattr(RegistrationSerializer, f"validate_{field}", lambda self, value: value.lower())
    make_user(**{field: payload()[field].lower()})

    response = api_client.post(URL, payload())

    assert_validation_error(response, field, text)
    assert User.objects.count() == 1
