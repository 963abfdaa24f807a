"""Page views and unique visitors of event pages, buffered in the cache (CONTRACT.md §4.4).

A page hit only touches the cache; `flush_event_view_counts` (a periodic Celery task) moves the buffered
counts to the event rows with one `F()` UPDATE per viewed event. Reads add what is still buffered
(`events.selectors.with_current_view_counts`), so nobody waits for a flush to see a view.
"""

import contextlib
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from events.models import Event
from events.page_view_buffer import VIEWS_KEY, VISITORS_KEY, buffered_view_counts

SEEN_KEY = "events:seen:{}:{}:{}"
FLUSH_LOCK_KEY = "events:page-views:flush-lock"
SEEN_TIMEOUT = int(timedelta(days=2).total_seconds())
FLUSH_LOCK_TIMEOUT = 300
FLUSH_BATCH = 500


def record_event_view(*, event_id: int, visitor: str) -> None:
    """Count one view of the event, and one unique visitor once per Accra day per `visitor` key. No DB write."""
    _increment(VIEWS_KEY.format(event_id))
    today = timezone.localdate(timezone=ZoneInfo(settings.EVENT_TIME_ZONE)).isoformat()
    if cache.add(SEEN_KEY.format(event_id, today, visitor), 1, timeout=SEEN_TIMEOUT):
        _increment(VISITORS_KEY.format(event_id))


def flush_event_view_counts() -> int:
    """Add the buffered counts to `Event.page_views` / `unique_visitors`; returns how many events changed.

    Only the amounts read are subtracted from the buffer (`cache.decr`), so hits counted while the flush
    runs stay buffered for the next one. A cache lock keeps two flushes from running at once.
    """
    if not cache.add(FLUSH_LOCK_KEY, 1, timeout=FLUSH_LOCK_TIMEOUT):
        return 0
    try:
        updated = 0
        event_ids = list(Event.objects.order_by().values_list("pk", flat=True))
        for start in range(0, len(event_ids), FLUSH_BATCH):
            updated += _flush_batch(event_ids[start : start + FLUSH_BATCH])
        return updated
    finally:
        cache.delete(FLUSH_LOCK_KEY)


def _flush_batch(event_ids: list[int]) -> int:
    updated = 0
    for pk, counts in buffered_view_counts(event_ids).items():
        views, visitors = counts.page_views, counts.unique_visitors
        if not views and not visitors:
            continue
        Event.objects.filter(pk=pk).update(
            page_views=F("page_views") + views, unique_visitors=F("unique_visitors") + visitors
        )
        _take(VIEWS_KEY.format(pk), views)
        _take(VISITORS_KEY.format(pk), visitors)
        updated += 1
    return updated


def _increment(key: str) -> None:
    if cache.add(key, 1, timeout=None):
        return
    try:
        cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.add(key, 1, timeout=None)


def _take(key: str, amount: int) -> None:
    if not amount:
        return
    with contextlib.suppress(ValueError):  # evicted: nothing left to subtract
        cache.decr(key, amount)
