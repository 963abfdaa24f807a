"""/media/ as Django serves it (SERVE_MEDIA): images only, never sniffed, never run as a page."""

from pathlib import Path

import pytest
from django.conf import settings

from cafa.tests.hostile_images import SCRIPT, photo_bytes


def put(name: str, content: bytes) -> str:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return f"/media/{name}"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_locked_down(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.SERVE_MEDIA = True


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("events/a.jpg", "image/jpeg"), ("events/b.png", "image/png"), ("profiles/c.webp", "image/webp")],
)
def test_images_are_served_with_their_type_and_the_security_headers(client, name, content_type):
    url = put(name, photo_bytes(content_type.split("/")[1].upper()))

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert_locked_down(response)


@pytest.mark.parametrize("name", ["events/cover.html", "events/logo.svg", "events/page.htm", "notes.txt", "events/x"])
def test_a_non_image_file_is_not_served(client, name):
    url = put(name, b"<html><body>" + SCRIPT + b"</body></html>")

    response = client.get(url)

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("text/html")
    assert SCRIPT not in body(response)
    assert_locked_down(response)


def test_html_bytes_under_an_image_name_stay_an_image_the_browser_may_not_run(client):
    url = put("events/legacy.jpg", b"<html>" + SCRIPT + b"</html>")

    response = client.get(url)

    assert response["Content-Type"] == "image/jpeg"
    assert_locked_down(response)


def test_missing_files_and_images_outside_media_are_404(client):
    outside = Path(settings.MEDIA_ROOT).parent / "outside.png"
    outside.write_bytes(photo_bytes("PNG"))

    for url in ["/media/events/missing.png", "/media/../outside.png", "/media/%2e%2e/outside.png"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert_locked_down(response)


def test_nothing_is_served_when_serve_media_is_off(client, settings):
    url = put("events/a.png", photo_bytes("PNG"))
    settings.SERVE_MEDIA = False

    assert client.get(url).status_code == 404
