"""The public catalogue in the shared cache: keys, generations, canonical queries, and the bumps after writes.

Two kinds of generation (see cafa/api/http_cache.py):

* the catalogue's, under which the event lists, past events and categories are built: bumped by every write
  that changes what a list or a category count can show;
* one per event, under which its page (P4) is built: bumped by every write to the event, its ticket types or
  images, its organizer's public profile or its category.

Writers call `events_changed` inside their transaction; the bump runs after the commit, so a reader can
never keep the pre-commit state under the new generation. What no write bumps may lag by up to
PUBLIC_CACHE_SECONDS: stock after purchases, an event turning `ongoing`, and what an event page shows of
other events (its similar events and its organizer's totals).
"""

from dataclasses import replace

from django.db import transaction
from django.http import QueryDict

from cafa.api import http_cache
from events.services.page_views import event_visit

CATALOGUE = "events:generation:catalogue"
LIST_NAMESPACE = "events:answer:list"
DETAIL_NAMESPACE = "events:answer:detail"
CATEGORIES_KEY = "events:answer:categories"
MAX_REMEMBERED_LOOKUPS = 10_000
MAX_REMEMBERED_QUERIES = 10_000

# (filter set, pagination, query string) -> its canonical query: a pure function of them, remembered because
# a list under announcement traffic is asked for with the same few query strings again and again.
_canonical_queries: dict[tuple, QueryDict] = {}

# `{event}` path segment -> event id, learnt from answers built in this process. Only a hint: an entry
# carries the id it shows, and is served only under that id's current generation.
_event_ids: dict[str, int] = {}


def event_generation(event_id: int) -> str:
    return f"events:generation:event:{event_id}"


def events_changed(*event_ids: int) -> None:
    """Make the catalogue and these events' pages stale once the current transaction commits."""
    keys = [CATALOGUE, *(event_generation(pk) for pk in sorted(set(event_ids)))]
    transaction.on_commit(lambda: http_cache.bump(*keys))


# --- Lists and categories ---------------------------------------------------------------------


def catalogue_query(query_params, filterset_class, pagination_class, query_string=None) -> QueryDict:
    """The canonical form of a list query (immutable): the documented parameters only (others are ignored,
    as the filters always did), each once with its last value, empty and default values left out, sorted.

    Requests that differ only in spelling share one answer; its `next`/`previous` links are written for
    each request from its own query (cafa/api/http_cache.py, PageSlots). Given the `query_string` that
    `query_params` were parsed from, the answer is remembered under it (at most MAX_REMEMBERED_QUERIES).
    """
    if query_string is None:
        return _canonical(query_params, filterset_class, pagination_class)
    key = (filterset_class, pagination_class, query_string)
    canonical = _canonical_queries.get(key)
    if canonical is None:
        if len(_canonical_queries) >= MAX_REMEMBERED_QUERIES:
            _canonical_queries.clear()
        canonical = _canonical_queries[key] = _canonical(query_params, filterset_class, pagination_class)
    return canonical


def _canonical(query_params, filterset_class, pagination_class) -> QueryDict:
    defaults = {"page": "1", "page_size": str(pagination_class.page_size)}
    if "status" in filterset_class.base_filters:
        defaults["status"] = "upcoming"
    canonical = QueryDict(mutable=True)
    for name in sorted({*filterset_class.base_filters, "page", "page_size"}):
        value = query_params.get(name)
        if name == "page_size":
            value = _page_size(value, pagination_class)
        elif name == "page":
            value = _page_number(value)
        if value and value != defaults.get(name):
            canonical[name] = value
    canonical._mutable = False
    return canonical


def _page_size(value, pagination_class) -> str | None:
    """The page size pagination will use (an invalid one means the default, as in DRF)."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return None
    return str(min(size, pagination_class.max_page_size)) if size > 0 else None


def _page_number(value) -> str | None:
    stripped = (value or "").strip()
    return str(int(stripped)) if stripped.isascii() and stripped.isdigit() else value


def find_list_answer(public, rate_limit=None) -> http_cache.Lookup:
    return http_cache.find(public.entry_key(LIST_NAMESPACE), [CATALOGUE], rate_limit=rate_limit)


def find_categories_answer(rate_limit=None) -> http_cache.Lookup:
    return http_cache.find(CATEGORIES_KEY, [CATALOGUE], rate_limit=rate_limit)


# --- Event pages ------------------------------------------------------------------------------


def find_event_answer(request, lookup: str, visitor: str, rate_limit=None) -> http_cache.Lookup:
    """The page of `{event}` = `lookup`, served only under the generation of the event it shows, counting
    `visitor`'s view of that event in the same round trip as the `rate_limit`'s check (if it admits).

    Which event that is, this process learns from the answers it builds (`remember_event`) or finds; before
    that, the entry itself says (one more round trip, which checks the rate limit), and without an entry an
    answer is built but not kept, because its generation could not be read before the data. A wrong guess
    (a slug freed by a deletion and taken again) only costs a miss: the entry records the event it shows.
    """
    key = http_cache.path_entry_key(DETAIL_NAMESPACE, request)
    event_id, rate_verdict = _event_ids.get(lookup), None
    if event_id is None:
        probe = http_cache.find(key, None, rate_limit=rate_limit)
        if probe.subject is None or not probe.allowed:
            return probe
        event_id, rate_verdict, rate_limit = probe.subject, probe.rate_verdict, None  # checked once
        remember_event(lookup, event_id)  # the other workers' answers teach this one too
    visit = event_visit(event_id=event_id, visitor=visitor)
    found = http_cache.find(key, [event_generation(event_id)], subject=event_id, visit=visit, rate_limit=rate_limit)
    return found if rate_verdict is None else replace(found, rate_verdict=rate_verdict)


def remember_event(lookup: str, event_id: int | None) -> None:
    """Learn (or, with None, forget) which event `{event}` = `lookup` shows."""
    if event_id is None:
        _event_ids.pop(lookup, None)
        return
    if len(_event_ids) >= MAX_REMEMBERED_LOOKUPS:
        _event_ids.clear()
    _event_ids[lookup] = event_id
