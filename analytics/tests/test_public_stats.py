"""§9.2 stats: the public landing-page figures, checked by hand, and their five-minute cache."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def test_public_stats(api_client, world, make_event, make_organizer, make_user):
    make_organizer(verified_at=datetime(2026, 3, 2, tzinfo=UTC))  # a second verified organizer, new this month
    make_organizer(verification_status="pending")  # not verified: not counted
    now_on = make_event(days=0, start_time=datetime(2026, 3, 15, 8, 0).time())  # ongoing right now

    response = api_client.get("/api/v1/public/stats/", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert data["overview"] == {
        "total_upcoming_events": 1,  # the hidden one is unpublished
        "total_tickets_sold": 3,
        "total_organizers": 2,
        "total_attendees_checked_in": 1,
        "total_events_published": 3,  # upcoming, past, ongoing
        "active_events_now": 1,
    }
    assert data["revenue"] == {"total_revenue": 150.0, "currency": "GHS"}
    upcoming = world["upcoming"]
    assert data["highlights"] == {
        "most_popular_event": {
            "id": upcoming.pk,
            "slug": upcoming.slug,
            "title": "Upcoming Gig",
            "tickets_sold": 2,
            "category": "Music",
        },
        "events_this_month": 2,  # the upcoming (20th) and the ongoing (15th) events
        "new_organizers_this_month": 1,
    }
    assert data["last_updated"] == "2026-03-15T12:00:00Z"
    assert now_on.status == "ongoing"


def test_public_stats_are_cached_for_five_minutes(api_client, make_event, sell, django_assert_num_queries, settings):
    # An in-process cache, so that moving the clock also expires entries (a Redis server keeps its own time).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    event = make_event()
    first = api_client.get("/api/v1/public/stats/").json()["data"]

    sell(event.ticket_types.get(), 2)
    with django_assert_num_queries(0):
        cached = api_client.get("/api/v1/public/stats/").json()["data"]
    assert cached == first and cached["overview"]["total_tickets_sold"] == 0

    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1), tick=False):
        fresh = api_client.get("/api/v1/public/stats/").json()["data"]
    assert fresh["overview"]["total_tickets_sold"] == 2
    assert fresh["highlights"]["most_popular_event"]["id"] == event.pk


def test_public_stats_without_data(api_client):
    data = api_client.get("/api/v1/public/stats/").json()["data"]
    assert data["highlights"]["most_popular_event"] is None
    assert data["revenue"]["total_revenue"] == 0
