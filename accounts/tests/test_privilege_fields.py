"""§1.2 — privilege and verification fields are read-only through every writable endpoint."""

import json

import pytest
from django.contrib.auth import get_user_model

from accounts.tests.conftest import PRIVILEGE_FIELDS, image_file

pytestmark = pytest.mark.django_db
User = get_user_model()
GUARDED = ["is_organizer", "is_staff", "is_superuser", "email", "verification_status", "is_email_verified", "is_active"]


def snapshot(user):
    user.refresh_from_db()
    return {field: getattr(user, field) for field in GUARDED}


def multipart_fields():
    return {key: json.dumps(value) if isinstance(value, bool) else value for key, value in PRIVILEGE_FIELDS.items()}


@pytest.mark.parametrize(
    ("path", "method", "fmt"),
    [
        ("/api/v1/auth/profile/", "patch", "json"),
        ("/api/v1/auth/profile/", "put", "json"),
        ("/api/v1/auth/profile/", "patch", "multipart"),
        ("/api/v1/auth/profile/", "put", "multipart"),
        ("/api/v1/auth/users/me/", "patch", "json"),
        ("/api/v1/auth/users/me/", "put", "json"),
        ("/api/v1/auth/users/me/", "patch", "multipart"),
        ("/api/v1/auth/settings/", "patch", "json"),
        ("/api/v1/auth/settings/", "put", "json"),
    ],
)
def test_privilege_fields_are_ignored(auth_client, user, path, method, fmt):
    before = snapshot(user)
    if fmt == "multipart":
        data = {**multipart_fields(), "city": "Cape Coast", "profile_image": image_file("PNG")}
    else:
        data = {**PRIVILEGE_FIELDS, "city": "Cape Coast", "marketing_emails": False}

    response = getattr(auth_client, method)(path, data, format=fmt)

    assert response.status_code == 200, response.content
    assert snapshot(user) == before
    if "settings" not in path:
        assert user.city == "Cape Coast"  # the legitimate part of the request was applied
    else:
        assert user.marketing_emails is False
    echoed = response.json().get("user", response.json())
    if "email" in echoed:
        assert echoed["email"] == before["email"]
        assert echoed["is_organizer"] is False and echoed["verification_status"] == "not_started"


def test_privilege_fields_are_ignored_at_registration(api_client):
    response = api_client.post(
        "/api/v1/auth/users/",
        {
            "email": "efua@example.com",
            "username": "efua",
            "password": "Kente-Cloth-2024",
            **{key: value for key, value in PRIVILEGE_FIELDS.items() if key != "email"},
            "is_email_verified": True,
            "is_active": True,
        },
    )

    assert response.status_code == 201, response.content
    user = User.objects.get()
    assert snapshot(user) == {
        "is_organizer": False,
        "is_staff": False,
        "is_superuser": False,
        "email": "efua@example.com",
        "verification_status": "not_started",
        "is_email_verified": False,
        "is_active": False,
    }


def test_a_verified_organizer_cannot_promote_or_demote_themselves(client_for, make_user):
    organizer = make_user(is_organizer=True, verification_status="verified")
    before = snapshot(organizer)

    response = client_for(organizer).patch(
        "/api/v1/auth/profile/", {"is_organizer": False, "verification_status": "rejected", "is_staff": True}
    )

    assert response.status_code == 200
    assert snapshot(organizer) == before
