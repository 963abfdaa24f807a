"""Public pages served from a process's memory: no round trip, yet fresh after any process's write, with
their rate-limit entries and visits settled in batches (cafa/api/token_watch.py, cafa/api/tallies.py)."""

import threading
import time

import pytest
from django.core.cache import caches
from redis import Redis
from redis.connection import AbstractConnection

from cafa.api import http_cache, shared_cache, tallies, token_watch
from cafa.api.throttling import AnonThrottle
from events import public_cache
from events.models import Event
from events.page_view_buffer import buffered_view_counts

pytestmark = [pytest.mark.django_db, pytest.mark.services]

EVENTS = "/api/v1/events/"


@pytest.fixture
def redis_commands(monkeypatch):
    """The commands sent to Redis, by name, from now on."""
    sent = []
    send = AbstractConnection.send_packed_command

    def counting(connection, command, *args, **kwargs):
        sent.append(command)
        return send(connection, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


def detail(event) -> str:
    return f"{EVENTS}{event.slug}/"


def served_from_memory(client, url, **headers):
    """Read until the answer is kept in this process (an event page's first read learns its event)."""
    for _ in range(3):
        response = client.get(url, **headers)
    return response


def in_another_thread(write) -> None:
    """Run `write` on another thread: its own cache backend and connections, as another worker's would be."""
    thread = threading.Thread(target=write)
    thread.start()
    thread.join()


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["results"]]


def test_pages_served_from_memory_ask_redis_nothing(anonymous, gig, batched, redis_commands):
    urls = [EVENTS, detail(gig), f"{EVENTS}past/"]
    kept = {url: served_from_memory(anonymous, url).content for url in urls}
    redis_commands.clear()
    for _ in range(3):
        for url in urls:  # one after the other, as browsing mixes them
            response = anonymous.get(url)
            assert response.status_code == 200
            assert response.content == kept[url]
    assert redis_commands == []


def test_a_write_by_another_process_shows_at_the_next_request(anonymous, gig):
    served_from_memory(anonymous, detail(gig))
    served_from_memory(anonymous, EVENTS)
    Event.objects.filter(pk=gig.pk).update(title="Changed")  # no bump yet: the kept answers still show
    assert anonymous.get(detail(gig)).json()["title"] == "Highlife Night"
    assert titles(anonymous.get(EVENTS)) == ["Highlife Night"]

    in_another_thread(lambda: http_cache.bump(public_cache.CATALOGUE, public_cache.event_generation(gig.pk)))

    assert anonymous.get(detail(gig)).json()["title"] == "Changed"
    assert titles(anonymous.get(EVENTS)) == ["Changed"]


def test_a_broken_tracking_connection_costs_a_round_trip_not_an_answer(anonymous, gig, batched, redis_commands):
    served_from_memory(anonymous, detail(gig))
    server = Redis(connection_pool=caches["default"].redis_client.connection_pool)
    tracking = [client["id"] for client in server.client_list() if "t" in client["flags"]]
    assert tracking, "the page's generation is read over a tracking connection"
    for client_id in tracking:
        server.client_kill_filter(_id=client_id)
    Event.objects.filter(pk=gig.pk).update(title="Changed")
    in_another_thread(lambda: http_cache.bump(public_cache.event_generation(gig.pk)))  # nobody is told

    assert anonymous.get(detail(gig)).json()["title"] == "Changed"
    redis_commands.clear()
    assert anonymous.get(detail(gig)).json()["title"] == "Changed"
    assert redis_commands == []  # tracked again


def test_views_and_visitors_reach_redis_with_the_batch(anonymous, gig, batched):
    for agent in ("Firefox", "Safari"):
        served_from_memory(anonymous, detail(gig), HTTP_USER_AGENT=agent)
    tallies.settle()
    before = buffered_view_counts([gig.pk])[gig.pk]
    for agent in ("Firefox", "Firefox", "Opera"):
        anonymous.get(detail(gig), HTTP_USER_AGENT=agent)
    assert buffered_view_counts([gig.pk])[gig.pk] == before

    tallies.settle()

    after = buffered_view_counts([gig.pk])[gig.pk]
    assert (after.page_views - before.page_views, after.unique_visitors - before.unique_visitors) == (3, 1)


def test_a_client_past_its_limit_is_refused_once_the_batch_is_sent(anonymous, gig, batched, frozen, monkeypatch):
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    for _ in range(3):
        assert anonymous.get(EVENTS).status_code == 200  # a miss, then two from memory
    assert anonymous.get(EVENTS).status_code == 200  # over by what one batch holds, as documented

    tallies.settle()

    refused = anonymous.get(EVENTS)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    frozen.shift(61)
    assert anonymous.get(EVENTS).status_code == 200


def test_a_request_that_fills_the_log_stops_pages_from_memory_at_once(anonymous, gig, batched, monkeypatch):
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    assert anonymous.get(EVENTS).status_code == 200  # checked one by one: it took the last slot
    assert anonymous.get(EVENTS).status_code == 429  # kept in memory, but checked again, and refused


def test_the_batch_is_sent_on_its_own(gig, settings):
    settings.PUBLIC_HITS_SETTLE_SECONDS = 0.01
    own = tallies.Tallies()
    own.add(None, shared_cache.Visit("events:page-views:777", "events:seen:777:x", "events:unique-visitors:777", 60))
    deadline = time.monotonic() + 10
    while caches["default"].get("events:page-views:777") is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert caches["default"].get("events:page-views:777") == 1


def test_a_batch_lost_to_an_outage_is_logged_not_raised(unreachable_cache, caplog):
    limit = shared_cache.RateLimit(key="throttle:anon:10.0.0.1:log", limit=5, window=60, now=time.time())
    assert tallies.add(limit, None)
    tallies.settle()
    lines = [record.getMessage() for record in caplog.records if record.name == "cafa.cache"]
    assert lines[0].startswith("cache_unavailable component=throttle scope=anon operation=settle failures=1 ")


def test_a_redis_that_refuses_tracking_is_asked_every_time(
    anonymous, gig, batched, redis_commands, monkeypatch, caplog
):
    monkeypatch.setattr(token_watch, "TRACKING", ("CLIENT", "TRACKING", "MAYBE"))  # Redis answers an error
    monkeypatch.setattr(token_watch, "_threads", threading.local())
    served_from_memory(anonymous, detail(gig))
    redis_commands.clear()

    assert anonymous.get(detail(gig)).json()["title"] == "Highlife Night"

    assert len(redis_commands) == 1  # the page's one round trip, as without tracking
    assert [r.getMessage() for r in caplog.records if r.name == "cafa.api.token_watch"] == [
        "cache_tracking_refused: public pages ask Redis on every request"
    ]
    assert [r for r in caplog.records if r.name == "cafa.cache"] == []  # not an outage


def test_a_change_pushed_while_another_token_is_read_is_not_missed(monkeypatch):
    """A push can land between the look for one and the read of another token's value: it still counts."""
    backend = caches["default"]
    catalogue, event = backend.make_key(public_cache.CATALOGUE), backend.make_key(public_cache.event_generation(1))
    writer = backend.redis_client
    writer.mset({catalogue: b"old", event: b"one"})
    watch = token_watch.TokenWatch(writer.connection_pool)
    assert watch.values([catalogue]) == [b"old"]

    writer.set(catalogue, b"new")
    time.sleep(0.05)  # the push is on the socket now
    with monkeypatch.context() as patched:
        patched.setattr(token_watch.TokenWatch, "_changed", lambda self: False)  # it landed after the look
        assert watch.values([event]) == [b"one"]  # read over the same connection, after the push

    assert watch.values([catalogue]) == [b"new"]
    watch.forget()
