"""A12 — auth/settings/: the four notification switches."""

import pytest

from accounts.tests.conftest import assert_envelope, assert_validation_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/settings/"
DEFAULTS = {"marketing_emails": True, "event_reminders": True, "email_notifications": True, "sms_notifications": False}


def test_get_returns_the_defaults(auth_client):
    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"settings": DEFAULTS}


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_any_subset_and_get_all_four_back(auth_client, user, method):
    response = getattr(auth_client, method)(URL, {"marketing_emails": False, "sms_notifications": True})

    assert response.status_code == 200
    expected = {**DEFAULTS, "marketing_emails": False, "sms_notifications": True}
    assert response.json() == {"message": "Settings updated successfully", "settings": expected}
    user.refresh_from_db()
    assert user.notification_settings == expected
    assert auth_client.get(URL).json()["settings"] == expected
    assert auth_client.get("/api/v1/auth/profile/").json()["settings"] == expected


def test_form_style_booleans_are_accepted(auth_client, user):
    response = auth_client.patch(URL, {"event_reminders": "false", "sms_notifications": "1"}, format="multipart")

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.event_reminders, user.sms_notifications) == (False, True)


@pytest.mark.parametrize("value", ["maybe", None, [True], 7])
def test_non_boolean_is_refused_and_nothing_changes(auth_client, user, value):
    response = auth_client.patch(URL, {"marketing_emails": False, "email_notifications": value})

    assert_validation_error(response, "email_notifications")
    user.refresh_from_db()
    assert user.notification_settings == DEFAULTS


def test_settings_need_a_token(api_client):
    assert_envelope(api_client.get(URL), 401, error="Authentication Failed")
