"""The Redis cache, failing soft: losing Redis costs rate limiting and speed, never a request.

Everything the cache holds can be lost without harm (throttle counters, buffered page views, the bank
list, the public stats), so when Redis does not answer, each operation logs and answers as an empty
cache that keeps nothing would: `get` gives the default, `add` and `delete` give False, `incr` raises
ValueError (the key is missing), writes are dropped. Throttles therefore fail open.

Calls Django's cache API has no words for (a pipeline, a Lua script) go through `FailSoftRedisCache.run`,
with the backend's own redis-py client and the same fail-soft rules (cafa/api/shared_cache.py does).

After a failure the backend leaves Redis alone for `RETRY_AFTER` seconds (a setting of the cache), so a
Redis that hangs instead of refusing costs one connect timeout per process and pause, not one per call.

Operators get one metric-friendly WARNING line per component and scope a minute, counting the calls
that failed since the previous line, e.g. `cache_unavailable component=throttle scope=login
operation=get failures=42 error=...`, and `cache_recovered` when Redis answers again. Components and
scopes are the first two `:`-separated parts of the keys, so keys are named `<component>:<scope>:...`.
"""

import contextlib
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property
from redis import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60.0
_MISSING = object()
_clock = time.monotonic  # tests move it


class _Outage:
    """One Redis server's state in this process, shared by the per-thread cache instances."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.unlogged: dict[tuple[str, str], int] = {}
        self.logged_at: dict[tuple[str, str], float] = {}

    def paused(self) -> bool:
        return self.down_since is not None and _clock() < self.retry_at

    def failed(self, *, key, operation: str, error: Exception | None, retry_after: float) -> None:
        now = _clock()
        label = _label(key)
        with self.lock:
            if error is not None:
                self.down_since = self.down_since or now
                self.retry_at = now + retry_after
            failures = self.unlogged.get(label, 0) + 1
            if now - self.logged_at.get(label, -LOG_EVERY_SECONDS) < LOG_EVERY_SECONDS:
                self.unlogged[label] = failures
                return
            self.unlogged[label], self.logged_at[label] = 0, now
        component, scope = label
        logger.warning(
            "cache_unavailable component=%s scope=%s operation=%s failures=%d error=%r",
            component,
            scope,
            operation,
            failures,
            f"{type(error).__name__}: {error}" if error else "paused after an earlier failure",
        )

    def answered(self) -> None:
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is None:
                return
            seconds, self.down_since = _clock() - self.down_since, None
            self.unlogged.clear()
            self.logged_at.clear()
        logger.warning("cache_recovered after_seconds=%.1f", seconds)


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def _label(key) -> tuple[str, str]:
    if not isinstance(key, str):  # several keys: named after the first
        key = next(iter(key), "")
    parts = str(key).split(":")
    return parts[0] or "unknown", parts[1] if len(parts) > 1 else "-"


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache whose Redis errors are logged and answered as a cache miss."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._retry_after = float(params.get("RETRY_AFTER", 5))
        self._outage = _outage_for(str(server))
        self._strict = False

    @contextlib.contextmanager
    def strict(self):
        """Let Redis errors through and ignore any pause (the health check asks Redis itself)."""
        self._strict = True
        try:
            yield self
        finally:
            self._strict = False

    @cached_property
    def redis_client(self) -> Redis:
        """This cache's redis-py client, on the connection pool Django's own calls use. Made once per backend
        instance (Django keeps one instance per thread), where Django builds a client object on every call.

        Use it only inside `run`, which keeps it fail-soft, and name keys with `make_key`, as Django does.
        """
        return self._cache.get_client(write=True)  # the one place that reaches into Django's RedisCache

    def run(self, operation: str, key, fallback, call):
        """`call(self.redis_client)`, fail-soft like every other operation of this cache: a Redis error (or a
        call during the pause after one) is logged under `key`'s component and scope and answers `fallback`."""
        return self._guarded(operation, key, fallback, call, self.redis_client)

    def _guarded(self, operation: str, key, fallback, call, *args):
        if self._strict:
            return call(*args)
        if self._outage.paused():
            self._outage.failed(key=key, operation=operation, error=None, retry_after=self._retry_after)
            return fallback
        try:
            result = call(*args)
        except RedisError as error:
            self._outage.failed(key=key, operation=operation, error=error, retry_after=self._retry_after)
            return fallback
        self._outage.answered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", key, False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded("get", key, default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded("set", key, None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", key, False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", key, False, super().delete, key, version)

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._guarded("get_many", keys, {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", key, False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._guarded("incr", key, _MISSING, super().incr, key, delta, version)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._guarded("delete_many", keys, None, super().delete_many, keys, version)

    def clear(self):
        return self._guarded("clear", "cache:clear", False, super().clear)
