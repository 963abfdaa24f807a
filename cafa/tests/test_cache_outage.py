"""An unreachable Redis: the cache answers as an empty cache, logs sparingly, and health names it."""

import logging

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError

from cafa import cache as fail_soft

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The backend's monotonic clock, moved by hand."""

    class Clock:
        now = 1000.0

        def __call__(self):
            return self.now

    moved = Clock()
    monkeypatch.setattr(fail_soft, "_clock", moved)
    return moved


def outage_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "cafa.cache"]


def test_every_operation_answers_like_an_empty_cache(unreachable_cache):
    assert cache.get("events:page-views:1") is None
    assert cache.get("events:page-views:1", "fallback") == "fallback"
    assert cache.add("events:seen:1", 1) is False
    cache.set("payments:banks:ghipss", {"results": []})
    assert cache.get_many(["a:b", "c:d"]) == {}
    assert cache.set_many({"a:b": 1, "c:d": 2}) == ["a:b", "c:d"]
    assert cache.has_key("a:b") is False
    assert cache.delete("a:b") is False
    assert cache.touch("a:b") is False
    cache.delete_many(["a:b"])
    assert cache.get_or_set("analytics:public-stats:v1", 7) == 7
    with pytest.raises(ValueError):
        cache.incr("events:page-views:1")
    with pytest.raises(ValueError):
        cache.decr("events:page-views:1")


def test_one_warning_a_minute_per_component_and_scope(unreachable_cache, clock, caplog):
    caplog.set_level(logging.WARNING, logger="cafa.cache")
    cache.get("throttle:login:10.0.0.1")
    clock.now += 10  # past the pause: Redis is asked again, and fails again
    cache.get("throttle:login:10.0.0.2")
    cache.get("throttle:anon:10.0.0.3")
    lines = outage_lines(caplog)
    assert len(lines) == 2
    assert lines[0].startswith("cache_unavailable component=throttle scope=login operation=get failures=1 ")
    assert "ConnectionError" in lines[0]
    assert lines[1].startswith("cache_unavailable component=throttle scope=anon operation=get failures=1 ")

    clock.now += 60
    cache.set("throttle:login:10.0.0.4", [1])
    latest = outage_lines(caplog)[2]
    assert latest.startswith("cache_unavailable component=throttle scope=login operation=set failures=2 ")


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds(unreachable_cache, clock, monkeypatch):
    calls = []

    def refuse(self, key, default):
        calls.append(key)
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(RedisCacheClient, "get", refuse)
    for _ in range(50):
        assert cache.get("throttle:anon:10.0.0.1", []) == []
    assert len(calls) == 1
    clock.now += 5
    cache.get("throttle:anon:10.0.0.1")
    assert len(calls) == 2


def test_recovery_is_logged_once(unreachable_cache, clock, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="cafa.cache")
    cache.get("events:page-views:1")
    clock.now += 30
    monkeypatch.setattr(RedisCacheClient, "get", lambda self, key, default: "back")
    assert cache.get("events:page-views:1") == "back"
    assert cache.get("events:page-views:1") == "back"
    assert outage_lines(caplog)[-1] == "cache_recovered after_seconds=30.0"
    assert sum("cache_recovered" in line for line in outage_lines(caplog)) == 1


def test_health_names_the_unreachable_cache(unreachable_cache, api_client):
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error", "degraded": ["cache"]}


def test_health_asks_redis_itself_even_while_calls_are_paused(unreachable_cache, clock, monkeypatch, api_client):
    cache.get("throttle:anon:10.0.0.1")  # fails: calls are paused for 5 seconds
    store = {}
    monkeypatch.setattr(RedisCacheClient, "set", lambda self, key, value, timeout: store.__setitem__(key, value))
    monkeypatch.setattr(RedisCacheClient, "get", lambda self, key, default: store.get(key, default))
    monkeypatch.setattr(RedisCacheClient, "delete", lambda self, key: bool(store.pop(key, None)))
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json()["cache"] == "ok"


@pytest.mark.services
def test_a_read_after_redis_closed_its_connections_runs_on_a_new_one(caplog):
    """Redis restarted (or dropped an idle connection): the read script, sent on the pool's connections
    without the client's retries, still runs on a new connection, and nothing is logged or paused."""
    from cafa.api import shared_cache

    cache.set("answers:one", "kept")
    client = cache.redis_client
    pooled = client.connection_pool.get_connection()
    client.connection_pool.release(pooled)
    client.client_kill_filter(_id=client.client_id(), skipme=False)  # every client of this pool is closed
    rate_limit = shared_cache.RateLimit(key="throttle:anon:10.0.0.9:log", limit=5, window=60, now=1000.0)

    found = shared_cache.read(["answers:one"], rate_limit=rate_limit)

    assert found.rate_verdict.allowed
    assert outage_lines(caplog) == []


@pytest.mark.services
def test_a_read_after_redis_forgot_its_scripts_loads_the_script_again(caplog):
    """Redis restarted empty (or SCRIPT FLUSH): EVALSHA answers NOSCRIPT, the read sends the script itself
    once, and nothing is logged or paused."""
    from cafa.api import redis_scripts, shared_cache

    cache.redis_client.script_flush()
    rate_limit = shared_cache.RateLimit(key="throttle:anon:10.0.0.8:log", limit=5, window=60, now=1000.0)

    found = shared_cache.read([], rate_limit=rate_limit)

    assert found.rate_verdict.allowed
    assert cache.redis_client.script_exists(redis_scripts.READ_DIGEST) == [True]
    assert outage_lines(caplog) == []
