"""The shared cache (Django's default cache: Redis in production) as the public answers and the anonymous
rate limit use it: a few batched calls, each one round trip on Redis.

On Redis (cafa.cache.FailSoftRedisCache) the calls run through the backend's own client (`run`), so they
fail soft like every cache call: an error, or a call during the pause after one, is a miss (reads answer
nothing, writes are dropped, a visit goes uncounted, every request is admitted) and is logged under the
keys' component and scope. Any other backend (local memory on the embedded default) is used through
Django's cache API, with the same results.

Values (answers, generation tokens) are pickled here and read only here; counters are plain integers, as
Django's own `incr` and `get` expect them.
"""

import pickle
import secrets
from dataclasses import dataclass

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from redis.exceptions import NoScriptError, ResponseError

from cafa.api import redis_scripts, token_watch
from cafa.cache import FailSoftRedisCache


@dataclass(frozen=True)
class Visit:
    """A page view to count: `views_key` += 1, and `visitors_key` += 1 the first time `seen_key` is set
    (it lives `seen_seconds`)."""

    views_key: str
    seen_key: str
    visitors_key: str
    seen_seconds: int


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` requests under `key` in any `window` seconds ending at `now`: a sliding log of the
    requests admitted, as DRF's SimpleRateThrottle keeps (a refused request is not logged)."""

    key: str
    limit: int
    window: int
    now: float


@dataclass(frozen=True)
class RateVerdict:
    """A rate limit's verdict; `wait` is how long a refused request must wait for a free slot. An admitted
    request that filled the log's last slot says until when the log stays full (`full_until`, time.time)."""

    allowed: bool
    wait: float | None = None
    full_until: float | None = None

    def refused_until(self, now: float) -> float | None:
        """Until when the next request under this limit will be refused, if it will."""
        return now + self.wait if not self.allowed else self.full_until


ALLOWED = RateVerdict(allowed=True)


@dataclass(frozen=True)
class Read:
    """What `read` found: the values present, and the verdict of its rate limit (None when none was given)."""

    values: dict
    rate_verdict: RateVerdict | None


def read(keys: list[str], *, visit: Visit | None = None, rate_limit: RateLimit | None = None) -> Read:
    """The values of `keys` that are present, in one round trip with the rate limit's check and, if the
    request is admitted, the `visit`."""
    backend = caches[DEFAULT_CACHE_ALIAS]  # one instance per thread
    if not isinstance(backend, FailSoftRedisCache):
        return _DjangoCalls(backend).read(keys, visit, rate_limit)
    failed = Read({}, ALLOWED if rate_limit else None)  # fail open
    label = [*keys, *([rate_limit.key] if rate_limit else []), *([visit.views_key] if visit else [])]
    return backend.run("read", label, failed, lambda client: _RedisCalls(backend, client).read(keys, visit, rate_limit))


def check_rate(rate_limit: RateLimit) -> RateVerdict:
    """Check and log a request under `rate_limit` (one round trip)."""
    return read([], rate_limit=rate_limit).rate_verdict


def count_visit(visit: Visit) -> None:
    """Count a page view (one round trip)."""
    read([], visit=visit)


def tracked_values(keys: list[str]) -> list | None:
    """The values of `keys`, which this thread knows to be current with no round trip while Redis has pushed
    no change to them (cafa/api/token_watch.py); None when one is missing, Redis fails, or it is not Redis."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, FailSoftRedisCache):
        return None
    watch = token_watch.watch(backend.redis_client.connection_pool)
    values = backend.run("track", keys, None, lambda _client: watch.values([backend.make_key(key) for key in keys]))
    if values is None or None in values:
        return None
    return [_loads(value) for value in values]


def forget_tracked() -> None:
    """Make this thread read its tracked values again (after its own write, before Redis's push arrives)."""
    token_watch.forget_all()


def settle(entries: list[RateLimit], visits: list[Visit]) -> dict[str, float]:
    """Log each rate-limit entry (admitted already) and count each visit, in one round trip; returns the logs
    left full, each with the time a request under it may be admitted again."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, FailSoftRedisCache):  # one call each, as a page read would make them
        for rate_limit, visit in [*((entry, None) for entry in entries), *((None, visit) for visit in visits)]:
            _DjangoCalls(backend).read([], visit, rate_limit)
        return {}
    label = [entry.key for entry in entries] or [visit.views_key for visit in visits]
    return backend.run("settle", label, {}, lambda client: _RedisCalls(backend, client).settle(entries, visits))


def put(key: str, value, timeout) -> None:
    """Store `value` for `timeout` seconds (None: until evicted)."""
    put_many({key: value}, timeout)


def put_many(values: dict, timeout) -> None:
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, FailSoftRedisCache):
        backend.set_many(values, timeout)
        return
    backend.run("put", list(values), None, lambda client: _RedisCalls(backend, client).put_many(values, timeout))


def add(key: str, value, timeout) -> bool:
    """Store unless present; False when present (or the cache is unreachable)."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, FailSoftRedisCache):
        return backend.add(key, value, timeout)
    return backend.run("add", key, False, lambda client: _RedisCalls(backend, client).add(key, value, timeout))


class _RedisCalls:
    """The calls on Redis, under Django's keys (`make_key`). A read with a rate limit or a visit is one Lua
    script (sent by its digest, EVALSHA): the visit is counted only when the request is admitted, and the
    values are read in the same command. A batch of them is settled by another (cafa/api/redis_scripts.py)."""

    def __init__(self, backend, client):
        self.backend = backend
        self.client = client

    def read(self, keys: list[str], visit: Visit | None, rate_limit: RateLimit | None) -> Read:
        if not (visit or rate_limit):
            values = self.client.mget([self.backend.make_key(key) for key in keys]) if keys else []
            return Read(_present(keys, values), None)
        oldest, *answer = self._read_script(keys, visit, rate_limit)
        if oldest is not None:
            return Read({}, _refused(rate_limit, float(oldest)))
        full, *values = answer
        rate_verdict = None
        if rate_limit:
            rate_verdict = ALLOWED if full is None else _filled(rate_limit, float(full))
        return Read(_present(keys, values) if values else {}, rate_verdict)

    def _read_script(self, keys: list[str], visit: Visit | None, rate_limit: RateLimit | None) -> list:
        names = [rate_limit.key] if rate_limit else []
        if visit:
            names += [visit.views_key, visit.seen_key, visit.visitors_key]
        names = [self.backend.make_key(name) for name in [*names, *keys]]
        limit, window, now = (rate_limit.limit, rate_limit.window, rate_limit.now) if rate_limit else (-1, 0, 0)
        entry = _log_member(rate_limit) if rate_limit else ""
        seen_seconds = visit.seen_seconds if visit else 0
        arguments = (len(names), *names, limit, window, repr(now), entry, seen_seconds, 1 if visit else 0)
        try:
            return self._evalsha(arguments)
        except NoScriptError:  # not loaded yet (or flushed): EVAL loads it
            return self.client.eval(redis_scripts.READ, *arguments)

    def _evalsha(self, arguments: tuple) -> list:
        """EVALSHA of the read script on a connection of the client's pool, without the client's per-command
        machinery (retry objects, observability hooks: about 70 µs of CPU a call on redis-py 8, measured, on
        the path of every cached page). The pool hands out a live connection (it reconnects one that Redis
        closed); one that fails during the command is closed, never reused, and the error goes to `run`."""
        pool = self.client.connection_pool
        connection = pool.get_connection()
        try:
            connection.send_command("EVALSHA", redis_scripts.READ_DIGEST, *arguments)
            return connection.read_response()
        except ResponseError:
            raise  # Redis answered: the connection is sound
        except BaseException:
            connection.disconnect()
            raise
        finally:
            pool.release(connection)

    def settle(self, entries: list[RateLimit], visits: list[Visit]) -> dict[str, float]:
        names = [entry.key for entry in entries]
        arguments = [len(entries)]
        for entry in entries:
            arguments += [entry.limit, entry.window, repr(entry.now), _log_member(entry)]
        for visit in visits:
            names += [visit.views_key, visit.seen_key, visit.visitors_key]
            arguments.append(visit.seen_seconds)
        keys = [self.backend.make_key(name) for name in names]
        answer = self.client.register_script(redis_scripts.SETTLE)(keys=keys, args=arguments)
        full = dict(zip(answer[::2], answer[1::2], strict=True))
        return {entries[index - 1].key: float(oldest) + entries[index - 1].window for index, oldest in full.items()}

    def put_many(self, values: dict, timeout) -> None:
        if timeout == 0:  # as Django's cache: kept for no time at all
            self.client.delete(*(self.backend.make_key(key) for key in values))
            return
        pipeline = self.client.pipeline(transaction=False)
        for key, value in values.items():
            pipeline.set(self.backend.make_key(key), pickle.dumps(value), ex=timeout)
        pipeline.execute()

    def add(self, key: str, value, timeout) -> bool:
        return bool(self.client.set(self.backend.make_key(key), pickle.dumps(value), nx=True, ex=timeout))


class _DjangoCalls:
    """The same calls through Django's cache API (local memory, or any other backend)."""

    def __init__(self, backend):
        self.backend = backend

    def read(self, keys: list[str], visit: Visit | None, rate_limit: RateLimit | None) -> Read:
        rate_verdict = self._check_rate(rate_limit) if rate_limit else None
        if visit and (rate_verdict is None or rate_verdict.allowed):
            self._count(visit)
        return Read(self.backend.get_many(keys) if keys else {}, rate_verdict)

    def _check_rate(self, rate_limit: RateLimit) -> RateVerdict:
        log = [at for at in self.backend.get(rate_limit.key, []) if at > rate_limit.now - rate_limit.window]
        if len(log) >= rate_limit.limit:
            return _refused(rate_limit, log[0] if log else rate_limit.now)
        self.backend.set(rate_limit.key, [*log, rate_limit.now], rate_limit.window)
        return ALLOWED

    def _count(self, visit: Visit) -> None:
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


def _log_member(rate_limit: RateLimit) -> str:
    """A request's entry in its rate limit's log: its time, made unique."""
    return f"{rate_limit.now!r}:{secrets.token_hex(6)}"


def _filled(rate_limit: RateLimit, oldest: float) -> RateVerdict:
    """Admitted into the log's last slot: full until `oldest` (the entry whose leaving frees one) leaves."""
    return RateVerdict(allowed=True, full_until=oldest + rate_limit.window)


def _refused(rate_limit: RateLimit, oldest: float) -> RateVerdict:
    """Refused until the oldest logged request leaves the window (DRF's `wait` for a full log)."""
    return RateVerdict(allowed=False, wait=max(0.0, rate_limit.window - (rate_limit.now - oldest)))


def _present(keys: list[str], values: list) -> dict:
    return {key: value for key, value in zip(keys, map(_loads, values), strict=True) if value}


def _loads(value):
    """An entry written by `put_many` or `add`; one that no longer unpickles (a class changed since) is a miss."""
    if value is None:
        return None
    try:
        return pickle.loads(value)  # noqa: S301 - pickles written by this module into our own cache
    except Exception:
        return None
