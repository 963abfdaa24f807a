"""A bare `available_until` date on the event's last day means "until the event ends" (CONTRACT.md §5.1).

The mobile app sends the event's end date as `available_until`; read as 23:59:59 it fell after an
event ending at 23:00 and the whole create-event call was refused. Every path that takes ticket
types clamps it; a window that really ends after the event is still refused.
"""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.models import Event, TicketType

pytestmark = pytest.mark.django_db

ACCRA = ZoneInfo("Africa/Accra")
CREATE = "/api/v1/events/create/"
AFTER_THE_EVENT = "available_until cannot be after the event ends."


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=10)


def ends_at(day, hour=23) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ACCRA)


@pytest.fixture
def mobile_event(event_payload, day):
    """An O1 body as the mobile app sends it: the event ends at 23:00, its tickets on sale until its end date."""

    def make(until, **overrides):
        return event_payload(
            start_date=day.isoformat(),
            start_time="19:00",
            end_date=day.isoformat(),
            end_time="23:00",
            ticket_types=[{"name": "Regular", "price": 0, "quantity": 100, "available_until": until}],
            **overrides,
        )

    return make


def test_create_event_json_clamps_a_bare_end_date_to_the_event_end(organizer_client, mobile_event, day):
    response = organizer_client.post(CREATE, mobile_event(day.isoformat()), format="json")
    assert response.status_code == 201, response.json()
    assert TicketType.objects.get().available_until == ends_at(day) == Event.objects.get().ends_at


def test_create_event_multipart_clamps_it_too(organizer_client, mobile_event, day, image_file):
    data = {
        key: json.dumps(value) if isinstance(value, list) else value
        for key, value in mobile_event(day.isoformat()).items()
    }
    data["featured_image"] = image_file("cover.png")
    response = organizer_client.post(CREATE, data, format="multipart")
    assert response.status_code == 201, response.json()
    assert TicketType.objects.get().available_until == ends_at(day)


@pytest.mark.parametrize(
    "until",
    [
        pytest.param(lambda day: (day + timedelta(days=1)).isoformat(), id="a bare date after the last day"),
        pytest.param(lambda day: f"{day.isoformat()}T23:30:00Z", id="a timestamp after the end, same day"),
    ],
)
def test_a_window_that_truly_ends_after_the_event_is_refused_and_stores_nothing(
    organizer_client, mobile_event, day, until
):
    response = organizer_client.post(CREATE, mobile_event(until(day)), format="json")
    assert response.status_code == 400
    assert response.json()["details"]["ticket_types"] == [f"Ticket type 1: available_until: {AFTER_THE_EVENT}"]
    assert not Event.objects.exists()


def test_a_bare_date_before_the_last_day_still_means_the_end_of_that_day(organizer_client, mobile_event, day):
    earlier = day - timedelta(days=3)
    response = organizer_client.post(CREATE, mobile_event(earlier.isoformat()), format="json")
    assert response.status_code == 201, response.json()
    assert TicketType.objects.get().available_until == datetime.combine(earlier, time(23, 59, 59), tzinfo=ACCRA)


def test_an_overnight_event_clamps_on_the_day_it_ends(organizer_client, event_payload, day):
    next_day = day + timedelta(days=1)
    payload = event_payload(
        start_date=day.isoformat(),
        start_time="22:00",
        end_date=next_day.isoformat(),
        end_time="04:00",
        ticket_types=[
            {"name": "Early", "price": 0, "quantity": 50, "available_until": day.isoformat()},
            {"name": "Door", "price": 0, "quantity": 50, "available_until": next_day.isoformat()},
        ],
    )
    response = organizer_client.post(CREATE, payload, format="json")
    assert response.status_code == 201, response.json()
    early, door = TicketType.objects.get(name="Early"), TicketType.objects.get(name="Door")
    assert early.available_until == datetime.combine(day, time(23, 59, 59), tzinfo=ACCRA)
    assert door.available_until == ends_at(next_day, hour=4)


# --- O6 / O7 ----------------------------------------------------------------------------------


@pytest.fixture
def event(make_event, day):
    event = make_event(
        start_date=day, start_time=time(19, 0), end_time=time(23, 0), ticket_types=[{"name": "Regular", "price": 0}]
    )
    assert event.ends_at == ends_at(day)
    return event


@pytest.mark.parametrize("suffix", ["tickets/", "tickets/create/"])
def test_ticket_type_create_clamps_on_web_and_mobile_paths(organizer_client, event, day, suffix):
    body = {"name": "VIP", "price": 0, "quantity": 10, "available_until": day.isoformat()}
    response = organizer_client.post(f"/api/v1/events/{event.slug}/{suffix}", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["ticket_type"]["available_until"] == f"{day.isoformat()}T23:00:00Z"


@pytest.mark.parametrize("path", ["tickets/{id}/", "tickets/{id}/edit/"])
def test_ticket_type_update_clamps(organizer_client, event, day, path):
    ticket_type = event.ticket_types.get()
    url = f"/api/v1/events/{event.slug}/" + path.format(id=ticket_type.pk)
    response = organizer_client.patch(url, {"available_until": day.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    ticket_type.refresh_from_db()
    assert ticket_type.available_until == ends_at(day)


def test_ticket_type_update_after_the_last_day_is_refused(organizer_client, event, day):
    ticket_type = event.ticket_types.get()
    before = ticket_type.available_until
    url = f"/api/v1/events/{event.slug}/tickets/{ticket_type.pk}/"
    response = organizer_client.patch(url, {"available_until": (day + timedelta(days=1)).isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["available_until"] == [AFTER_THE_EVENT]
    ticket_type.refresh_from_db()
    assert ticket_type.available_until == before
