"""Helpers shared by the accounts tests: image uploads, envelope checks, e-mail links, JWT clients."""

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from conftest import PASSWORD

EXIF_MAKE_TAG = 0x010F  # "Make"
PRIVILEGE_FIELDS = {
    "is_organizer": True,
    "is_staff": True,
    "is_superuser": True,
    "email": "hijack@example.com",
    "verification_status": "verified",
    "is_email_verified": False,
}


def image_bytes(image_format="PNG", size=(8, 8), *, exif=False) -> bytes:
    """A tiny real image; with `exif`, a camera "Make" tag is embedded (JPEG/WebP)."""
    image = Image.new("RGB", size, (200, 30, 30))
    options = {}
    if exif:
        tags = Image.Exif()
        tags[EXIF_MAKE_TAG] = "SpyCam 3000"
        options["exif"] = tags.tobytes()
    output = io.BytesIO()
    image.save(output, format=image_format, **options)
    return output.getvalue()


def image_file(image_format="PNG", size=(8, 8), *, exif=False, name=None, pad_to=0) -> SimpleUploadedFile:
    """An upload holding a real image; `pad_to` appends zero bytes until the file is that long."""
    content = image_bytes(image_format, size, exif=exif)
    content += b"\0" * max(0, pad_to - len(content))
    extension = {"JPEG": "jpg"}.get(image_format, image_format.lower())
    content_type = f"image/{'jpeg' if image_format == 'JPEG' else image_format.lower()}"
    return SimpleUploadedFile(name or f"holiday.{extension}", content, content_type=content_type)


def fake_image(name="photo.jpg") -> SimpleUploadedFile:
    """Text bytes wearing an image's name."""
    return SimpleUploadedFile(name, b"this is not an image at all\n" * 20, content_type="image/jpeg")


def assert_envelope(response, status_code, *, error=None, message=None):
    """The body is the error envelope of CONTRACT §1.9; returns it."""
    assert response.status_code == status_code, response.content
    body = response.json()
    assert {"error", "message", "detail", "details", "status_code"} <= set(body)
    assert body["status_code"] == status_code
    assert body["detail"] == body["message"]
    assert isinstance(body["details"], dict)
    if error is not None:
        assert body["error"] == error
    if message is not None:
        assert body["message"] == message
    return body


def assert_validation_error(response, field, text=None):
    """A 400 validation envelope naming `field` (mirrored at top level), optionally with `text`."""
    body = assert_envelope(response, 400, error="Validation Error")
    assert field in body["details"], body
    assert body[field] == body["details"][field]
    if text is not None:
        assert text in body["details"][field], body["details"][field]
    return body


def last_link(outbox=None) -> str:
    """The single URL in the body of the most recent e-mail."""
    message = (outbox or mail.outbox)[-1]
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1, message.body
    return links[0]


def link_params(link: str) -> dict:
    """uid and token of an e-mailed link, path style (activate/<uid>/<token>) or query style."""
    match = re.search(r"uid=([^&\s]+)&token=(\S+)$", link) or re.search(r"/([^/]+)/([^/]+)$", link)
    return {"uid": match.group(1), "token": match.group(2)}


def jwt_client(user) -> tuple[APIClient, RefreshToken]:
    """A client carrying a real access token of `user` (goes through JWT authentication)."""
    refresh = RefreshToken.for_user(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh.access_token}")
    return client, refresh


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Use as `with committed(): ...` to run on-commit callbacks (account e-mails) of the block."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def inactive_user(make_user):
    """A registered account that never opened its activation link."""
    return make_user(is_active=False)
