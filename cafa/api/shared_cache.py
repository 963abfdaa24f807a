"""The shared cache (Django's default cache: Redis in production) as the public answers use it.

Every call fails open: a cache error is a miss (reads answer nothing, writes are dropped, a visit goes
uncounted), never an error for the client. It is logged once, and this process then leaves the cache
alone for PAUSE_SECONDS, so an outage, or a Redis that hangs, costs one failed call per pause, not one
per request.
"""

import logging
import pickle
import time
from dataclasses import dataclass

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

PAUSE_SECONDS = 5


@dataclass(frozen=True)
class Visit:
    """A page view to count: `views_key` += 1, and `visitors_key` += 1 the first time `seen_key` is set
    (it lives `seen_seconds`)."""

    views_key: str
    seen_key: str
    visitors_key: str
    seen_seconds: int


def get_many(keys: list[str], visit: Visit | None = None) -> dict:
    """The values of `keys` that are present; a `visit` is counted in the same round trip."""
    return _call("get_many", keys, visit) or {}


def put(key: str, value, timeout) -> None:
    """Store `value` for `timeout` seconds (None: until evicted)."""
    _call("set", key, value, timeout)


def put_many(values: dict, timeout) -> None:
    _call("set_many", values, timeout)


def add(key: str, value, timeout) -> bool:
    """Store unless present; False when present (or the cache is unreachable)."""
    return bool(_call("add", key, value, timeout))


def count_visit(visit: Visit) -> None:
    """Count a page view (one round trip on Redis)."""
    _call("count_visit", visit)


class DjangoStore:
    """Shared-cache calls through Django's cache API (local memory, or any other backend)."""

    def __init__(self, backend):
        self.backend = backend

    def get_many(self, keys: list[str], visit: Visit | None = None) -> dict:
        values = self.backend.get_many(keys)
        if visit is not None:
            self.count_visit(visit)
        return values

    def set(self, key: str, value, timeout) -> None:
        self.backend.set(key, value, timeout)

    def set_many(self, values: dict, timeout) -> None:
        self.backend.set_many(values, timeout)

    def add(self, key: str, value, timeout) -> bool:
        return self.backend.add(key, value, timeout)

    def count_visit(self, visit: Visit) -> None:
        self._increment(visit.views_key)
        if self.backend.add(visit.seen_key, 1, timeout=visit.seen_seconds):
            self._increment(visit.visitors_key)

    def _increment(self, key: str) -> None:
        if self.backend.add(key, 1, timeout=None):
            return
        try:
            self.backend.incr(key)
        except ValueError:  # evicted between add() and incr()
            self.backend.add(key, 1, timeout=None)


class RedisStore(DjangoStore):
    """The same calls on Django's Redis cache, through one client kept for the process (Django builds a
    client per call, a cost every hit would pay) and Django's keys. Values are pickled here, and read only
    here; counters are plain integers, as Django's own `incr` and `get` expect them."""

    VISIT_SCRIPT = """
    redis.call('INCR', KEYS[1])
    if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then redis.call('INCR', KEYS[3]) end
    """

    def __init__(self, backend):
        super().__init__(backend)
        self.client = backend._cache.get_client(write=True)

    def get_many(self, keys: list[str], visit: Visit | None = None) -> dict:
        pipeline = self.client.pipeline(transaction=False)
        pipeline.mget([self.backend.make_key(key) for key in keys])
        if visit is not None:
            self._count(pipeline, visit)
        values = pipeline.execute()[0]
        # pickles written by `set` below into our own cache, as Django's backend does
        return {key: pickle.loads(value) for key, value in zip(keys, values, strict=True) if value}  # noqa: S301

    def set(self, key: str, value, timeout) -> None:
        if timeout == 0:  # as Django's cache: kept for no time at all
            self.client.delete(self.backend.make_key(key))
            return
        self.client.set(self.backend.make_key(key), pickle.dumps(value), ex=timeout)

    def set_many(self, values: dict, timeout) -> None:
        pipeline = self.client.pipeline(transaction=False)
        for key, value in values.items():
            pipeline.set(self.backend.make_key(key), pickle.dumps(value), ex=timeout)
        pipeline.execute()

    def add(self, key: str, value, timeout) -> bool:
        return bool(self.client.set(self.backend.make_key(key), pickle.dumps(value), nx=True, ex=timeout))

    def count_visit(self, visit: Visit) -> None:
        self._count(self.client, visit)

    def _count(self, client, visit: Visit) -> None:
        keys = [self.backend.make_key(key) for key in (visit.views_key, visit.seen_key, visit.visitors_key)]
        client.eval(self.VISIT_SCRIPT, len(keys), *keys, visit.seen_seconds)


def _store() -> DjangoStore:
    backend = caches[DEFAULT_CACHE_ALIAS]  # one instance per thread
    store = getattr(backend, "public_answers_store", None)
    if store is None:
        store = backend.public_answers_store = (RedisStore if isinstance(backend, RedisCache) else DjangoStore)(backend)
    return store


_paused_until = 0.0  # after a cache error, this process leaves the cache alone until then


def _call(operation: str, *args):
    """Run a shared-cache call; on any error (the cache is an accelerator) answer None, as a miss, and leave
    the cache alone for PAUSE_SECONDS: an outage costs one error and one log line per pause, not per hit."""
    global _paused_until
    if time.monotonic() < _paused_until:
        return None
    try:
        return getattr(_store(), operation)(*args)
    except Exception:
        _paused_until = time.monotonic() + PAUSE_SECONDS
        log.warning("shared cache %s failed; public answers skip it for %d s", operation, PAUSE_SECONDS, exc_info=True)
        return None
