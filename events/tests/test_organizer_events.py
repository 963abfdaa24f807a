"""O1-O5: creating, updating, deleting and listing an organizer's events (CONTRACT.md §5.1-§5.5)."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events.models import Category, Event, EventImage, TicketType

pytestmark = pytest.mark.django_db

CREATE = "/api/v1/events/create/"
MY_EVENTS = "/api/v1/events/my-events/"


def multipart(payload: dict) -> dict:
    """Encode a payload like the web client: JSON strings for nested values, strings for scalars."""
    form = {}
    for key, value in payload.items():
        if isinstance(value, list | dict):
            form[key] = json.dumps(value)
        elif isinstance(value, bool):
            form[key] = "true" if value else "false"
        else:
            form[key] = value
    return form


# --- O1 create --------------------------------------------------------------------------------


def test_create_from_json(organizer_client, event_payload, organizer):
    response = organizer_client.post(CREATE, event_payload(), format="json")
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    body = response.json()
    event = Event.objects.get()
    assert body == {
        "success": True,
        "message": "Event created successfully",
        "id": event.pk,
        "slug": "highlife-under-the-stars",
        "data": {
            "id": event.pk,
            "title": "Highlife Under The Stars",
            "slug": "highlife-under-the-stars",
            "is_published": True,
            "created_at": body["data"]["created_at"],
            "ticket_types_created": 1,
        },
    }
    assert event.organizer == organizer and event.venue_country == "Ghana" and not event.featured_image
    assert (event.end_date, str(event.end_time)) == (event.start_date, "23:59:59")
    assert event.checkin_public_key and event.checkin_private_key
    ticket_type = event.ticket_types.get()
    assert (ticket_type.min_purchase, ticket_type.max_purchase) == (1, 10)
    assert ticket_type.available_until == event.starts_at


def test_create_from_multipart_with_images_and_string_booleans(
    organizer_client, event_payload, image_file, verified_profile
):
    payload = event_payload(
        category_slug="",
        category_id=Category.objects.get(slug="comedy").pk,
        is_published="0",
        is_recurring="on",
        recurrence_pattern={"frequency": "weekly", "interval": 2, "occurrences": 6, "days_of_week": [5]},
        payment_profile_id=str(verified_profile.pk),
        venue_latitude="5.6037168",
        venue_longitude="-0.1869644",
        ticket_types=[
            {"name": "Regular", "price": "50", "quantity": 100},
            {"name": "VIP", "price": 150.5, "quantity": 20, "min_purchase": 2, "max_purchase": 4},
        ],
    )
    data = multipart(payload)
    data["featured_image"] = image_file("cover.jpg", "JPEG")
    data["additional_images"] = [image_file("a.png"), image_file("b.webp", "WEBP")]
    response = organizer_client.post(CREATE, data, format="multipart")
    assert response.status_code == 201, response.json()
    event = Event.objects.get()
    assert event.category.slug == "comedy" and event.is_published is False and event.is_recurring is True
    assert event.recurrence_pattern == {"frequency": "weekly", "interval": 2, "occurrences": 6, "days_of_week": [5]}
    assert str(event.latitude) == "5.603717" and event.payment_profile == verified_profile
    assert event.featured_image.name.startswith("events/") and event.images.count() == 2
    vip = event.ticket_types.get(name="VIP")
    assert (vip.price, vip.min_purchase, vip.max_purchase) == (150.5, 2, 4)


@pytest.mark.parametrize(
    ("status", "error_code", "action"),
    [
        ("not_started", "NOT_VERIFIED_ORGANIZER", "upload_id"),
        ("id_uploaded", "NOT_VERIFIED_ORGANIZER", "upload_selfie"),
        ("pending", "VERIFICATION_PENDING", "wait_for_review"),
        ("rejected", "VERIFICATION_REJECTED", "retry_verification"),
    ],
)
def test_unverified_users_get_the_verification_payload(
    make_user, client_for, event_payload, status, error_code, action
):
    client = client_for(make_user(verification_status=status))
    response = client.post(CREATE, event_payload(), format="json")
    assert response.status_code == 403
    body = response.json()
    assert body["success"] is False and body["error"] == "Organizer verification required" and body["message"]
    assert body["error_code"] == error_code
    assert body["data"]["verification_status"] == status and body["data"]["is_organizer"] is False
    steps = body["data"]["next_steps"]
    assert steps["action"] == action and steps["endpoint"].startswith("/api/v1/auth/verification/")
    assert set(steps) == {"action", "endpoint", "method", "description"}
    assert not Event.objects.exists()


def test_anonymous_create_is_401(api_client, event_payload):
    response = api_client.post(CREATE, event_payload(), format="json")
    assert response.status_code == 401 and response.json()["error"] == "Authentication Failed"


def test_half_invalid_create_stores_nothing(organizer_client, event_payload):
    payload = event_payload(
        ticket_types=[{"name": "Regular", "price": 0, "quantity": 10}, {"name": "VIP", "price": "0.50", "quantity": 5}]
    )
    response = organizer_client.post(CREATE, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["details"]["ticket_types"] == ["Ticket type 2: price: Price must be 0 (free) or at least 1.00."]
    assert body["ticket_types"] == body["details"]["ticket_types"]
    assert body["message"].startswith("ticket_types: Ticket type 2: price:")
    assert not Event.objects.exists() and not TicketType.objects.exists()


def test_failure_after_the_event_row_rolls_everything_back(organizer_client, event_payload, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TicketType.objects, "bulk_create", explode)
    organizer_client.raise_request_exception = False
    response = organizer_client.post(CREATE, event_payload(), format="json")
    assert response.status_code == 500
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ticket_types": "[{oops"}, "ticket_types", "Invalid JSON."),
        ({"ticket_types": []}, "ticket_types", "Send a list of 1 to 10 ticket types."),
        (
            {"ticket_types": [{"name": "A", "price": 0, "quantity": 200}, {"name": "B", "price": 0, "quantity": 101}]},
            "ticket_types",
            "Total ticket quantity (301) exceeds max_attendees (300).",
        ),
        (
            {"ticket_types": [{"name": "VIP", "price": 0, "quantity": 1}, {"name": "vip", "price": 0, "quantity": 1}]},
            "ticket_types",
            "Ticket type 2: name: Ticket type names must be unique within an event.",
        ),
        ({"ticket_types": [{"name": "A", "price": 10, "quantity": 5}]}, "payment_profile_id", None),
        ({"category_slug": "nope"}, "category_slug", "Select an active category."),
        ({"category_slug": None, "category_id": 9999}, "category_id", "Select an active category."),
        ({"title": "Hey"}, "title", None),
        ({"start_date": "2020-01-01"}, "start_date", "Start date cannot be in the past."),
        ({"end_time": "10:00"}, "end_time", "The event must end after it starts."),
        ({"is_recurring": True, "recurrence_pattern": "[object Object]"}, "recurrence_pattern", None),
        ({"venue_latitude": 95}, "venue_latitude", None),
        ({"max_attendees": 0}, "max_attendees", None),
    ],
)
def test_create_validation(organizer_client, event_payload, overrides, field, message):
    response = organizer_client.post(CREATE, event_payload(**overrides), format="json")
    assert response.status_code == 400, response.json()
    details = response.json()["details"]
    assert field in details
    if message:
        assert message in details[field]
    assert not Event.objects.exists()


def test_recurrence_pattern_is_ignored_when_not_recurring(organizer_client, event_payload):
    response = organizer_client.post(CREATE, event_payload(recurrence_pattern="[object Object]"), format="json")
    assert response.status_code == 201
    assert Event.objects.get().recurrence_pattern is None


def test_payment_profile_must_be_own_and_verified(organizer_client, event_payload, make_profile, organizer, make_user):
    paid = [{"name": "Paid", "price": 20, "quantity": 5}]
    for profile in (make_profile(make_user()), make_profile(organizer, status="pending")):
        response = organizer_client.post(
            CREATE, event_payload(ticket_types=paid, payment_profile_id=str(profile.pk)), format="json"
        )
        assert response.status_code == 400
        assert "payment_profile_id" in response.json()["details"]
    assert not Event.objects.exists()


def test_fake_image_is_refused_on_its_field(organizer_client, event_payload):
    data = multipart(event_payload())
    data["featured_image"] = SimpleUploadedFile("cover.jpg", b"this is just text", content_type="image/jpeg")
    response = organizer_client.post(CREATE, data, format="multipart")
    assert response.status_code == 400
    assert response.json()["details"]["featured_image"] == ["Upload a valid image (JPEG, PNG or WebP)."]
    assert not Event.objects.exists()


def test_gif_and_oversized_images_are_refused(organizer_client, event_payload, image_file, settings):
    data = multipart(event_payload())
    data["featured_image"] = image_file("cover.gif", "GIF")
    assert "featured_image" in organizer_client.post(CREATE, data, format="multipart").json()["details"]
    data["featured_image"] = image_file("ok.png")
    data["additional_images"] = [image_file("big.png")]
    settings.EVENT_IMAGE_MAX_BYTES = len(data["featured_image"].read())
    data["featured_image"].seek(0)
    data["additional_images"][0] = SimpleUploadedFile("big.png", data["featured_image"].read() + b"\0")
    data["featured_image"].seek(0)
    response = organizer_client.post(CREATE, data, format="multipart")
    assert response.status_code == 400
    assert "Images must be at most" in response.json()["details"]["additional_images"][0]
    assert not Event.objects.exists()


def test_multipart_requires_a_featured_image_and_at_most_10_additional(organizer_client, event_payload, image_file):
    data = multipart(event_payload())
    response = organizer_client.post(CREATE, data, format="multipart")
    assert response.json()["details"]["featured_image"] == ["A featured image is required."]
    data["featured_image"] = image_file()
    data["additional_images"] = [image_file(f"{n}.png") for n in range(11)]
    response = organizer_client.post(CREATE, data, format="multipart")
    assert response.status_code == 400 and "additional_images" in response.json()["details"]
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("title", "slug"),
    [("2026", "event-2026"), ("Create", "create-2"), ("My Events", "my-events-2"), ("!!!", "event")],
)
def test_slugs_are_never_numeric_nor_reserved(organizer_client, event_payload, title, slug):
    response = organizer_client.post(CREATE, event_payload(title=title.ljust(5, "!")), format="json")
    assert response.json()["slug"] == slug


def test_slug_collisions_get_numbered_suffixes(organizer_client, event_payload):
    slugs = [organizer_client.post(CREATE, event_payload(), format="json").json()["slug"] for _ in range(3)]
    assert slugs == ["highlife-under-the-stars", "highlife-under-the-stars-2", "highlife-under-the-stars-3"]


# --- O2 update --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/events/{}/update/", "/api/v1/events/my-events/{}/edit/"])
def test_update_is_partial_keeps_slug_and_ignores_ticket_types(organizer_client, make_event, path):
    event = make_event(title="Original Title")
    response = organizer_client.patch(
        path.format(event.slug), {"title": "A Brand New Title", "ticket_types": "[]"}, format="json"
    )
    assert organizer_client.patch(path.format(event.pk), {"ticket_types": "not json"}, format="json").status_code == 200
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["success"] is True and body["message"] == "Event updated successfully"
    assert body["slug"] == event.slug and body["event"]["title"] == "A Brand New Title"
    assert body["event"]["slug"] == event.slug and len(body["event"]["ticket_types"]) == 1
    assert TicketType.objects.filter(event=event).count() == 1


def test_update_multipart_with_put_replaces_featured_and_manages_additional_images(
    organizer_client, make_event, image_file
):
    event = make_event(featured_image=image_file("old.png"))
    keep = EventImage.objects.create(event=event, image=image_file("keep.png"), position=0)
    drop = EventImage.objects.create(event=event, image=image_file("drop.png"), position=1)
    drop_url = f"http://testserver{drop.image.url}"
    data = {
        "featured_image": image_file("new.png"),
        "additional_images": [image_file("added.png"), "http://testserver/media/ignored.png"],
        "remove_additional_images": json.dumps([drop_url]),
        "is_published": "false",
        "ticket_types": "[]",
    }
    response = organizer_client.put(f"/api/v1/events/{event.pk}/update/", data, format="multipart")
    assert response.status_code == 200, response.json()
    event.refresh_from_db()
    assert event.is_published is False and "old" not in event.featured_image.name
    remaining = list(event.images.values_list("pk", flat=True))
    assert len(remaining) == 2 and remaining[0] == keep.pk
    assert drop_url not in response.json()["event"]["additional_images"]


def test_update_string_image_value_is_ignored(organizer_client, make_event, image_file):
    event = make_event(featured_image=image_file("cover.png"))
    name = event.featured_image.name
    response = organizer_client.patch(
        f"/api/v1/events/{event.slug}/update/", {"featured_image": "http://x/y.png"}, format="multipart"
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.featured_image.name == name


def test_update_refused_once_started(organizer_client, make_event):
    event = make_event(days=-1)
    response = organizer_client.patch(f"/api/v1/events/{event.slug}/update/", {"title": "Too late now"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Cannot update event"
    assert body["message"] == "This event has already started and can no longer be edited."


def test_update_rules(organizer_client, make_event):
    event = make_event(ticket_types=[{"quantity": 100, "price": 20}])
    url = f"/api/v1/events/{event.slug}/update/"
    assert "max_attendees" in organizer_client.patch(url, {"max_attendees": 99}, format="json").json()["details"]
    assert "start_date" in organizer_client.patch(url, {"start_date": "2020-01-01"}, format="json").json()["details"]
    response = organizer_client.patch(url, {"payment_profile_id": None}, format="json")
    assert "payment_profile_id" in response.json()["details"]
    assert organizer_client.patch(url, {"max_attendees": 100}, format="json").status_code == 200


# --- O3 delete --------------------------------------------------------------------------------


def test_delete_upcoming_event(organizer_client, make_event):
    event = make_event()
    response = organizer_client.delete(f"/api/v1/events/{event.slug}/delete/")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Event deleted successfully"}
    assert not Event.objects.filter(pk=event.pk).exists()


def test_delete_refused_once_started(organizer_client, make_event):
    event = make_event(days=-2)
    response = organizer_client.delete(f"/api/v1/events/{event.pk}/delete/")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Cannot delete event" and body["suggestion"].startswith("Unpublish the event")
    assert Event.objects.filter(pk=event.pk).exists()


def test_delete_refused_when_tickets_were_sold(organizer_client, make_event, monkeypatch):
    from events import selectors

    event = make_event()
    monkeypatch.setattr(selectors, "event_ticket_activity", lambda e: {"tickets_sold": 3, "tickets_reserved": 0})
    body = organizer_client.delete(f"/api/v1/events/{event.pk}/delete/").json()
    assert body["error"] == "Cannot delete event" and body["tickets_sold"] == 3


# --- O4 / O5 ----------------------------------------------------------------------------------


def test_my_events_lists_own_published_events_with_summary(organizer_client, make_event, make_user, make_organizer):
    mine = make_event(title="Mine Upcoming")
    make_event(title="Mine Past", days=-3)
    make_event(title="Mine Draft", is_published=False)
    make_event(title="Not Mine", organizer=make_organizer())
    body = organizer_client.get(MY_EVENTS).json()
    assert [item["title"] for item in body["results"]] == ["Mine Upcoming", "Mine Past"]
    assert body["summary"] == {
        "total_events": 3,
        "upcoming_events": 2,
        "ongoing_events": 0,
        "past_events": 1,
        "total_revenue": 0,
        "total_tickets_sold": 0,
    }
    item = body["results"][0]
    assert item["id"] == mine.pk and item["organizer"]["id"] == mine.organizer_id
    assert item["analytics"] == {
        "total_tickets": 100,
        "tickets_sold": 0,
        "tickets_remaining": 100,
        "tickets_checked_in": 0,
        "sales_percentage": 0,
        "gross_revenue": 0,
        "net_revenue": 0,
        "platform_fee": 0,
        "page_views": 0,
        "unique_visitors": 0,
        "conversion_rate": 0,
        "last_sale_date": None,
    }
    ticket_type = item["ticket_types"][0]
    assert {"tickets_reserved", "revenue", "sales_percentage"} <= set(ticket_type)
    assert isinstance(ticket_type["id"], int) and isinstance(ticket_type["max_purchase"], int)


def test_my_events_filters_and_sorting(organizer_client, make_event):
    comedy = Category.objects.get(slug="comedy")
    make_event(title="Alpha Show", days=5)
    make_event(title="Beta Show", days=15, category=comedy, venue_city="Kumasi")
    make_event(title="Gamma Draft", days=25, is_published=False)
    make_event(title="Delta Past", days=-5)

    def listed(**params):
        response = organizer_client.get(MY_EVENTS, params)
        assert response.status_code == 200, response.json()
        return [item["title"] for item in response.json()["results"]]

    assert listed() == ["Beta Show", "Alpha Show", "Delta Past"]
    assert listed(status="past") == ["Delta Past"]
    assert listed(status="upcoming", sort_by="start_date") == ["Alpha Show", "Beta Show"]
    assert listed(is_published="false") == ["Gamma Draft"]
    assert listed(is_published="all", ordering="start_date") == ["Delta Past", "Alpha Show", "Beta Show", "Gamma Draft"]
    assert listed(category="comedy") == ["Beta Show"]
    assert listed(search="kumasi") == ["Beta Show"]
    assert listed(sort_by="-tickets_sold") == ["Delta Past", "Beta Show", "Alpha Show"]  # no sales: id breaks ties
    assert listed(sort_by="revenue") == ["Alpha Show", "Beta Show", "Delta Past"]
    assert organizer_client.get(MY_EVENTS, {"status": "soon"}).status_code == 400
    assert organizer_client.get(MY_EVENTS, {"sort_by": "title"}).json()["details"]["sort_by"]


def test_my_events_of_a_non_organizer_is_empty(auth_client):
    body = auth_client.get(MY_EVENTS).json()
    assert body["count"] == 0 and body["results"] == [] and body["summary"]["total_events"] == 0


def test_my_event_detail(organizer_client, make_event, verified_profile):
    event = make_event(is_published=False, payment_profile=verified_profile, latitude="5.6", longitude="-0.18")
    response = organizer_client.get(f"/api/v1/events/my-events/{event.slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == event.slug and body["checkin_public_key"] == event.checkin_public_key
    assert len(body["checkin_public_key"]) == 43 and "checkin_private_key" not in body
    assert body["payment_profile"] == {
        "id": str(verified_profile.pk),
        "name": verified_profile.name,
        "method": "mobile_money",
        "status": "verified",
        "is_default": True,
    }
    assert body["venue_location"] == {"latitude": 5.6, "longitude": -0.18}
    assert body["organizer"]["email"] == event.organizer.email and "phone" in body["organizer"]
    assert body["additional_images"] == [] and body["recurrence_pattern"] is None
    assert {"analytics", "share_urls", "ticket_types", "description", "venue_address", "timezone"} <= set(body)


def test_every_organizer_endpoint_is_404_for_other_users_events(make_event, make_organizer, client_for):
    event = make_event()
    ticket_type = event.ticket_types.get()
    stranger = client_for(make_organizer())
    calls = [
        ("get", f"/api/v1/events/my-events/{event.slug}/"),
        ("patch", f"/api/v1/events/{event.slug}/update/"),
        ("put", f"/api/v1/events/my-events/{event.pk}/edit/"),
        ("delete", f"/api/v1/events/{event.slug}/delete/"),
        ("post", f"/api/v1/events/{event.slug}/tickets/"),
        ("post", f"/api/v1/events/{event.slug}/tickets/create/"),
        ("patch", f"/api/v1/events/{event.slug}/tickets/{ticket_type.pk}/"),
        ("put", f"/api/v1/events/{event.slug}/tickets/{ticket_type.pk}/edit/"),
        ("delete", f"/api/v1/events/{event.slug}/tickets/{ticket_type.pk}/delete/"),
        ("delete", f"/api/v1/events/{event.slug}/tickets/{ticket_type.pk}/"),
    ]
    for method, url in calls:
        response = getattr(stranger, method)(url, {"title": "Stolen event title"}, format="json")
        assert response.status_code == 404, url
        assert response.json()["error"] == "Event not found", url
    assert Event.objects.get(pk=event.pk).title == event.title and TicketType.objects.filter(pk=ticket_type.pk).exists()


def test_event_created_today_later_is_accepted(organizer_client, event_payload, time_machine):
    time_machine.move_to(timezone.now().replace(hour=8, minute=0), tick=False)
    today = timezone.localdate().isoformat()
    response = organizer_client.post(CREATE, event_payload(start_date=today, start_time="20:00"), format="json")
    assert response.status_code == 201
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = organizer_client.post(CREATE, event_payload(start_date=today, end_date=later), format="json")
    assert response.status_code == 201
