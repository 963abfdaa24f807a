"""Where page views and unique visitors wait in the cache before a flush writes them to the events.

`events.services.page_views` writes and drains the buffer; `events.selectors` reads it so that the
figures an organizer sees include the views of the last minutes (CONTRACT.md §5.4, §8.1).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

VIEWS_KEY = "events:page-views:{}"
VISITORS_KEY = "events:unique-visitors:{}"


@dataclass(frozen=True)
class ViewCounts:
    page_views: int = 0
    unique_visitors: int = 0

    def __add__(self, other: "ViewCounts") -> "ViewCounts":
        return ViewCounts(self.page_views + other.page_views, self.unique_visitors + other.unique_visitors)


def buffered_view_counts(event_ids: Iterable[int]) -> dict[int, ViewCounts]:
    """Views and visitors counted but not yet flushed, per event id (one cache round trip)."""
    event_ids = list(event_ids)
    if not event_ids:
        return {}
    keys = [key for pk in event_ids for key in (VIEWS_KEY.format(pk), VISITORS_KEY.format(pk))]
    buffered = cache.get_many(keys)
    return {
        pk: ViewCounts(int(buffered.get(VIEWS_KEY.format(pk)) or 0), int(buffered.get(VISITORS_KEY.format(pk)) or 0))
        for pk in event_ids
    }
