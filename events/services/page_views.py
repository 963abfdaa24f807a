"""Page views and unique visitors of event pages, buffered in the cache (CONTRACT.md §4.4).

A page hit only touches the cache (a page served from a worker's memory, with that worker's next batch:
cafa/api/tallies.py, within PUBLIC_HITS_SETTLE_SECONDS); `flush_event_view_counts` (a periodic Celery task)
moves the buffered counts to the event rows with one `F()` UPDATE per viewed event. Reads add what is still buffered
(`events.selectors.with_current_view_counts`), so nobody waits for a flush to see a view.
"""

import contextlib
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from cafa.api import shared_cache
from events.models import Event
from events.page_view_buffer import VIEWS_KEY, VISITORS_KEY, buffered_view_counts

SEEN_KEY = "events:seen:{}:{}:{}"
FLUSH_LOCK_KEY = "events:page-views:flush-lock"
SEEN_TIMEOUT = int(timedelta(days=2).total_seconds())
FLUSH_LOCK_TIMEOUT = 300
FLUSH_BATCH = 500


def event_visit(*, event_id: int, visitor: str) -> shared_cache.Visit:
    """One view of the event, and one unique visitor once per Accra day per `visitor` key, as counters in the
    cache; `http_cache.find` can count it in the round trip that looks the page up."""
    today = timezone.localdate(timezone=ZoneInfo(settings.EVENT_TIME_ZONE)).isoformat()
    return shared_cache.Visit(
        views_key=VIEWS_KEY.format(event_id),
        seen_key=SEEN_KEY.format(event_id, today, visitor),
        visitors_key=VISITORS_KEY.format(event_id),
        seen_seconds=SEEN_TIMEOUT,
    )


def record_event_view(*, event_id: int, visitor: str) -> None:
    """Count one view of the event and its visitor (`event_visit`). No DB write; one cache round trip."""
    shared_cache.count_visit(event_visit(event_id=event_id, visitor=visitor))


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


def _take(key: str, amount: int) -> None:
    if not amount:
        return
    with contextlib.suppress(ValueError):  # evicted: nothing left to subtract
        cache.decr(key, amount)
