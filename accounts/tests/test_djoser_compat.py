"""A17-A19 — djoser's users/ endpoints: me, set_password, set_username, list and detail."""

import pytest

from accounts.signals import account_deletion_requested
from accounts.tests.conftest import assert_envelope, assert_validation_error, jwt_client

pytestmark = pytest.mark.django_db
ME = "/api/v1/auth/users/me/"
USERS = "/api/v1/auth/users/"
NEW_PASSWORD = "Fresh-Plantain-77"


def test_me_returns_the_user_object(auth_client, user):
    response = auth_client.get(ME)

    assert response.status_code == 200
    assert response.json() == auth_client.get("/api/v1/auth/profile/").json()
    assert response.json()["id"] == user.pk


@pytest.mark.parametrize("method", ["patch", "put"])
def test_me_update_is_partial_and_returns_the_user(auth_client, user, method):
    response = getattr(auth_client, method)(ME, {"full_name": "Akua Asante", "phone_number": "0201234567"})

    assert response.status_code == 200, response.content
    assert response.json()["full_name"] == "Akua Asante"
    assert response.json()["phone_number"] == "+233201234567"
    user.refresh_from_db()
    assert (user.full_name, user.phone_number, user.country) == ("Akua Asante", "+233201234567", "Ghana")


def test_me_update_validates(auth_client, user):
    before = user.full_name

    response = auth_client.patch(ME, {"full_name": "x" * 151})

    assert_validation_error(response, "full_name")
    user.refresh_from_db()
    assert user.full_name == before


def test_me_delete_closes_the_account(api_client, user, password):
    client, refresh = jwt_client(user)
    email = user.email

    response = client.delete(ME, {"current_password": password}, format="json")

    assert response.status_code == 204, response.content
    user.refresh_from_db()
    assert not user.is_active and user.deleted_at is not None and user.email != email
    assert_envelope(api_client.post("/api/v1/auth/login/", {"email": email, "password": password}), 401)
    assert_envelope(api_client.post("/api/v1/auth/jwt/refresh/", {"refresh": str(refresh)}), 401)


def test_me_delete_with_a_wrong_password_changes_nothing(auth_client, user):
    response = auth_client.delete(ME, {"current_password": "Wrong-Passw0rd!"}, format="json")

    assert_validation_error(response, "current_password", "Invalid password.")
    user.refresh_from_db()
    assert user.is_active and user.deleted_at is None


def test_me_delete_obeys_the_deletion_blockers(auth_client, user, password):
    def open_withdrawal(sender, user, **kwargs):
        return "You have a withdrawal in progress."

    account_deletion_requested.connect(open_withdrawal)
    try:
        response = auth_client.delete(ME, {"current_password": password}, format="json")
    finally:
        account_deletion_requested.disconnect(open_withdrawal)

    assert_envelope(response, 400, error="Cannot delete account", message="You have a withdrawal in progress.")
    user.refresh_from_db()
    assert user.is_active


@pytest.mark.parametrize("retype", [None, NEW_PASSWORD])
def test_set_password(auth_client, user, password, retype):
    body = {"current_password": password, "new_password": NEW_PASSWORD}
    if retype:
        body["re_new_password"] = retype

    response = auth_client.post(f"{USERS}set_password/", body)

    assert response.status_code == 204, response.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"current_password": "Wrong-Passw0rd!"}, "current_password", "Invalid password."),
        ({"new_password": "4829105736"}, "new_password", "This password is entirely numeric."),
        ({"re_new_password": "Other-Plantain-77"}, "re_new_password", "Passwords do not match."),
    ],
)
def test_set_password_refusals(auth_client, user, password, change, field, text):
    body = {"current_password": password, "new_password": NEW_PASSWORD, **change}

    response = auth_client.post(f"{USERS}set_password/", body)

    assert_validation_error(response, field, text)
    user.refresh_from_db()
    assert user.check_password(password)


def test_set_username(auth_client, user, password):
    response = auth_client.post(f"{USERS}set_username/", {"current_password": password, "new_username": "kwesi-2"})

    assert response.status_code == 204, response.content
    user.refresh_from_db()
    assert user.username == "kwesi-2"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"current_password": "Wrong-Passw0rd!"}, "current_password"),
        ({"new_username": "bad name"}, "new_username"),
        ({"new_username": "TAKEN"}, "new_username"),
    ],
)
def test_set_username_refusals(auth_client, make_user, user, password, change, field):
    make_user(username="taken")
    before = user.username

    response = auth_client.post(
        f"{USERS}set_username/", {"current_password": password, "new_username": "kwesi-2", **change}
    )

    assert_validation_error(response, field)
    user.refresh_from_db()
    assert user.username == before


def test_user_list_shows_only_the_caller(auth_client, make_user, user):
    make_user()
    make_user()

    response = auth_client.get(USERS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["id"] for item in body["results"]] == [user.pk]


def test_staff_see_every_user(client_for, make_user):
    staff = make_user(is_staff=True)
    make_user()

    response = client_for(staff).get(USERS)

    assert response.json()["count"] == 2


def test_own_detail_is_visible_and_anothers_is_404(auth_client, make_user, user):
    other = make_user()

    own = auth_client.get(f"{USERS}{user.pk}/")
    foreign = auth_client.get(f"{USERS}{other.pk}/")

    assert own.status_code == 200 and own.json()["id"] == user.pk
    assert_envelope(foreign, 404)


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_anothers_account_cannot_be_changed_or_deleted(auth_client, make_user, password, method):
    other = make_user(full_name="Untouched")

    response = getattr(auth_client, method)(
        f"{USERS}{other.pk}/", {"full_name": "Hacked", "current_password": password}, format="json"
    )

    assert_envelope(response, 404)
    other.refresh_from_db()
    assert other.full_name == "Untouched" and other.is_active and other.deleted_at is None


def test_users_endpoints_need_a_token(api_client):
    assert_envelope(api_client.get(ME), 401)
    assert_envelope(api_client.get(USERS), 401)


@pytest.mark.parametrize("action", ["reset_username", "reset_username_confirm"])
def test_djoser_username_reset_is_not_routed(api_client, user, action):
    response = api_client.post(f"{USERS}{action}/", {"email": user.email})

    assert response.status_code in (401, 404, 405)
    assert response.json()["status_code"] == response.status_code
