"""Page views and unique visitors are buffered in the cache and flushed in bulk (CONTRACT.md §4.4)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from events import services, tasks

pytestmark = pytest.mark.django_db


def visit(client, event, **headers):
    response = client.get(f"/api/v1/events/{event.slug}/", **headers)
    assert response.status_code == 200
    return response


def counts(event):
    event.refresh_from_db()
    return event.page_views, event.unique_visitors


def test_a_page_hit_writes_nothing_to_the_database(api_client, make_event):
    event = make_event()
    with CaptureQueriesContext(connection) as queries:
        visit(api_client, event)
    assert not [q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert counts(event) == (0, 0)


def test_flush_adds_views_and_unique_visitors(make_event, make_user):
    event, other = make_event(), make_event()
    anonymous = APIClient()
    for _ in range(3):
        visit(anonymous, event, HTTP_USER_AGENT="Firefox")
    visit(anonymous, event, HTTP_USER_AGENT="Safari")  # same address, other browser: another visitor
    member = APIClient()
    member.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(make_user())}")
    visit(member, event, REMOTE_ADDR="10.0.0.1")
    visit(member, event, REMOTE_ADDR="10.0.0.2")  # same user from elsewhere: same visitor
    assert services.flush_event_view_counts() == 1
    assert counts(event) == (6, 3)
    assert counts(other) == (0, 0)
    assert services.flush_event_view_counts() == 0  # nothing buffered any more
    assert counts(event) == (6, 3)


def test_a_visitor_counts_again_the_next_day(api_client, make_event, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    event = make_event()
    visit(api_client, event)
    visit(api_client, event)
    time_machine.shift(timedelta(days=1))
    visit(api_client, event)
    tasks.flush_event_view_counts.delay()
    assert counts(event) == (3, 2)


def test_views_buffered_after_a_flush_wait_for_the_next(api_client, make_event):
    event = make_event()
    visit(api_client, event)
    services.flush_event_view_counts()
    visit(api_client, event)
    visit(api_client, event)
    services.flush_event_view_counts()
    assert counts(event) == (3, 1)


# --- what the organizer sees does not wait for the flush -------------------------------------------


def organizer_figures(client, event) -> dict:
    """`{where: (page_views, unique_visitors)}` on every organizer answer that shows them."""
    answers = {
        "C1": client.get(f"/api/v1/events/{event.slug}/analytics/").json()["traffic"],
        "C1 web": client.get(f"/api/v1/events/my-events/{event.slug}/analytics/").json()["traffic"],
        "O5": client.get(f"/api/v1/events/my-events/{event.slug}/").json()["analytics"],
        "O4": client.get("/api/v1/events/my-events/").json()["results"][0]["analytics"],
    }
    return {where: (body["page_views"], body["unique_visitors"]) for where, body in answers.items()}


def test_the_organizer_sees_views_before_any_flush_and_never_twice(api_client, make_event, organizer_client):
    event = make_event()
    visit(api_client, event, HTTP_USER_AGENT="Firefox")
    visit(api_client, event, HTTP_USER_AGENT="Firefox")
    visit(api_client, event, HTTP_USER_AGENT="Safari")

    assert set(organizer_figures(organizer_client, event).values()) == {(3, 2)}
    assert counts(event) == (0, 0)  # nothing flushed: the figures include the buffer

    services.flush_event_view_counts()
    assert set(organizer_figures(organizer_client, event).values()) == {(3, 2)}

    visit(api_client, event, HTTP_USER_AGENT="Safari")
    assert set(organizer_figures(organizer_client, event).values()) == {(4, 2)}


def test_conversion_rate_uses_the_current_visitors(api_client, make_event, organizer_client):
    event = make_event()
    visit(api_client, event)
    traffic = organizer_client.get(f"/api/v1/events/{event.slug}/analytics/").json()["traffic"]
    assert traffic == {"page_views": 1, "unique_visitors": 1, "conversion_rate": 0}


def test_each_listed_event_shows_its_own_buffered_views(api_client, make_event, organizer_client):
    busy, quiet = make_event(days=10), make_event(days=20)
    for agent in ("a", "b"):
        visit(api_client, busy, HTTP_USER_AGENT=agent)
    visit(api_client, quiet)
    services.flush_event_view_counts()
    visit(api_client, busy, HTTP_USER_AGENT="c")
    results = organizer_client.get("/api/v1/events/my-events/").json()["results"]
    shown = {item["slug"]: (item["analytics"]["page_views"], item["analytics"]["unique_visitors"]) for item in results}
    assert shown == {busy.slug: (3, 3), quiet.slug: (1, 1)}


def test_the_admin_shows_current_counts(client, api_client, make_event, make_user):
    event = make_event()
    visit(api_client, event)
    visit(api_client, event)
    client.force_login(make_user(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert re.search(r'Page views:</label>\s*<div class="readonly">2</div>', page)
    assert re.search(r'Unique visitors:</label>\s*<div class="readonly">1</div>', page)
