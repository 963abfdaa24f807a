"""Generation tokens a thread keeps, and knows to be current without asking Redis again.

Each thread reads the tokens over a connection of its own with client-side tracking on (RESP3, `CLIENT
TRACKING ON`): from then on Redis pushes an invalidation down that connection whenever a key it read
changes, in the same moment it answers the write. Before trusting what it keeps, the thread polls that
connection (no round trip): any push, or a broken connection, makes it forget everything and read again;
a value older than PUBLIC_CACHE_SECONDS is read again too (a connection that went silent without closing).

So a cached page learns that its generation is current with no round trip, and a bump made by any
process is seen by the next request of every process (cafa/api/http_cache.py). Values are returned as
Redis holds them (bytes, or None for a missing key); errors are left to the caller's fail-soft `run`.

Why not redis-py's own client-side cache (`cache_config`): it refuses any Redis before 7.4 (checked: on
this project's Redis 7.0, docker-compose's `redis:7`, it raises at connect), and it answers through the
client's per-command machinery. This module uses redis-py's connection, RESP3 parser and invalidation
handler as that cache does, and adds only the poll and the keeping.
"""

import logging
import os
import threading
import time

from django.conf import settings
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

TRACKING = ("CLIENT", "TRACKING", "ON")
MAX_VALUES = 10_000  # a thread keeps at most this many (one per event page viewed, and the catalogue's)
_threads = threading.local()


class TrackingRefused(Exception):
    """This Redis does not track keys (before 6.0, or the CLIENT command is disabled)."""


class TokenWatch:
    """One thread's tracked connection to one Redis server, and the values it read there."""

    def __init__(self, pool):
        self._pool = pool
        self._connection = None
        self._values: dict[str, tuple[bytes, float]] = {}  # made key -> its value, and when it was read
        self._pushed = False  # Redis pushed a change since the last look (`_note_change`)
        self._refused = False

    def values(self, keys: list[str]) -> list[bytes | None] | None:
        """The current values of `keys` (made keys): from memory while Redis has pushed no change, else read
        (and tracked) in one round trip; None if this Redis refuses to track (then nothing is kept here).
        A connection found closed (Redis restarted, an idle timeout) is replaced once, as the client's pool
        does; a second failure is the caller's to handle."""
        if self._refused:
            return None
        connected = self._connection is not None
        try:
            return self._current(keys)
        except TrackingRefused:
            self._refused = True
            logger.warning("cache_tracking_refused: public pages ask Redis on every request")
            return None
        except (RedisError, OSError):
            self.forget()
            if not connected:
                raise
        try:
            return self._current(keys)
        except (RedisError, OSError):
            self.forget()
            raise

    def _current(self, keys: list[str]) -> list[bytes | None]:
        if self._changed():
            self.clear()
        oldest = time.monotonic() - settings.PUBLIC_CACHE_SECONDS
        known = [self._values.get(key, (None, oldest)) for key in keys]
        if all(read_at > oldest for _, read_at in known):
            return [value for value, _ in known]
        return self._read(keys)

    def clear(self) -> None:
        """Forget the values read (the next call reads them again)."""
        self._values.clear()

    def forget(self) -> None:
        """Drop the connection and everything read over it (the next call reconnects and reads again)."""
        self.clear()
        if self._connection is not None:
            self._connection.disconnect()
            self._connection = None

    def _changed(self) -> bool:
        """Whether anything read may have changed: Redis pushed a change (or there is no connection)."""
        if self._connection is None:
            return True
        while self._connection.can_read(timeout=0):
            self._connection.read_response(push_request=True)
        pushed, self._pushed = self._pushed, False
        return pushed

    def _note_change(self, _push) -> None:
        self._pushed = True

    def _read(self, keys: list[str]) -> list[bytes | None]:
        connection = self._connection or self._connect()
        read_at = time.monotonic()
        connection.send_command("MGET", *keys)
        values = connection.read_response()  # a push read on the way is noted, for the next look
        if len(self._values) >= MAX_VALUES:
            self.clear()
        self._values.update((key, (value, read_at)) for key, value in zip(keys, values, strict=True) if value)
        return values

    def _connect(self):
        options = {**self._pool.connection_kwargs, "protocol": 3}
        connection = self._pool.connection_class(**options)
        connection.connect()
        connection._parser.set_invalidation_push_handler(self._note_change)  # as redis-py's own client cache
        connection.send_command(*TRACKING)
        try:
            connection.read_response()
        except ResponseError as error:
            connection.disconnect()
            raise TrackingRefused from error
        self._connection = connection
        return connection


def watch(pool) -> TokenWatch:
    """This thread's watch on the Redis server of a redis-py connection `pool` (a new one after a fork)."""
    watches = getattr(_threads, "watches", None)
    if watches is None or _threads.pid != os.getpid():
        watches = _threads.watches = {}
        _threads.pid = os.getpid()
    found = watches.get(pool)
    if found is None:
        found = watches[pool] = TokenWatch(pool)
    return found


def forget_all() -> None:
    """Forget this thread's values (after its own bump, before Redis's push arrives)."""
    for found in (getattr(_threads, "watches", None) or {}).values():
        found.clear()
