"""The public pages' stock figures: as the documented serializers show them, and fresh within the stated bound."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from events import selectors
from events.models import Event, EventImage, TicketType
from events.serializers.outputs import EventCardSerializer, PublicEventDetailSerializer

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
TYPES = [
    {"name": "Free", "price": "0", "quantity": 50},
    {"name": "Regular", "price": "50", "quantity": 100},
    {"name": "VIP", "price": "250.5", "quantity": 10, "max_purchase": 5},
]


@pytest.fixture
def sold_event(make_event, make_user, buy_tickets, reserve_only, image_file):
    """An event with sales, a live reservation, images, coordinates, a recurrence and sale windows."""
    now = timezone.now()
    event = make_event(
        ticket_types=TYPES,
        featured_image=image_file("cover.png"),
        latitude="5.603717",
        longitude="-0.186964",
        is_recurring=True,
        recurrence_pattern={"frequency": "weekly", "interval": 2, "occurrences": 4},
    )
    EventImage.objects.create(event=event, image=image_file("crowd.png"), position=0)
    TicketType.objects.filter(event=event, name="VIP").update(available_from=now + timedelta(days=1))
    TicketType.objects.filter(event=event, name="Free").update(available_until=now + timedelta(days=2))
    buy_tickets(make_user(), quantity=3, event=event, ticket_type=event.ticket_types.get(name="Regular"))
    reserve_only(make_user(), quantity=2, event=event)
    return event


def documented_card(event: Event, request) -> dict:
    """What EventCardSerializer shows, from the annotated queryset every other list uses."""
    instance = selectors.annotate_event_stock(Event.objects.filter(pk=event.pk)).get()
    return _json(EventCardSerializer(instance, context={"request": request}).data)


def documented_page(event: Event, request) -> dict:
    """What PublicEventDetailSerializer shows, built the way it was before answers were shaped by hand."""
    from django.db.models import Prefetch

    instance = (
        selectors.annotate_event_stock(Event.objects.filter(pk=event.pk))
        .prefetch_related(Prefetch("ticket_types", queryset=selectors.ticket_types_with_stock()), "images")
        .get()
    )
    similar = (
        selectors.filter_by_status(Event.objects.filter(is_published=True, category_id=event.category_id), "live")
        .exclude(pk=event.pk)
        .annotate(lowest_price=selectors.SORT_KEYS["lowest_price"]())
        .order_by("starts_at", "id")[:3]
    )
    context = {
        "request": request,
        "organizer_stats": selectors.organizer_public_stats(event.organizer),
        "similar_events": list(similar),
    }
    return _json(PublicEventDetailSerializer(instance, context=context).data)


def _json(data) -> dict:
    return json.loads(JSONRenderer().render(data))


def test_pages_show_what_the_documented_serializers_show(sold_event, make_event):
    make_event(ticket_types=[{"price": "20"}])  # a similar event
    bare = make_event(ticket_types=[])  # no ticket types: zero figures
    request = Request(APIRequestFactory().get(EVENTS))
    client = APIClient()

    cards = {card["id"]: card for card in client.get(EVENTS, {"status": "all"}).json()["results"]}
    assert cards[sold_event.pk] == documented_card(sold_event, request)
    assert cards[bare.pk] == documented_card(bare, request)
    page = client.get(f"{EVENTS}{sold_event.slug}/").json()
    assert page == documented_page(sold_event, request)
    assert (page["tickets_sold"], page["tickets_available"], page["total_tickets"]) == (3, 155, 160)
    assert [item["status"] for item in page["ticket_types"]] == ["active", "active", "inactive"]


def test_a_purchase_shows_within_the_stated_bound(sold_event, make_user, buy_tickets, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client, page = APIClient(), f"{EVENTS}{sold_event.slug}/"
    client.get(page)
    assert client.get(page).json()["tickets_sold"] == 3
    assert client.get(EVENTS).json()["results"][0]["tickets_sold"] == 3

    buy_tickets(make_user(), quantity=2, event=sold_event, ticket_type=sold_event.ticket_types.get(name="Regular"))
    time_machine.shift(settings.PUBLIC_CACHE_SECONDS - 1)
    assert client.get(page).json()["tickets_sold"] == 3  # purchases do not bump: stock may lag this long
    time_machine.shift(2)
    assert client.get(page).json()["tickets_sold"] == 5
    assert client.get(EVENTS).json()["results"][0]["tickets_sold"] == 5
