"""A13 change password, A14 change username, A15 delete account, A16 update e-mail + confirm."""

import os

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from accounts.models import PendingEmailChange
from accounts.signals import account_deletion_requested
from accounts.tests.conftest import (
    assert_envelope,
    assert_validation_error,
    image_file,
    jwt_client,
    last_link,
    link_params,
)

pytestmark = pytest.mark.django_db
CHANGE_PASSWORD = "/api/v1/auth/change-password/"
CHANGE_USERNAME = "/api/v1/auth/change-username/"
DELETE_PATHS = ["/api/v1/auth/delete/", "/api/v1/auth/delete-account/"]
UPDATE_EMAIL = "/api/v1/auth/update-email/"
CONFIRM_EMAIL = "/api/v1/auth/update-email/confirm/"
LOGIN = "/api/v1/auth/login/"
NEW_PASSWORD = "Fresh-Plantain-77"
CONFIRMATION = "DELETE MY ACCOUNT"


# --- A13 change password ----------------------------------------------------------------------


def test_change_password_keeps_existing_tokens_valid(api_client, user, password):
    client, refresh = jwt_client(user)

    response = client.post(
        CHANGE_PASSWORD,
        {"current_password": password, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert response.json() == {"message": "Password changed successfully"}
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/api/v1/auth/profile/").status_code == 200
    assert api_client.post("/api/v1/auth/jwt/refresh/", {"refresh": str(refresh)}).status_code == 200
    assert api_client.post(LOGIN, {"email": user.email, "password": NEW_PASSWORD}).status_code == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}, "Missing fields"),
        (
            {"current_password": "Wrong-Passw0rd!", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
            "Invalid password",
        ),
        (
            {"current_password": "<own>", "new_password": NEW_PASSWORD, "confirm_password": "Other-Plantain-77"},
            "Password mismatch",
        ),
    ],
)
def test_change_password_refusals_leave_the_password_unchanged(auth_client, user, password, body, error):
    body = {key: password if value == "<own>" else value for key, value in body.items()}

    response = auth_client.post(CHANGE_PASSWORD, body)

    envelope = assert_envelope(response, 400, error=error)
    if error == "Missing fields":
        assert envelope["details"] == {"current_password": ["This field is required."]}
    user.refresh_from_db()
    assert user.check_password(password)


@pytest.mark.parametrize(
    ("weak", "text"),
    [
        ("4829105736", "This password is entirely numeric."),
        ("password1", "This password is too common."),
        ("Ab1!", "This password is too short. It must contain at least 8 characters."),
    ],
)
def test_weak_new_password_is_refused_with_the_validator_texts(auth_client, user, password, weak, text):
    response = auth_client.post(
        CHANGE_PASSWORD, {"current_password": password, "new_password": weak, "confirm_password": weak}
    )

    body = assert_envelope(response, 400, error="Weak password")
    assert text in body["message"]
    assert text in body["details"]["new_password"]
    user.refresh_from_db()
    assert user.check_password(password)


# --- A14 change username ----------------------------------------------------------------------


def test_change_username(auth_client, user, password):
    response = auth_client.post(CHANGE_USERNAME, {"username": "New_Name", "password": password})

    assert response.status_code == 200
    assert response.json() == {"message": "Username changed successfully", "username": "New_Name"}
    user.refresh_from_db()
    assert user.username == "New_Name"


def test_changing_only_the_case_of_ones_own_username_is_allowed(auth_client, user, password):
    response = auth_client.post(CHANGE_USERNAME, {"username": user.username.upper(), "password": password})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"username": "fresh_name"}, "Missing fields"),
        ({"username": "fresh_name", "password": "Wrong-Passw0rd!"}, "Invalid password"),
        ({"username": "no spaces", "password": "<own>"}, "Invalid username"),
        ({"username": "ab", "password": "<own>"}, "Invalid username"),
        ({"username": "TAKEN_NAME", "password": "<own>"}, "Username taken"),
    ],
)
def test_change_username_refusals_leave_it_unchanged(auth_client, make_user, user, password, body, error):
    make_user(username="taken_name")
    before = user.username
    body = {key: password if value == "<own>" else value for key, value in body.items()}

    response = auth_client.post(CHANGE_USERNAME, body)

    assert_envelope(response, 400, error=error)
    user.refresh_from_db()
    assert user.username == before


# --- A15 delete account -----------------------------------------------------------------------


@pytest.mark.parametrize("path", DELETE_PATHS)
def test_delete_account_anonymises_and_frees_the_address(api_client, make_user, password, path):
    user = make_user(email="abena@example.com", username="abena", phone_number="+233241234567", bio="hi")
    client, refresh = jwt_client(user)

    response = client.delete(path, {"password": password, "confirmation": CONFIRMATION}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "Account deleted successfully"}
    user.refresh_from_db()
    assert user.is_active is False and user.deleted_at is not None
    assert user.email != "abena@example.com" and user.username != "abena"
    assert (user.full_name, user.phone_number, user.bio) == ("", None, None)
    assert not user.has_usable_password()
    # later logins answer 401; existing tokens are rejected
    assert_envelope(api_client.post(LOGIN, {"email": "abena@example.com", "password": password}), 401)
    assert_envelope(client.get("/api/v1/auth/profile/"), 401)
    assert_envelope(api_client.post("/api/v1/auth/jwt/refresh/", {"refresh": str(refresh)}), 401)
    # the address and the username can register again
    again = api_client.post(
        "/api/v1/auth/users/", {"email": "abena@example.com", "username": "abena", "password": NEW_PASSWORD}
    )
    assert again.status_code == 201, again.content


def test_delete_account_removes_the_profile_image(client_for, make_user, password, committed):
    user = make_user()
    client = client_for(user)
    client.patch("/api/v1/auth/profile/", {"profile_image": image_file("PNG")}, format="multipart")
    user.refresh_from_db()
    stored = user.profile_image.path

    with committed():
        client.delete(DELETE_PATHS[0], {"password": password, "confirmation": CONFIRMATION}, format="json")

    user.refresh_from_db()
    assert not user.profile_image
    assert not os.path.exists(stored)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"password": "Wrong-Passw0rd!", "confirmation": CONFIRMATION}, "Invalid password"),
        ({"confirmation": CONFIRMATION}, "Invalid password"),
        ({"password": "<own>", "confirmation": "delete my account"}, "Invalid confirmation"),
        ({"password": "<own>"}, "Invalid confirmation"),
    ],
)
def test_delete_refusals_change_nothing(auth_client, user, password, body, error):
    body = {key: password if value == "<own>" else value for key, value in body.items()}

    response = auth_client.delete(DELETE_PATHS[0], body, format="json")

    assert_envelope(response, 400, error=error)
    user.refresh_from_db()
    assert user.is_active and user.deleted_at is None and user.check_password(password)


def test_delete_is_refused_while_another_app_objects(client_for, make_user, password):
    user = make_user(email="kwame@example.com")

    def live_event_blocker(sender, user, **kwargs):
        return "You organize an upcoming published event."

    account_deletion_requested.connect(live_event_blocker)
    try:
        response = client_for(user).delete(
            DELETE_PATHS[1], {"password": password, "confirmation": CONFIRMATION}, format="json"
        )
    finally:
        account_deletion_requested.disconnect(live_event_blocker)

    body = assert_envelope(response, 400, error="Cannot delete account")
    assert "upcoming published event" in body["message"]
    user.refresh_from_db()
    assert user.is_active and user.deleted_at is None and user.email == "kwame@example.com"


# --- A16 update e-mail ------------------------------------------------------------------------


def request_change(client, committed, password, new_email="new.address@example.com"):
    with committed():  # the callbacks (the e-mail) run on leaving the block, before the return
        return client.post(UPDATE_EMAIL, {"new_email": new_email, "password": password})


def test_email_changes_only_after_the_link_is_opened(api_client, auth_client, committed, user, password):
    old_email = user.email

    response = request_change(auth_client, committed, password, "New.Address@Example.com")

    assert response.status_code == 200
    assert response.json() == {
        "message": "We sent a confirmation link to new.address@example.com. Your address changes when you open it."
    }
    user.refresh_from_db()
    assert user.email == old_email
    assert [message.to for message in mail.outbox] == [["new.address@example.com"]]
    link = last_link()
    assert link.startswith(f"{settings.FRONTEND_URL}/confirm-email?uid=")

    with committed():
        confirmed = api_client.post(CONFIRM_EMAIL, link_params(link))

    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json() == {"message": "Email address updated", "email": "new.address@example.com"}
    user.refresh_from_db()
    assert user.email == "new.address@example.com"
    assert mail.outbox[-1].to == [old_email]
    assert "new.address@example.com" in mail.outbox[-1].body
    assert api_client.post(LOGIN, {"email": "new.address@example.com", "password": password}).status_code == 200


def test_a_confirmation_link_works_once(api_client, auth_client, committed, user, password):
    request_change(auth_client, committed, password)
    params = link_params(last_link())
    assert api_client.post(CONFIRM_EMAIL, params).status_code == 200

    response = api_client.post(CONFIRM_EMAIL, params)

    assert_envelope(response, 400, error="Invalid token")


def test_a_confirmation_link_expires_after_three_days(api_client, auth_client, committed, user, password):
    old_email = user.email
    request_change(auth_client, committed, password)
    params = link_params(last_link())

    with time_machine.travel(timezone.now() + timezone.timedelta(days=3, minutes=1)):
        response = api_client.post(CONFIRM_EMAIL, params)

    assert_envelope(response, 400, error="Invalid token")
    user.refresh_from_db()
    assert user.email == old_email


@pytest.mark.parametrize("tamper", ["other_user_uid", "edited_token", "garbage_uid", "uid_in_other_digits"])
def test_tampered_or_foreign_links_are_refused(api_client, auth_client, committed, make_user, user, password, tamper):
    old_email = user.email
    other = make_user()
    request_change(auth_client, committed, password)
    params = link_params(last_link())
    if tamper == "other_user_uid":
        params["uid"] = urlsafe_base64_encode(str(other.pk).encode())
    elif tamper == "edited_token":
        params["token"] = params["token"][:-2] + ("AA" if not params["token"].endswith("AA") else "BB")
    elif tamper == "uid_in_other_digits":  # the right id, in Arabic-Indic digits (int() would read them)
        params["uid"] = urlsafe_base64_encode("".join(chr(0x0660 + int(c)) for c in str(user.pk)).encode())
    else:
        params["uid"] = "!!"

    response = api_client.post(CONFIRM_EMAIL, params)

    assert_envelope(response, 400, error="Invalid token")
    user.refresh_from_db()
    other.refresh_from_db()
    assert user.email == old_email and other.email != "new.address@example.com"


def test_confirm_refuses_an_address_taken_meanwhile(api_client, auth_client, committed, make_user, user, password):
    old_email = user.email
    request_change(auth_client, committed, password)
    params = link_params(last_link())
    make_user(email="new.address@example.com")

    response = api_client.post(CONFIRM_EMAIL, params)

    assert_envelope(response, 400, error="Email taken")
    user.refresh_from_db()
    assert user.email == old_email


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"new_email": "NEW.ADDRESS@example.com", "password": "<own>"}, "Email taken"),
        ({"new_email": "fresh@example.com", "password": "Wrong-Passw0rd!"}, "Invalid password"),
    ],
)
def test_update_email_refusals_send_nothing(auth_client, committed, make_user, user, password, body, error):
    make_user(email="new.address@example.com")
    body = {key: password if value == "<own>" else value for key, value in body.items()}

    with committed():
        response = auth_client.post(UPDATE_EMAIL, body)

    assert_envelope(response, 400, error=error)
    assert mail.outbox == []
    assert not PendingEmailChange.objects.exists()


@pytest.mark.parametrize("body", [{"new_email": "not-an-email", "password": "x"}, {"password": "x"}])
def test_update_email_validation(auth_client, body):
    assert_validation_error(auth_client.post(UPDATE_EMAIL, body), "new_email")
    assert not PendingEmailChange.objects.exists()
