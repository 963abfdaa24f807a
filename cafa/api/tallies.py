"""The `anon` log entries and page visits of public pages served from memory, settled with Redis in batches.

A public page served from this process's memory (cafa/api/http_cache.py) asks Redis nothing: its request's
rate-limit log entry and its visit join this process's next batch, which a thread sends every
PUBLIC_HITS_SETTLE_SECONDS in one script (`shared_cache.settle`). The script logs each entry as the
one-by-one check does (the sliding log DRF keeps) and counts each visit; its answer names the logs the
batch left at their limit, as every one-by-one check of a log does when it finds or leaves it full
(`learn`). Until a slot frees up in such a log, the requests under it are checked one by one again (`add`
says no), as a miss is: refused with the exact wait.

The bounds this buys the speed with: a client can pass its limit by what it sends one worker within one
interval (a few requests at 20 ms), and a visit reaches Redis, and the view counts, within one interval.
A stopping process sends what it holds; a batch that fails (Redis down) or dies with a killed process is
lost, as a visit during an outage always was: fail open.
"""

import atexit
import logging
import os
import threading
import time

from django.conf import settings

from cafa.api import shared_cache

logger = logging.getLogger(__name__)


class Tallies:
    """One process's batch: the log entries and visits not yet sent, and the logs known to be full."""

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a child starts empty, with a lock of its own

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[shared_cache.RateLimit] = []
        self._visits: list[shared_cache.Visit] = []
        self._full_until: dict[str, float] = {}  # log key -> when a request under it may be admitted again
        self._sending = False

    def add(self, rate_limit: shared_cache.RateLimit | None, visit: shared_cache.Visit | None) -> bool:
        """Join the next batch; False (nothing joins) when the log is full: check that request now."""
        if rate_limit is not None and self._full_until.get(rate_limit.key, 0.0) > rate_limit.now:
            return False
        if rate_limit is None and visit is None:
            return True
        with self._lock:
            if rate_limit is not None:
                self._entries.append(rate_limit)
            if visit is not None:
                self._visits.append(visit)
            if not self._sending:  # the first entry of this process: start its sender
                self._sending = True
                threading.Thread(target=self._send_forever, name="cafa-tallies", daemon=True).start()
        return True

    def learn(self, rate_limit: shared_cache.RateLimit, verdict: shared_cache.RateVerdict) -> None:
        """Take note of a request checked one by one: if its log is full, the next ones are checked too."""
        until = verdict.refused_until(rate_limit.now)
        if until is not None:
            with self._lock:
                self._full_until[rate_limit.key] = until

    def forget_full_logs(self) -> None:
        """Forget which logs were full (after the cache was emptied: they are empty now)."""
        with self._lock:
            self._full_until = {}

    def settle(self) -> None:
        """Send the batch now (one script), and learn which logs it left full."""
        with self._lock:
            entries, visits, self._entries, self._visits = self._entries, self._visits, [], []
        if not (entries or visits):
            return
        full = shared_cache.settle(entries, visits)
        with self._lock:
            now = time.time()
            self._full_until = {key: until for key, until in self._full_until.items() if until > now} | full

    def _send_forever(self) -> None:
        while True:
            time.sleep(max(settings.PUBLIC_HITS_SETTLE_SECONDS, 0.005))
            try:
                self.settle()
            except Exception:  # a bug must not stop the counting for the rest of the process's life
                logger.exception("tallies_not_settled")


_tallies = Tallies()
add = _tallies.add
learn = _tallies.learn
forget_full_logs = _tallies.forget_full_logs
settle = _tallies.settle
atexit.register(settle)
