"""P4: the public event page (CONTRACT.md §4.4) and `{event}` routing (§1.1)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.models import Category, EventImage

pytestmark = pytest.mark.django_db

ACCRA = ZoneInfo("Africa/Accra")


def detail(client, lookup):
    return client.get(f"/api/v1/events/{lookup}/")


def test_found_by_slug_and_by_numeric_id(api_client, make_event):
    event = make_event()
    by_slug, by_id = detail(api_client, event.slug), detail(api_client, event.pk)
    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.json()["id"] == by_id.json()["id"] == event.pk


@pytest.mark.parametrize("lookup", ["no-such-event", "999999", "9" * 40])
def test_unknown_event_is_404_event_not_found(api_client, lookup):
    response = detail(api_client, lookup)
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "Event not found" and body["message"]


def test_unpublished_event_is_invisible(api_client, make_event):
    event = make_event(is_published=False)
    assert detail(api_client, event.slug).status_code == 404
    assert detail(api_client, event.pk).json()["error"] == "Event not found"


def test_literal_paths_win_over_slugs(api_client, make_event):
    event = make_event(title="Past")
    assert event.slug == "past-2"
    assert "results" in api_client.get("/api/v1/events/past/").json()
    assert detail(api_client, "past-2").json()["id"] == event.pk


def test_detail_shape(api_client, make_event, organizer, image_file):
    event = make_event(
        venue_address="12 Liberation Road",
        latitude="5.603717",
        longitude="-0.186964",
        is_recurring=True,
        recurrence_pattern={"frequency": "weekly", "interval": 1, "occurrences": 4},
        ticket_types=[
            {"name": "VIP", "price": 200, "quantity": 20},
            {"name": "Regular", "price": 50, "quantity": 100},
            {"name": "Early Bird", "price": 50, "quantity": 30},
        ],
    )
    EventImage.objects.create(event=event, image=image_file("one.png"), position=0)
    body = detail(api_client, event.slug).json()
    assert body["additional_images"][0].startswith("http://testserver/media/")
    assert body["venue"] == {
        "name": event.venue_name,
        "address": "12 Liberation Road",
        "city": "Accra",
        "country": "Ghana",
        "latitude": 5.603717,
        "longitude": -0.186964,
        "google_maps_url": "https://www.google.com/maps/search/?api=1&query=5.603717%2C-0.186964",
    }
    assert body["organizer"] == {
        "id": organizer.pk,
        "username": organizer.username,
        "email": organizer.email,
        "full_name": "Ama Mensah",
        "profile_image": None,
        "bio": "Accra events since 2015.",
        "events_organized": 1,
        "total_tickets_sold": 0,
        "member_since": organizer.date_joined.date().isoformat(),
    }
    assert body["timezone"] == "Africa/Accra" and body["check_in_policy"] == "single_entry"
    assert body["recurrence_info"] == {"frequency": "weekly", "interval": 1, "end_date": None, "total_occurrences": 4}
    assert [item["name"] for item in body["ticket_types"]] == ["Regular", "Early Bird", "VIP"]
    ticket_type = body["ticket_types"][0]
    assert set(ticket_type) == {
        "id", "name", "description", "price", "quantity", "tickets_sold", "tickets_remaining", "min_purchase",
        "max_purchase", "available_from", "available_until", "status", "is_available", "sold_out_at",
        "waitlist_open", "waiting_count",
    }  # fmt: skip
    assert ticket_type["waitlist_open"] is False and ticket_type["waiting_count"] == 0
    assert ticket_type["price"] == 50 and ticket_type["tickets_remaining"] == 100
    assert ticket_type["status"] == "active" and ticket_type["is_available"] is True
    page = f"http://localhost:5173/events/{event.slug}"
    assert set(body["share_urls"]) == {"facebook", "twitter", "whatsapp", "email"}
    assert all(page.replace(":", "%3A").replace("/", "%2F") in url for url in body["share_urls"].values())
    assert body["similar_events"] == []
    assert "checkin_public_key" not in body and "checkin_private_key" not in body


def test_maps_url_falls_back_to_venue_name_and_city(api_client, make_event):
    event = make_event(venue_name="National Theatre", venue_city="Accra")
    url = detail(api_client, event.slug).json()["venue"]["google_maps_url"]
    assert url == "https://www.google.com/maps/search/?api=1&query=National+Theatre%2C+Accra"


def test_similar_events_same_category_live_published_soonest_first(api_client, make_event):
    event = make_event(days=30)
    later, soon, soonest, fourth = (make_event(days=days) for days in (20, 5, 2, 25))
    make_event(days=-5)  # past
    make_event(days=3, is_published=False)
    make_event(days=1, category=Category.objects.get(slug="comedy"))
    similar = detail(api_client, event.slug).json()["similar_events"]
    assert [item["id"] for item in similar] == [soonest.pk, soon.pk, later.pk]
    assert set(similar[0]) == {"id", "title", "slug", "featured_image", "start_date", "venue_city", "lowest_price"}
    assert similar[0]["lowest_price"] == 50
    assert fourth.pk not in [item["id"] for item in similar]


def test_status_follows_accra_date_and_time(api_client, make_event, time_machine):
    day = timezone.localdate() + timedelta(days=3)
    event = make_event(start_date=day, start_time=time(18, 0), end_time=time(22, 0))
    time_machine.move_to(datetime.combine(day, time(17, 59), tzinfo=ACCRA))
    assert detail(api_client, event.slug).json()["status"] == "upcoming"
    time_machine.move_to(datetime.combine(day, time(18, 0), tzinfo=ACCRA))
    body = detail(api_client, event.slug).json()
    assert body["status"] == "ongoing"
    assert body["ticket_types"][0]["status"] == "expired" and body["ticket_types"][0]["is_available"] is False
    time_machine.move_to(datetime.combine(day, time(22, 0, 1), tzinfo=ACCRA))
    assert detail(api_client, event.slug).json()["status"] == "past"


def test_ticket_type_sale_window_statuses(api_client, make_event):
    now = timezone.now()
    event = make_event(
        ticket_types=[
            {"name": "Later", "available_from": now + timedelta(days=1)},
            {"name": "Closed", "available_until": now - timedelta(minutes=1)},
        ]
    )
    statuses = {item["name"]: item["status"] for item in detail(api_client, event.slug).json()["ticket_types"]}
    assert statuses == {"Later": "inactive", "Closed": "expired"}
