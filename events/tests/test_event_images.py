"""Event images on every write path (O1, O2 web and mobile paths, the admin): cleaned, served safely."""

import io
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.core.files.storage import default_storage
from django.test import RequestFactory
from PIL import Image

from cafa.images import CleanImageFormField
from cafa.tests.hostile_images import SCRIPT, decompression_bomb, gps_of, gps_photo, polyglot
from events.admin import EventAdmin, EventImageInline
from events.models import Event, EventImage

pytestmark = pytest.mark.django_db

CREATE = "/api/v1/events/create/"
CLEAN_NAME = re.compile(r"^events/[0-9a-f]{32}\.(jpg|png|webp)$")
UPDATE_PATHS = ["/api/v1/events/{slug}/update/", "/api/v1/events/my-events/{pk}/edit/"]  # web, mobile


def stored(file) -> bytes:
    with open(file.path, "rb") as handle:
        return handle.read()


def stored_event_files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "events"
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def create_form(event_payload, **files) -> dict:
    payload = event_payload()
    form = {key: json.dumps(value) if isinstance(value, list | dict) else value for key, value in payload.items()}
    return {**form, **files}


def assert_clean(file, image_format="JPEG"):
    assert CLEAN_NAME.match(file.name), file.name
    content = stored(file)
    assert SCRIPT not in content and b"SpyCam" not in content
    assert Image.open(io.BytesIO(content)).format == image_format
    assert gps_of(content) == {}


# --- the stored XSS ---------------------------------------------------------------------------


def test_a_script_tailed_jpeg_named_html_is_stored_as_a_clean_jpg_and_served_as_an_image(
    organizer_client, event_payload
):
    data = create_form(
        event_payload,
        featured_image=polyglot("cover.html"),
        additional_images=[polyglot("gallery.svg", "PNG"), gps_photo("where-i-live.jpg")],
    )

    response = organizer_client.post(CREATE, data, format="multipart")

    assert response.status_code == 201, response.json()
    event = Event.objects.get()
    assert_clean(event.featured_image)
    extra = [image.image for image in event.images.order_by("position")]
    assert_clean(extra[0], "PNG")
    assert_clean(extra[1])

    served = organizer_client.get(event.featured_image.url)
    assert served["Content-Type"] == "image/jpeg" and served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


@pytest.mark.parametrize("path", UPDATE_PATHS, ids=["web", "mobile"])
def test_updates_clean_new_featured_and_additional_images(organizer_client, make_event, image_file, path):
    event = make_event(featured_image=image_file("old.png"))
    data = {"featured_image": polyglot("new.html"), "additional_images": [gps_photo("extra.jpeg.html")]}

    response = organizer_client.patch(path.format(slug=event.slug, pk=event.pk), data, format="multipart")

    assert response.status_code == 200, response.json()
    event.refresh_from_db()
    assert_clean(event.featured_image)
    assert_clean(event.images.get().image)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_with_a_400_and_nothing_is_stored(organizer_client, event_payload):
    response = organizer_client.post(
        CREATE, create_form(event_payload, featured_image=decompression_bomb()), format="multipart"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Validation Error"
    assert body["details"]["featured_image"] == ["Images may have at most 40 megapixels."]
    assert not Event.objects.exists() and stored_event_files() == []


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("path", UPDATE_PATHS, ids=["web", "mobile"])
def test_a_bomb_among_additional_images_changes_nothing(organizer_client, make_event, image_file, path):
    event = make_event(featured_image=image_file("old.png"), title="Accra Live Night Bomb")
    before = stored_event_files()
    data = {"title": "Renamed By A Bomb", "additional_images": [image_file("fine.png"), decompression_bomb()]}

    response = organizer_client.patch(path.format(slug=event.slug, pk=event.pk), data, format="multipart")

    assert response.status_code == 400
    assert "megapixels" in response.json()["details"]["additional_images"][0]
    event.refresh_from_db()
    assert event.title == "Accra Live Night Bomb" and not event.images.exists()
    assert stored_event_files() == before


# --- the admin ------------------------------------------------------------------------------


def test_admin_image_fields_use_the_shared_cleaner(make_user):
    request = RequestFactory().get("/admin/")
    request.user = make_user(is_staff=True, is_superuser=True)
    event_form = EventAdmin(Event, site).get_form(request)
    inline_form = EventImageInline(Event, site).get_formset(request).form

    for field in (event_form.base_fields["featured_image"], inline_form.base_fields["image"]):
        assert isinstance(field, CleanImageFormField)
        cleaned = field.clean(polyglot("cover.html"))
        assert cleaned.name.endswith(".jpg") and SCRIPT not in cleaned.read()


def test_an_admin_upload_is_stored_clean(client, make_user, make_event):
    event = make_event(ticket_types=[])
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = f"/admin/events/event/{event.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(admin_dates(event), category=event.category_id, organizer=event.organizer_id)
    for prefix in ("ticket_types", "images"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data["featured_image"] = polyglot("cover.html")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert_clean(event.featured_image)


def admin_dates(event) -> dict:
    return {
        "start_date": event.start_date.isoformat(),
        "start_time": event.start_time.strftime("%H:%M:%S"),
        "end_date": event.end_date.isoformat() if event.end_date else "",
        "end_time": event.end_time.strftime("%H:%M:%S") if event.end_time else "",
    }


# --- files shared by several rows (the demo picture) -----------------------------------------


@pytest.fixture
def shared_picture(image_file):
    """The name of one stored picture that several rows point at, as seed_demo's events do."""
    return default_storage.save("events/demo/featured.png", image_file("shared.png"))


@pytest.mark.parametrize("other_field", ["featured_image", "gallery image"])
def test_deleting_an_event_keeps_a_picture_other_events_show(
    organizer_client, make_event, shared_picture, django_capture_on_commit_callbacks, other_field
):
    deleted = make_event(featured_image=shared_picture)
    if other_field == "featured_image":
        kept = make_event(featured_image=shared_picture).featured_image
    else:
        kept = EventImage.objects.create(event=make_event(), image=shared_picture, position=0).image

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.delete(f"/api/v1/events/{deleted.slug}/delete/")

    assert response.status_code == 200
    assert not Event.objects.filter(pk=deleted.pk).exists()
    assert os.path.exists(kept.path)
    assert organizer_client.get(kept.url).status_code == 200


def test_replacing_or_removing_a_shared_picture_keeps_it_for_the_others(
    organizer_client, make_event, shared_picture, image_file, django_capture_on_commit_callbacks
):
    changed, kept = make_event(featured_image=shared_picture), make_event(featured_image=shared_picture)
    gallery = EventImage.objects.create(event=changed, image=shared_picture, position=0)
    data = {"featured_image": image_file("new.png"), "remove_additional_images": json.dumps([gallery.image.name])}

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.patch(f"/api/v1/events/{changed.slug}/update/", data, format="multipart")

    assert response.status_code == 200, response.json()
    changed.refresh_from_db()
    assert changed.featured_image.name != shared_picture and not changed.images.exists()
    assert os.path.exists(kept.featured_image.path)


def test_a_picture_only_the_deleted_event_used_is_removed(
    organizer_client, make_event, shared_picture, image_file, django_capture_on_commit_callbacks
):
    event = make_event(featured_image=image_file("own.png"))
    gallery = EventImage.objects.create(event=event, image=image_file("own-extra.png"), position=0)
    other = make_event(featured_image=shared_picture)
    own_files = [event.featured_image.path, gallery.image.path]

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.delete(f"/api/v1/events/{event.slug}/delete/")

    assert not any(os.path.exists(path) for path in own_files)
    assert os.path.exists(other.featured_image.path)


def test_a_replaced_picture_only_this_event_used_is_removed(
    organizer_client, make_event, image_file, django_capture_on_commit_callbacks
):
    event = make_event(featured_image=image_file("own.png"))
    old_path = event.featured_image.path

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.patch(
            f"/api/v1/events/{event.slug}/update/", {"featured_image": image_file("new.png")}, format="multipart"
        )

    assert not os.path.exists(old_path)
