"""Reads compiled once per shape (cafa/prepared.py) give what the ORM gives, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from cafa import prepared
from cafa.prepared import PreparedRead
from events.models import Event

pytestmark = pytest.mark.django_db


def _upcoming(shape, *, category_id, now, ids):
    queryset = Event.objects.filter(category_id=category_id, starts_at__gt=now, pk__in=ids).order_by("starts_at", "id")
    return queryset.values("id", "title", "starts_at", "start_date", "latitude").annotate(images=Count("images"))


def _searching(shape, *, words):
    return Event.objects.filter(title__icontains=words).order_by("id").values("id", "title")


@pytest.fixture
def events(make_event):
    return [make_event(days=days, latitude="5.603717" if days % 2 else None) for days in (-3, 2, 5, 9)]


def shapes_of(read):
    return {key: value for key, value in read._shapes.items() if key[0] == connection.vendor}


def test_rows_are_the_orms_and_the_sql_is_compiled_once(events, django_assert_num_queries):
    read = PreparedRead(_upcoming)
    ids = [event.pk for event in events]
    for now in (timezone.now(), timezone.now() + timedelta(days=4)):
        values = {"category_id": events[0].category_id, "now": now, "ids": ids}
        with django_assert_num_queries(1):
            rows = read.rows("upcoming", **values)
        assert rows == list(_upcoming("upcoming", **values)) and rows
    (compiled,) = shapes_of(read).values()
    assert isinstance(compiled, prepared._Prepared)  # the stand-ins were found: the SQL is reused


def test_a_list_is_one_shape_per_length(events):
    read = PreparedRead(_upcoming)
    now, category = timezone.now(), events[0].category_id
    assert [row["id"] for row in read.rows("upcoming", category_id=category, now=now, ids=[events[2].pk])] == [
        events[2].pk
    ]
    assert len(read.rows("upcoming", category_id=category, now=now, ids=[event.pk for event in events])) == 3
    assert len(shapes_of(read)) == 2


def test_an_empty_list_needs_no_query(events, django_assert_num_queries):
    read = PreparedRead(_upcoming)
    with django_assert_num_queries(0):
        assert read.rows("upcoming", category_id=events[0].category_id, now=timezone.now(), ids=[]) == []


def test_a_value_the_orm_rewrites_is_run_through_the_orm_every_time(events):
    read = PreparedRead(_searching)
    assert read.rows("search", words="LIVE night") == list(_searching("search", words="LIVE night"))
    assert read.rows("search", words="nothing like it") == []
    assert set(shapes_of(read).values()) == {prepared._ORM}


def test_an_integer_out_of_range_is_left_to_the_orm(events):
    built = []

    def build(shape, **values):
        built.append(values)
        return Event.objects.none().values("id")

    read = PreparedRead(build)
    assert read.rows("any", ids=[events[1].pk, 2**70]) == []
    assert built == [{"ids": [events[1].pk, 2**70]}] and not shapes_of(read)
