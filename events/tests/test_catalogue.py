"""P1-P3: categories, browsing and past events (CONTRACT.md §4.1-§4.3)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from events.models import Category

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def titles(response):
    return [item["title"] for item in response.json()["results"]]


def test_categories_lists_active_ones_by_name_with_published_event_counts(api_client, make_event, music):
    Category.objects.filter(slug="other").update(is_active=False)
    make_event()
    make_event(days=-30)  # past events still count
    make_event(is_published=False)
    body = api_client.get("/api/v1/event-categories/").json()
    assert body["count"] == 7 == len(body["categories"])
    names = [category["name"] for category in body["categories"]]
    assert names == sorted(names) and "Other" not in names
    entry = next(category for category in body["categories"] if category["slug"] == "music")
    assert entry == {
        "id": music.id,
        "name": "Music",
        "slug": "music",
        "description": music.description,
        "icon": "FaMusic",
        "event_count": 2,
    }


def test_seeded_categories_carry_their_icons():
    icons = dict(Category.objects.values_list("slug", "icon"))
    assert icons == {
        "music": "FaMusic",
        "sports": "FaFootballBall",
        "arts-culture": "FaPaintBrush",
        "business-networking": "FaBriefcase",
        "food-drink": "FaUtensils",
        "comedy": "FaLaugh",
        "education-training": "FaGraduationCap",
        "other": "FaCalendarAlt",
    }


def test_browse_shows_published_upcoming_events_only(api_client, make_event):
    make_event(title="Upcoming Show")
    make_event(title="Draft Show", is_published=False)
    make_event(title="Old Show", days=-3)
    response = api_client.get(EVENTS)
    assert response.status_code == 200
    assert titles(response) == ["Upcoming Show"]
    assert response.json()["filters_applied"]["status"] == "upcoming"


def test_status_ongoing_and_all(api_client, make_event, time_machine):
    time_machine.move_to(timezone.make_aware(timezone.datetime(2030, 5, 10, 20, 0)))
    make_event(title="Tonight Show", start_date=timezone.localdate(), start_time=time(18, 0))
    make_event(title="Next Week Show", days=7)
    make_event(title="Last Week Show", days=-7)
    assert titles(api_client.get(EVENTS, {"status": "ongoing"})) == ["Tonight Show"]
    assert sorted(titles(api_client.get(EVENTS, {"status": "all"}))) == ["Next Week Show", "Tonight Show"]
    assert titles(api_client.get(EVENTS)) == ["Next Week Show"]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("status", "past"),
        ("status", "bogus"),
        ("ordering", "title"),
        ("date_from", "2026-13-01"),
        ("date_to", "tomorrow"),
        ("price_min", "cheap"),
        ("price_max", "1e"),
        ("category_id", "music"),
    ],
)
def test_malformed_filter_values_are_400_keyed_by_parameter(api_client, param, value):
    response = api_client.get(EVENTS, {param: value})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Validation Error"
    assert param in body["details"]
    assert body[param] == body["details"][param]


def test_filter_by_category_slug_id_and_alias(api_client, make_event, music):
    sports = Category.objects.get(slug="sports")
    make_event(title="Concert")
    make_event(title="Match", category=sports)
    assert titles(api_client.get(EVENTS, {"category": "sports"})) == ["Match"]
    assert titles(api_client.get(EVENTS, {"category": str(music.id)})) == ["Concert"]
    assert titles(api_client.get(EVENTS, {"category_id": sports.id})) == ["Match"]
    assert titles(api_client.get(EVENTS, {"category": "no-such-category"})) == []


@pytest.mark.parametrize(
    ("term", "expected"),
    [("JAZZ", ["Jazz Night"]), ("osu", ["Jazz Night"]), ("kumasi", ["Poetry Slam"]), ("spoken", ["Poetry Slam"])],
)
def test_search_matches_title_descriptions_venue_and_city(api_client, make_event, term, expected):
    make_event(title="Jazz Night", venue_name="Osu Castle Gardens", venue_city="Accra")
    make_event(
        title="Poetry Slam",
        venue_city="Kumasi",
        description="An evening of spoken word and open-mic poetry for every poetry lover in the city tonight.",
    )
    assert titles(api_client.get(EVENTS, {"search": term})) == expected


def test_city_is_a_case_insensitive_exact_match(api_client, make_event):
    make_event(title="In Accra", venue_city="Accra")
    make_event(title="In Accra New Town", venue_city="Accra New Town")
    assert titles(api_client.get(EVENTS, {"city": "aCCRA"})) == ["In Accra"]


def test_date_range_is_inclusive_on_start_date(api_client, make_event):
    today = timezone.localdate()
    for days in (5, 10, 15):
        make_event(title=f"Day {days}", days=days)
    params = {"date_from": (today + timedelta(days=5)).isoformat(), "date_to": (today + timedelta(days=10)).isoformat()}
    assert sorted(titles(api_client.get(EVENTS, params))) == ["Day 10", "Day 5"]


def test_price_range_needs_one_ticket_type_inside_it(api_client, make_event):
    make_event(title="Cheap", ticket_types=[{"price": 10}])
    make_event(title="Spread", ticket_types=[{"name": "A", "price": 5}, {"name": "B", "price": 500}])
    make_event(title="Mid", ticket_types=[{"price": 100}])
    make_event(title="Free", ticket_types=[{"price": 0}])
    assert titles(api_client.get(EVENTS, {"price_min": 50, "price_max": 200})) == ["Mid"]
    assert sorted(titles(api_client.get(EVENTS, {"price_min": 400}))) == ["Spread"]
    assert sorted(titles(api_client.get(EVENTS, {"price_max": 0}))) == ["Free"]
    body = api_client.get(EVENTS, {"price_min": "50", "price_max": "200"}).json()
    assert body["filters_applied"]["price_min"] == 50 and body["filters_applied"]["price_max"] == 200


def test_orderings(api_client, make_event, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    soon = make_event(title="Soon", days=2, ticket_types=[{"price": 80}])
    later = make_event(title="Later", days=20, ticket_types=[{"price": 10}])
    time_machine.shift(timedelta(minutes=5))
    middle = make_event(title="Middle", days=10, ticket_types=[{"price": 40}])
    expected = {
        None: [later, middle, soon],
        "-start_date": [later, middle, soon],
        "start_date": [soon, middle, later],
        "created_at": [soon, later, middle],
        "-created_at": [middle, later, soon],
        "price": [later, middle, soon],
        "-price": [soon, middle, later],
        "popularity": [soon, later, middle],  # no sales yet: ties broken by id
        "-popularity": [soon, later, middle],
    }
    for ordering, events in expected.items():
        params = {"ordering": ordering} if ordering else {}
        assert titles(api_client.get(EVENTS, params)) == [event.title for event in events], ordering


def test_filters_applied_reports_every_filter(api_client):
    body = api_client.get(EVENTS, {"search": "jazz", "city": "Accra", "ordering": "price"}).json()
    assert body["filters_applied"] == {
        "status": "upcoming",
        "category": None,
        "search": "jazz",
        "city": "Accra",
        "date_from": None,
        "date_to": None,
        "price_min": None,
        "price_max": None,
        "ordering": "price",
    }


def test_pagination_envelope_and_page_beyond_range(api_client, make_event):
    for number in range(7):
        make_event(title=f"Show {number}")
    body = api_client.get(EVENTS, {"page_size": 3, "page": 2, "city": "Accra"}).json()
    assert body["count"] == 7
    assert body["current_page"] == 2 and body["total_pages"] == 3 and body["page_size"] == 3
    assert len(body["results"]) == 3
    assert "city=Accra" in body["next"] and "page=3" in body["next"]
    assert "page_size=3" in body["previous"]
    response = api_client.get(EVENTS, {"page_size": 3, "page": 4})
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found" and response.json()["message"] == "Invalid page."


def test_empty_list_has_one_page_and_page_size_is_clamped_to_1000(api_client):
    body = api_client.get(EVENTS, {"page_size": 5000}).json()
    assert body["count"] == 0 and body["total_pages"] == 1 and body["page_size"] == 1000


def test_event_card_shape_with_money_as_numbers(api_client, make_event):
    make_event(ticket_types=[{"name": "A", "price": "52.50", "quantity": 10}, {"name": "B", "price": 0, "quantity": 5}])
    card = api_client.get(EVENTS).json()["results"][0]
    assert set(card) == {
        "id", "title", "slug", "organizer", "category", "short_description", "featured_image", "venue_name",
        "venue_city", "venue_country", "start_date", "end_date", "start_time", "end_time", "max_attendees",
        "tickets_sold", "tickets_available", "total_tickets", "lowest_price", "highest_price", "status",
        "is_recurring", "is_published", "created_at", "updated_at",
    }  # fmt: skip
    assert card["lowest_price"] == 0 and card["highest_price"] == 52.5
    assert isinstance(card["highest_price"], float)
    assert (card["total_tickets"], card["tickets_sold"], card["tickets_available"]) == (15, 0, 15)
    assert set(card["organizer"]) == {"id", "username", "full_name", "profile_image"}
    assert card["start_time"] == "19:00:00" and card["end_time"] == "23:59:59"
    assert card["end_date"] == card["start_date"]
    assert card["created_at"].endswith("Z")


def test_featured_image_is_an_absolute_url(api_client, make_event, image_file):
    make_event(featured_image=image_file("cover.png"))
    card = api_client.get(EVENTS).json()["results"][0]
    assert card["featured_image"].startswith("http://testserver/media/events/")


def test_past_events_most_recently_ended_first(api_client, make_event):
    make_event(title="Long Ago", days=-30)
    make_event(title="Yesterday", days=-1)
    make_event(title="Future", days=3)
    make_event(title="Hidden Past", days=-2, is_published=False)
    response = api_client.get("/api/v1/events/past/", {"status": "upcoming"})  # status is not a P3 parameter
    assert response.status_code == 200
    assert titles(response) == ["Yesterday", "Long Ago"]
    body = response.json()
    assert body["current_page"] == 1 and body["total_pages"] == 1
    assert body["results"][0]["status"] == "past"
    assert titles(api_client.get("/api/v1/events/past/", {"ordering": "start_date"})) == ["Long Ago", "Yesterday"]
    assert titles(api_client.get("/api/v1/events/past/", {"search": "ago"})) == ["Long Ago"]
