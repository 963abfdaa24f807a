"""A list query with no filter but status and ordering is answered without django-filter or DRF's paginator
(PublicEventListView.plain_answer): the very bytes, links and errors of the general path."""

import pytest
from django.core.cache import caches

from events.views.public import PublicEventListView

pytestmark = pytest.mark.django_db

TYPES = [{"name": "A", "price": 0}, {"name": "B", "price": 20}, {"name": "C", "price": 80}]
QUERIES = [
    "",
    "status=all",
    "status=ongoing",
    "status=upcoming&page_size=2",
    "page=2&page_size=2",
    "page=3&page_size=2&ordering=price",
    "ordering=-popularity&page_size=3",
    "ordering=created_at&page=02&page_size=1",
    "page=9",
    "page=0",
    "page=last",
    "status=bogus",
    "ordering=bogus",
    "page_size=0",
    "page_size=5000",
    "city=Accra",
    "utm_source=radio&page_size=2",
]


@pytest.fixture
def catalogue(make_event):
    events = [make_event(days=days, ticket_types=TYPES[: 1 + days % 3]) for days in (2, 4, 6, 8, 10)]
    make_event(days=-5)
    return events


def answers(client, path, monkeypatch, plain: bool):
    caches["default"].clear()
    if not plain:
        monkeypatch.setattr(PublicEventListView, "plain_answer", lambda self, public: None)
    try:
        return [(response.status_code, response.content, response.get("ETag")) for response in _get(client, path)]
    finally:
        monkeypatch.undo()


def _get(client, path):
    for query in QUERIES:
        yield client.get(f"{path}?{query}")


@pytest.mark.parametrize("path", ["/api/v1/events/", "/api/v1/events/past/"])
def test_the_same_answers_as_the_general_path(api_client, catalogue, monkeypatch, path):
    plain = answers(api_client, path, monkeypatch, plain=True)
    general = answers(api_client, path, monkeypatch, plain=False)
    assert plain == general
    assert {status for status, _, _ in plain} == {200, 400, 404}


def test_a_plain_query_skips_the_filter_set(api_client, catalogue, monkeypatch):
    from events import filters

    monkeypatch.setattr(filters, "run_filterset", None)  # would fail if called
    assert api_client.get("/api/v1/events/?status=all&ordering=price&page_size=2").json()["count"] == 5
