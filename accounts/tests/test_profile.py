"""A11 — auth/profile/: the User shape, partial updates in JSON or multipart, profile images."""

import io
import os
import re

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from PIL import Image

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.tests.conftest import assert_validation_error, fake_image, image_bytes, image_file

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/profile/"
IMAGE_URL = re.compile(r"^http://testserver/media/profiles/[0-9a-f]{32}\.(png|jpg|webp)$")


def stored_profile_images():
    folder = os.path.join(settings.MEDIA_ROOT, "profiles")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def fetch(url: str) -> bytes:
    """The stored bytes behind an absolute media URL."""
    relative = url.split("/media/", 1)[1]
    with open(os.path.join(settings.MEDIA_ROOT, relative), "rb") as stored:
        return stored.read()


def test_get_returns_the_user_object(auth_client, user):
    response = auth_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "username",
        "email",
        "full_name",
        "phone_number",
        "profile_image",
        "bio",
        "city",
        "country",
        "is_email_verified",
        "is_organizer",
        "verification_status",
        "date_joined",
        "last_login",
        "settings",
        "stats",
    }
    assert body["id"] == user.pk
    assert body["phone_number"] is None and body["profile_image"] is None
    assert body["country"] == "Ghana"
    assert body["is_organizer"] is False and body["verification_status"] == "not_started"
    assert body["date_joined"].endswith("Z")
    assert body["settings"] == {
        "marketing_emails": True,
        "event_reminders": True,
        "email_notifications": True,
        "sms_notifications": False,
    }
    assert set(body["stats"]) == {
        "total_tickets_purchased",
        "total_events_attended",
        "events_organized",
        "total_spent",
        "account_age_days",
    }
    assert all(isinstance(value, int | float) for value in body["stats"].values())


def test_full_name_defaults_to_empty_string(client_for, make_user):
    response = client_for(make_user(full_name="")).get(URL)

    assert response.json()["full_name"] == ""


@pytest.mark.parametrize("method", ["patch", "put"])
def test_partial_update_changes_only_what_was_sent(auth_client, user, method):
    response = getattr(auth_client, method)(URL, {"full_name": "Yaw Boateng", "phone_number": "0241234567"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "Profile updated successfully"
    assert body["user"]["full_name"] == "Yaw Boateng"
    assert body["user"]["phone_number"] == "+233241234567"
    user.refresh_from_db()
    assert (user.full_name, user.phone_number, user.country) == ("Yaw Boateng", "+233241234567", "Ghana")


def test_all_writable_fields(auth_client, user):
    changes = {"bio": "Highlife fan", "city": "Kumasi", "country": "Ghana", "phone_number": "+447911123456"}

    response = auth_client.patch(URL, changes)

    assert response.status_code == 200
    user.refresh_from_db()
    assert {field: getattr(user, field) for field in changes} == changes


@pytest.mark.parametrize("spelling", ["024 123 4567", "(024) 123-4567", "+233241234567", "233241234567"])
def test_phone_spellings_are_normalised(auth_client, spelling):
    response = auth_client.patch(URL, {"phone_number": spelling})

    assert response.status_code == 200, response.content
    assert response.json()["user"]["phone_number"].lstrip("+") == "233241234567"


def test_profile_read_has_a_bounded_number_of_queries(auth_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert auth_client.get(URL).status_code == 200


@pytest.mark.parametrize("empty", ["", None])
def test_empty_phone_clears_it(client_for, make_user, empty):
    user = make_user(phone_number="+233241234567")

    response = client_for(user).patch(URL, {"phone_number": empty})

    assert response.status_code == 200
    assert response.json()["user"]["phone_number"] is None
    user.refresh_from_db()
    assert user.phone_number is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone_number", "12ab"),
        ("phone_number", "12345"),
        ("full_name", "n" * 151),
        ("bio", "b" * 501),
        ("city", "c" * 101),
        ("country", "c" * 101),
        ("profile_image", "http://elsewhere.example/pic.png"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(auth_client, user, field, value):
    before = {name: getattr(user, name) for name in ("full_name", "phone_number", "bio", "city", "country")}

    valid_companion = {"bio": "Should not stick"} if field != "bio" else {"city": "Should not stick"}

    response = auth_client.patch(URL, {**valid_companion, field: value})

    assert_validation_error(response, field)
    user.refresh_from_db()
    assert {name: getattr(user, name) for name in before} == before


# --- profile images ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_png_upload_in_multipart_gives_an_absolute_url(auth_client, user, method):
    response = getattr(auth_client, method)(
        URL, {"profile_image": image_file("PNG"), "city": "Tamale"}, format="multipart"
    )

    assert response.status_code == 200, response.content
    url = response.json()["user"]["profile_image"]
    assert IMAGE_URL.match(url), url
    assert url.endswith(".png")
    assert "holiday" not in url
    assert auth_client.get(URL).json()["profile_image"] == url
    user.refresh_from_db()
    assert user.city == "Tamale"
    assert Image.open(io.BytesIO(fetch(url))).format == "PNG"


def test_jpeg_exif_is_stripped(auth_client):
    upload = image_file("JPEG", exif=True)
    assert Image.open(io.BytesIO(upload.read())).getexif()  # the test image really carries EXIF
    upload.seek(0)

    response = auth_client.patch(URL, {"profile_image": upload}, format="multipart")

    assert response.status_code == 200, response.content
    stored = fetch(response.json()["user"]["profile_image"])
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert b"SpyCam" not in stored


@pytest.mark.parametrize(("image_format", "extension"), [("PNG", ".png"), ("WEBP", ".webp"), ("JPEG", ".jpg")])
def test_image_type_is_judged_by_content_not_name(auth_client, image_format, extension):
    upload = image_file(image_format, name="looks-like.gif")

    response = auth_client.patch(URL, {"profile_image": upload}, format="multipart")

    assert response.status_code == 200, response.content
    assert response.json()["user"]["profile_image"].endswith(extension)


def test_oversized_image_is_refused_and_nothing_is_stored(auth_client, user):
    upload = image_file("PNG", pad_to=settings.PROFILE_IMAGE_MAX_BYTES + 1)

    response = auth_client.patch(URL, {"profile_image": upload, "city": "Ho"}, format="multipart")

    assert_validation_error(response, "profile_image", "Images must be at most 5 MB.")
    user.refresh_from_db()
    assert not user.profile_image and user.city != "Ho"
    assert stored_profile_images() == []


@pytest.mark.parametrize("upload", [fake_image, lambda: image_file("GIF", name="anim.gif")])
def test_fake_or_unsupported_image_is_refused_and_nothing_is_stored(auth_client, user, upload):
    response = auth_client.patch(URL, {"profile_image": upload()}, format="multipart")

    assert_validation_error(response, "profile_image")
    user.refresh_from_db()
    assert not user.profile_image
    assert stored_profile_images() == []


@pytest.mark.parametrize("removal", ["json-null", "json-empty", "multipart-empty"])
def test_profile_image_can_be_removed(auth_client, user, removal, committed):
    auth_client.patch(URL, {"profile_image": image_file("PNG")}, format="multipart")
    assert len(stored_profile_images()) == 1

    with committed():
        if removal == "multipart-empty":
            response = auth_client.patch(URL, {"profile_image": ""}, format="multipart")
        else:
            response = auth_client.patch(URL, {"profile_image": None if removal == "json-null" else ""})

    assert response.status_code == 200, response.content
    assert response.json()["user"]["profile_image"] is None
    user.refresh_from_db()
    assert not user.profile_image
    assert stored_profile_images() == []


def test_replacing_the_image_deletes_the_old_file(auth_client, committed):
    first = auth_client.patch(URL, {"profile_image": image_file("PNG")}, format="multipart")
    with committed():
        second = auth_client.patch(URL, {"profile_image": image_file("JPEG")}, format="multipart")

    assert first.json()["user"]["profile_image"] != second.json()["user"]["profile_image"]
    assert len(stored_profile_images()) == 1
    assert stored_profile_images()[0].endswith(".jpg")


def test_profile_images_uploaded_in_the_admin_are_cleaned_too(make_user):
    request = RequestFactory().get("/admin/")
    request.user = make_user(is_staff=True, is_superuser=True)
    field = UserAdmin(User, site).get_form(request, obj=request.user).base_fields["profile_image"]
    polyglot = SimpleUploadedFile("me.html", image_bytes("PNG", exif=True) + b"<script>alert(1)</script>")

    cleaned = field.clean(polyglot)

    assert re.fullmatch(r"[0-9a-f]{32}\.png", cleaned.name)
    content = cleaned.read()
    assert b"<script" not in content and b"SpyCam" not in content
