"""Public reads answered from the shared cache as ready bytes, and the HTTP caching headers around them.

An entry holds the rendered JSON of an answer, its ETag and the generation it was built under. It is served
only while that generation is current: a writer replaces the generation's token after its commit (`bump`),
and every entry built under the old token stops being served at once, with no key scan. An entry is also
served for PUBLIC_CACHE_SECONDS at most (its age is checked, and the cache expires it): the bound on how stale
a figure that no write bumps (stock after a purchase, an event turning `ongoing`) can be.

A shared answer is built from a `PublicRequest` (scheme, host, path and canonical query), never from the
caller: there is no user to read, so it is the same for everyone who may see it. A list's `next` and
`previous` links are the one part that echoes the request itself (every parameter, CONTRACT.md §1.8): they
are cut out of the kept bytes and written for each request as it is served (`PageSlots`).

An anonymous read pays at most one cache round trip: the `anon` rate limit is checked in the same call that
looks the answer up, and hits and misses count toward it alike (cafa/api/throttling.py, AnonThrottle). A
process keeps the current answers it found or built (`_remember_locally`); while its thread knows, from
tracked reads, that the generation of one is still current (cafa/api/token_watch.py), that answer is
served with no round trip at all, its rate-limit entry and visit left to the process's next batch
(cafa/api/tallies.py, which states the bounds). The rules above (generation, age) decide either way.

Every call to the shared cache goes through cafa/api/shared_cache.py, where a cache error is a miss.

Over 300 lines on purpose: the entry format, the generations, the HTTP headers and the view mixin
are one protocol; split, a reader would have to hold four modules to check that a stale answer is never served.
"""

import hashlib
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import parse_etags
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cafa.api import shared_cache, tallies
from cafa.api.pagination import page_urls

JSON_MEDIA_RANGES = frozenset({"*/*", "application/*", "application/json"})
MAX_LOCAL_BYTES = 32 * 1024 * 1024
MAX_REMEMBERED_KEYS = 10_000

# (namespace, origin, path, query string or None) -> the entry key of that request's answer (`_remembered_key`)
_entry_keys: dict[tuple, str] = {}

# entry key -> the last current answer this process found or built under it (`_remember_locally`)
_local_answers: dict[str, "ReadyAnswer"] = {}
_local_bytes = 0
KEPT_ON_NOT_MODIFIED = ("Allow", "Cache-Control", "ETag", "Vary")


@dataclass(frozen=True)
class PageSlots:
    """Where a list's `next` and `previous` links go in its kept bytes (offsets, in order), and the pages
    they name: each request gets links to those pages that keep its own query (`page_urls`)."""

    offsets: tuple[int, int]
    names: tuple[str, str]
    pages: dict


@dataclass(frozen=True)
class ReadyAnswer:
    """The bytes of a 200 answer, built at `built_at` under `generation`; `subject` is what it shows.

    For a list, `body` lacks the `next` and `previous` values (`slots` says where they go) and `etag` is the
    digest the request's links are added to.
    """

    body: bytes
    etag: str
    generation: tuple[str, ...] | None
    subject: int | None = None
    built_at: float = 0.0
    slots: PageSlots | None = None

    @property
    def is_fresh(self) -> bool:
        """Younger than PUBLIC_CACHE_SECONDS by this process's clock, whatever the backend's expiry does."""
        return time.time() - self.built_at < settings.PUBLIC_CACHE_SECONDS

    def for_request(self, request) -> tuple[bytes, str]:
        """The body and ETag served to `request`: for a list, with links that keep its query."""
        if self.slots is None:
            return self.body, self.etag
        urls = page_urls(request, self.slots.pages)
        links = [_json(urls[name]) for name in self.slots.names]
        (first, second), body = self.slots.offsets, self.body
        full = b"".join((body[:first], links[0], body[first:second], links[1], body[second:]))
        digest = hashlib.blake2b(b"\0".join((self.etag.encode(), *links)), digest_size=16).hexdigest()
        return full, f'"{digest}"'


@dataclass(frozen=True)
class Lookup:
    """What the cache holds under `key`: a current answer or None, and the generation read with it.

    `generation` is None when it is unknown (the cache is down, or whose generation counts is not known
    yet): an answer built then is served but not kept. `subject` is whose generation was read, if anyone's.
    """

    key: str
    answer: ReadyAnswer | None
    generation: tuple[str, ...] | None
    subject: int | None = None
    counted: bool = False  # a visit of `subject` was counted with this lookup
    rate_verdict: shared_cache.RateVerdict | None = None  # the rate limit's verdict, if one was checked with it

    @property
    def allowed(self) -> bool:
        return self.rate_verdict is None or self.rate_verdict.allowed


class PublicRequest:
    """What a shared answer may depend on: scheme, host, path and the canonical query. Never the caller."""

    def __init__(self, request, query_params):
        self._request = request
        self.query_params = query_params

    @cached_property
    def origin(self) -> str:
        """Scheme and host, as absolute URIs start (`http://host:port`)."""
        return self._request.build_absolute_uri("/")[:-1]

    def build_absolute_uri(self, location=None) -> str:
        if location is None:
            query = self.query_params.urlencode()
            location = f"{self._request.path}?{query}" if query else self._request.path
        return self._request.build_absolute_uri(location)

    def entry_key(self, namespace: str) -> str:
        """`entry_key(namespace, self.build_absolute_uri())`, remembered per origin, path and query string,
        which decide it (a list's canonical query is a function of its query string)."""
        request = self._request
        query = request.META.get("QUERY_STRING", "")
        return _remembered_key((namespace, request._current_scheme_host, request.path, query), self.build_absolute_uri)


def path_entry_key(namespace: str, request) -> str:
    """The entry key of the answer to `request`'s path, whatever its query (an event page's)."""
    memo = (namespace, request._current_scheme_host, request.path, None)
    return _remembered_key(memo, lambda: request.build_absolute_uri(request.path))


def _remembered_key(memo: tuple, url) -> str:
    """The entry key of `url()` under `memo[0]`, built once per `memo` (at most MAX_REMEMBERED_KEYS): traffic
    after an announcement asks for the same few URLs, and building one costs more than the rest of a hit."""
    key = _entry_keys.get(memo)
    if key is None:
        if len(_entry_keys) >= MAX_REMEMBERED_KEYS:
            _entry_keys.clear()
        key = _entry_keys[memo] = entry_key(memo[0], url())
    return key


def entry_key(namespace: str, url: str) -> str:
    """A fixed-length key for the answer to `url` (URLs can be long and hold any character)."""
    return f"{namespace}:{hashlib.sha256(url.encode()).hexdigest()}"


def find(
    key: str,
    generation_keys: Iterable[str] | None,
    *,
    subject: int | None = None,
    visit: shared_cache.Visit | None = None,
    rate_limit: shared_cache.RateLimit | None = None,
) -> Lookup:
    """Read an entry and the current generation in one round trip; the entry counts only if current.

    `generation_keys=None` means the generation is not known yet: the entry (if any) comes back as a
    miss whose `subject` says whose generation to look at next. A `rate_limit` is checked, and a `visit`
    (of `subject`) counted if it admits the request, in the same round trip, whatever the lookup finds: a
    page hit pays one round trip, not two. A refused lookup finds nothing.
    """
    local = _local_answers.get(key) if generation_keys else None  # only answers that writes make stale
    if local is not None and not (local.is_fresh and local.built_at <= time.time()):
        local = None  # stale (or built "later", by a clock since set back)
    if local is not None and (served := _served_from_memory(key, local, generation_keys, subject, visit, rate_limit)):
        return served
    keys = [*([] if local else [key]), *(generation_keys or ())]
    found = shared_cache.read(keys, visit=visit, rate_limit=rate_limit)
    if found.rate_verdict is not None:
        tallies.learn(rate_limit, found.rate_verdict)  # a full log: the next hits are checked one by one too
        if not found.rate_verdict.allowed:
            return Lookup(key, None, None, rate_verdict=found.rate_verdict)
    if generation_keys is None:
        stale = found.values.get(key)
        subject = stale.subject if isinstance(stale, ReadyAnswer) else None
        return Lookup(key, None, None, subject, rate_verdict=found.rate_verdict)
    generation = _current_generation(list(generation_keys), found.values)
    answer = local if local is not None and local.generation == generation else None
    if answer is None:
        values = found.values
        if local is not None and generation is not None:  # a newer generation: another worker's answer?
            values = shared_cache.read([key]).values
        answer = values.get(key)
        if not (isinstance(answer, ReadyAnswer) and answer.generation == generation is not None and answer.is_fresh):
            answer = None
        elif generation_keys:
            _remember_locally(key, answer)
    return Lookup(key, answer, generation, subject, counted=visit is not None, rate_verdict=found.rate_verdict)


def _served_from_memory(key, local: "ReadyAnswer", generation_keys, subject, visit, rate_limit) -> Lookup | None:
    """`local`, with no round trip, when this thread knows its generation is still current (tracked reads,
    cafa/api/token_watch.py) and the rate limit's log is not full: the log entry and the visit go to Redis
    in this process's next batch (cafa/api/tallies.py). None: ask Redis."""
    if settings.PUBLIC_HITS_SETTLE_SECONDS <= 0:
        return None
    tokens = shared_cache.tracked_values(list(generation_keys))
    if tokens is None or tuple(tokens) != local.generation or not tallies.add(rate_limit, visit):
        return None
    verdict = shared_cache.ALLOWED if rate_limit else None
    return Lookup(key, local, local.generation, subject, counted=visit is not None, rate_verdict=verdict)


def _remember_locally(key: str, answer: ReadyAnswer) -> None:
    """Keep a current answer built under a generation in this process too: while it is fresh and its
    generation current, a hit reads only the generation from the shared cache, not the answer's bytes, or
    nothing at all when its thread tracks the generation (`_served_from_memory`; MAX_LOCAL_BYTES in all).
    An answer under no generation lives as long as the shared entry does, which only the shared cache
    knows: it is never kept here."""
    global _local_bytes
    if _local_bytes + len(answer.body) > MAX_LOCAL_BYTES:
        _local_answers.clear()
        _local_bytes = 0
    previous = _local_answers.get(key)
    _local_bytes += len(answer.body) - (len(previous.body) if previous else 0)
    _local_answers[key] = answer


def render(data, lookup: Lookup, subject: int | None = None, *, paginated: bool = False) -> ReadyAnswer:
    """`data` as the bytes DRF's JSONRenderer writes for a plain `application/json`, under the lookup's
    generation if it was read for this very subject (before the data), else under none. A `paginated`
    answer is kept without its links (`PageSlots`)."""
    fresh = lookup.generation is not None and (lookup.subject is None or lookup.subject == subject)
    generation = lookup.generation if fresh else None
    body, slots = _cut_links(data) if paginated else (JSONRenderer().render(data), None)
    etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    return ReadyAnswer(body, etag, generation, subject, built_at=time.time(), slots=slots)


def keep(lookup: Lookup, answer: ReadyAnswer) -> None:
    """Store an answer for PUBLIC_CACHE_SECONDS, unless its generation was unknown when it was built."""
    if answer.generation is not None:
        shared_cache.put(lookup.key, answer, settings.PUBLIC_CACHE_SECONDS)
        if answer.generation:
            _remember_locally(lookup.key, answer)


def bump(*generation_keys: str) -> None:
    """Give each generation a new token: every answer built under the old ones is stale from now on."""
    if generation_keys:
        shared_cache.put_many({key: _token() for key in generation_keys}, None)
        shared_cache.forget_tracked()


def is_shared_read(request) -> bool:
    """A GET whose answer is the compact JSON every caller gets (no `format`, no `indent` in Accept)."""
    if request.method != "GET" or "format" in request.GET:
        return False
    accept = request.META.get("HTTP_ACCEPT", "")
    if not accept:
        return True
    media_ranges = {part.split(";", 1)[0].strip() for part in accept.split(",")}
    return bool(media_ranges & JSON_MEDIA_RANGES) and "indent" not in accept


def has_credentials(request) -> bool:
    return "HTTP_AUTHORIZATION" in request.META


def respond(request, answer: ReadyAnswer, *, shared: bool, headers: dict, vary: Iterable[str]) -> HttpResponse:
    """The answer as an HTTP response: 200 with the bytes, or 304 when `If-None-Match` names its ETag.

    `shared` answers may be kept by browsers and CDNs for PUBLIC_CACHE_SECONDS (and served while they
    revalidate for PUBLIC_CACHE_STALE_SECONDS more); answers to a caller with credentials are private.
    """
    body, etag = answer.for_request(request)
    response = HttpResponse(body, content_type="application/json")
    for name, value in headers.items():
        response[name] = value
    response["ETag"] = etag
    if shared:
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PUBLIC_CACHE_SECONDS,
            stale_while_revalidate=settings.PUBLIC_CACHE_STALE_SECONDS,
        )
    else:
        patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, tuple(vary))
    if not _none_match(request, etag):
        return response
    not_modified = HttpResponseNotModified()
    for name in KEPT_ON_NOT_MODIFIED:
        if name in response:
            not_modified[name] = response[name]
    return not_modified


class SharedAnswerMixin:
    """For DRF views of public reads: answers from the shared cache as ready bytes.

    An anonymous shared read (`is_shared_read`, no credentials) that finds a current answer is served in
    `dispatch`, before DRF authenticates, throttles or negotiates: a hit costs one cache round trip, in which
    the view's anonymous rate limit is checked too. Everything else runs through DRF as usual, so errors,
    throttling (a refused lookup's 429 included) and a bad token behave as before; the handler then calls
    `answer()`, which serves from the cache or builds, keeps and serves the answer.

    Subclasses implement `find_answer(public, request, *, user, rate_limit, **kwargs) -> Lookup` and
    `build_answer(public, **kwargs) -> (data, subject)`, and may override `public_request` and
    `answer_served`. `personal = False` marks views that ignore credentials altogether; `paginated = True`
    lists whose `next`/`previous` links keep each request's own query.
    """

    personal = True
    paginated = False

    def dispatch(self, request, *args, **kwargs):
        self.shared_lookup = None
        self.rate_verdict = None  # the anonymous rate limit's verdict, when the lookup checked it
        if is_shared_read(request) and not (self.personal and has_credentials(request)):
            foldable, rate_limit = self.anonymous_rate_limit(request)
            if foldable:
                self.headers = self.default_response_headers
                public = self.public_request(request)
                lookup = self.find_answer(public, request, user=None, rate_limit=rate_limit, **kwargs)
                self.rate_verdict = lookup.rate_verdict  # a refusal is answered by DRF's throttling: one envelope
                if lookup.allowed and lookup.answer is not None:
                    self.answer_served(request, lookup.answer.subject, user=None, counted=lookup.counted)
                    return respond(request, lookup.answer, shared=True, headers=self.headers, vary=self.vary)
                self.shared_lookup = lookup if lookup.allowed else None
        return super().dispatch(request, *args, **kwargs)

    def anonymous_rate_limit(self, request) -> tuple[bool, shared_cache.RateLimit | None]:
        """Whether every throttle of this view can be checked in the lookup (each says what it asks of an
        anonymous request: `rate_limit_for_anonymous`), and the one rate limit they ask for, if any."""
        limits = []
        for throttle in self.get_throttles():
            ask = getattr(throttle, "rate_limit_for_anonymous", None)
            if ask is None:
                return False, None
            if (limit := ask(request)) is not None:
                limits.append(limit)
        return (True, limits[0]) if len(limits) <= 1 else (False, None)

    @property
    def vary(self) -> tuple[str, ...]:
        return ("Accept", "Authorization") if self.personal else ("Accept",)

    def answer(self, request, **kwargs):
        """Serve the shared answer (from the cache, or built and kept); other reads get a plain Response."""
        public = self.public_request(request)
        if not is_shared_read(request):
            data, subject = self.build_answer(public, **kwargs)
            self.answer_served(request, subject, user=request.user, counted=False)
            response = Response(with_page_links(data, request) if self.paginated else data)
            patch_vary_headers(response, self.vary)
            return response
        lookup = self.shared_lookup or self.find_answer(public, request, user=request.user, rate_limit=None, **kwargs)
        answer = lookup.answer
        if answer is None:
            data, subject = self.build_answer(public, **kwargs)
            answer = render(data, lookup, subject, paginated=self.paginated)
            keep(lookup, answer)
        counted = lookup.counted and lookup.subject == answer.subject
        self.answer_served(request, answer.subject, user=request.user, counted=counted)
        shared = not (self.personal and has_credentials(request))
        return respond(request, answer, shared=shared, headers={}, vary=self.vary)

    def public_request(self, request) -> PublicRequest:
        """The request as a shared answer may see it; lists narrow the query to its canonical form."""
        return PublicRequest(request, request.GET.copy())

    def answer_served(self, request, subject: int | None, *, user, counted: bool) -> None:
        """Called once per answer served (hit, miss or 304); `user` is None on the anonymous fast path;
        `counted` when `find_answer` already counted a visit (of the lookup's subject)."""


def with_page_links(data: dict, request) -> dict:
    """A page of a list with `next` and `previous` keeping `request`'s own query (CONTRACT.md §1.8)."""
    return {**data, **page_urls(request, _linked_pages(data))}


def _linked_pages(data: dict) -> dict:
    """The page numbers `next` and `previous` name (None where there is no such page)."""
    page = data["current_page"]
    return {"next": page + 1 if data["next"] else None, "previous": page - 1 if data["previous"] else None}


def _cut_links(data: dict) -> tuple[bytes, PageSlots]:
    """A page's bytes without its `next` and `previous` values, and where they go: each is rendered as a
    token no data can hold (new for every answer), found and cut out."""
    tokens = {name: f"link-{secrets.token_hex(16)}" for name in ("next", "previous")}
    rendered = JSONRenderer().render({**data, **tokens})
    places = sorted((rendered.index(_json(token)), name) for name, token in tokens.items())
    body, offsets, cut = b"", [], 0
    for place, name in places:
        body += rendered[cut:place]
        offsets.append(len(body))
        cut = place + len(_json(tokens[name]))
    body += rendered[cut:]
    names = tuple(name for _, name in places)
    return body, PageSlots(offsets=tuple(offsets), names=names, pages=_linked_pages(data))


def _json(value) -> bytes:
    """A JSON string or null as DRF's JSONRenderer writes it (compact, unescaped Unicode)."""
    return json.dumps(value, ensure_ascii=False).encode()


def _none_match(request, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in {tag.removeprefix("W/") for tag in tags}


def _current_generation(keys: list[str], values: dict) -> tuple[str, ...] | None:
    """The tokens of `keys`; a missing one is created (and the generation is unknown if another
    process created it first, or the cache is down)."""
    for key in keys:
        if key not in values:
            token = _token()
            if not shared_cache.add(key, token, None):
                return None
            values[key] = token
    return tuple(values[key] for key in keys)


def _token() -> str:
    return secrets.token_hex(8)
