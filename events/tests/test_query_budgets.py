"""Query counts of the list and detail endpoints stay flat as pages grow (DESIGN.md §6)."""

import pytest

from events.models import EventImage

pytestmark = pytest.mark.django_db

THREE_TYPES = [{"name": "A", "price": 0}, {"name": "B", "price": 20}, {"name": "C", "price": 80}]


@pytest.fixture
def catalogue(make_event, make_organizer):
    organizers = [make_organizer() for _ in range(3)]
    return [make_event(organizer=organizers[n % 3], ticket_types=THREE_TYPES) for n in range(50)]


@pytest.mark.parametrize("ordering", ["-start_date", "price", "popularity"])
@pytest.mark.parametrize("page_size", [5, 50])
def test_browse(api_client, catalogue, django_assert_num_queries, page_size, ordering):
    """A cold page: the events with the total, then the stock of their ticket types. A warm one: none."""
    query = {"page_size": page_size, "ordering": ordering, "status": "all"}
    with django_assert_num_queries(2):
        body = api_client.get("/api/v1/events/", query).json()
    assert len(body["results"]) == page_size and body["count"] == 50
    with django_assert_num_queries(0):
        api_client.get("/api/v1/events/", query)


@pytest.mark.parametrize("page_size", [5, 50])
def test_past(api_client, make_event, django_assert_num_queries, page_size):
    for _ in range(page_size):
        make_event(days=-3, ticket_types=THREE_TYPES)
    with django_assert_num_queries(2):
        assert len(api_client.get("/api/v1/events/past/", {"page_size": page_size}).json()["results"]) == page_size


@pytest.mark.parametrize("page_size", [5, 50])
def test_my_events(organizer_client, make_event, django_assert_max_num_queries, page_size):
    for _ in range(page_size):
        make_event(ticket_types=THREE_TYPES)
    with django_assert_max_num_queries(6):
        body = organizer_client.get("/api/v1/events/my-events/", {"page_size": page_size}).json()
    assert len(body["results"]) == page_size and len(body["results"][0]["ticket_types"]) == 3


def test_detail(api_client, catalogue, image_file, django_assert_num_queries):
    event = catalogue[0]
    for position in range(3):
        EventImage.objects.create(event=event, image=image_file(f"{position}.png"), position=position)
    with django_assert_num_queries(5):  # event, ticket types with stock, images, organizer totals, similar events
        body = api_client.get(f"/api/v1/events/{event.slug}/").json()
    assert len(body["ticket_types"]) == 3 and len(body["similar_events"]) == 3 and len(body["additional_images"]) == 3
    api_client.get(f"/api/v1/events/{event.slug}/")
    with django_assert_num_queries(0):
        api_client.get(f"/api/v1/events/{event.slug}/")


def test_my_event_detail(organizer_client, make_event, django_assert_max_num_queries):
    event = make_event(ticket_types=THREE_TYPES)
    with django_assert_max_num_queries(8):
        assert organizer_client.get(f"/api/v1/events/my-events/{event.pk}/").status_code == 200


def test_categories(api_client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert api_client.get("/api/v1/event-categories/").json()["count"] == 8
