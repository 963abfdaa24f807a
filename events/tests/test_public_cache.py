"""The public catalogue from the shared cache: ready bytes, fresh after writes, never personal, HTTP caching."""

import pytest
from django.core.cache import caches
from django.utils import timezone
from redis.client import Pipeline, Redis
from redis.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from cafa.api import http_cache
from cafa.api.throttling import AnonThrottle
from events import public_cache
from events.models import Event
from events.views.public import PublicEventListView

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
SHOWN_HEADERS = ("Content-Type", "ETag", "Cache-Control", "Vary", "Allow")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed: the generation bumps are on-commit callbacks."""

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


def detail(event) -> str:
    return f"{EVENTS}{event.slug}/"


def warm(client, url, **headers):
    """Read twice: an event page is kept from its second read on (the first one learns which event it is)."""
    client.get(url, **headers)
    return client.get(url, **headers)


def headers_of(response) -> dict:
    return {name: response.get(name) for name in SHOWN_HEADERS}


def without_links(body: dict) -> dict:
    return {name: value for name, value in body.items() if name not in ("next", "previous")}


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["results"]]


def client_with_token(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


# --- Ready bytes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"{EVENTS}?status=all&page_size=5",
        f"{EVENTS}past/",
        "/api/v1/event-categories/",
        "/api/v1/public/stats/",
        "detail",
    ],
)
def test_a_repeated_read_is_the_same_bytes_with_no_query(anonymous, gig, make_event, url, django_assert_num_queries):
    make_event(days=-3)
    url = detail(gig) if url == "detail" else url
    built = warm(anonymous, url)
    with django_assert_num_queries(0):
        served = anonymous.get(url)
    assert served.status_code == built.status_code == 200
    assert served.content == built.content
    assert headers_of(served) == headers_of(built)
    assert served["Cache-Control"] == "public, max-age=5, stale-while-revalidate=30"


def test_an_event_page_from_the_cache_still_counts_its_view_and_visitor(anonymous, gig):
    from events import services

    for agent in ("Firefox", "Firefox", "Safari"):
        warm(anonymous, detail(gig), HTTP_USER_AGENT=agent)
    services.flush_event_view_counts()
    gig.refresh_from_db()
    assert (gig.page_views, gig.unique_visitors) == (6, 2)


def test_every_answer_served_counts_once(anonymous, gig, organizer):
    from events import services

    etag = warm(anonymous, detail(gig))["ETag"]  # a miss, then one kept
    anonymous.get(detail(gig))  # a hit
    anonymous.get(detail(gig), HTTP_IF_NONE_MATCH=etag)  # a 304
    client_with_token(organizer).get(detail(gig))  # signed in
    services.flush_event_view_counts()
    gig.refresh_from_db()
    assert (gig.page_views, gig.unique_visitors) == (5, 2)


def test_a_slug_taken_again_shows_its_new_event(anonymous, organizer_client, gig, make_event, commit):
    warm(anonymous, detail(gig))
    response = commit(lambda: organizer_client.delete(f"{EVENTS}{gig.slug}/delete/"))
    assert response.status_code == 200
    successor = make_event(title="Highlife Night", slug=gig.slug, venue_city="Kumasi")
    for _ in range(3):
        assert anonymous.get(detail(successor)).json()["venue"]["city"] == "Kumasi"


def test_spellings_of_one_list_query_share_one_answer(anonymous, make_event, django_assert_num_queries):
    for _ in range(7):
        make_event()
    built = anonymous.get(EVENTS, {"page_size": 3, "city": "Accra"})
    same = [
        f"{EVENTS}?city=Accra&page_size=3",
        f"{EVENTS}?page_size=3&city=Accra&utm_source=radio",  # unknown parameters are ignored, as always
        f"{EVENTS}?city=Nowhere&city=Accra&page_size=3&page=1&status=upcoming",  # last value wins; defaults
        f"{EVENTS}?page_size=03&search=&city=Accra",  # empty values mean "not given"
    ]
    for url in same:
        with django_assert_num_queries(0):
            served = anonymous.get(url).json()
        assert without_links(served) == without_links(built.json())
    assert built.json()["filters_applied"]["city"] == "Accra"


# --- Links keep every query parameter of the request (CONTRACT.md §1.8) ---------------------------


@pytest.mark.parametrize(
    ("query", "next_link", "previous_link"),
    [
        ("city=Accra&page_size=3&utm_source=radio", "city=Accra&page=2&page_size=3&utm_source=radio", None),
        ("page=1&status=upcoming&page_size=3", "page=2&page_size=3&status=upcoming", None),  # defaults, given
        ("city=Nowhere&city=Accra&page_size=3", "city=Nowhere&city=Accra&page=2&page_size=3", None),  # twice
        ("page_size=03&q=&page=2&fbclid=x", "fbclid=x&page=3&page_size=03&q=", "fbclid=x&page_size=03&q="),
        ("page=3&page_size=3&city=Accra", None, "city=Accra&page=2&page_size=3"),
    ],
)
def test_links_keep_every_parameter_of_the_request(anonymous, organizer, make_event, query, next_link, previous_link):
    for _ in range(7):
        make_event()
    url = f"{EVENTS}?{query}"
    expected = {
        "next": next_link and f"http://testserver{EVENTS}?{next_link}",
        "previous": previous_link and f"http://testserver{EVENTS}?{previous_link}",
    }
    for reader, headers in [
        (anonymous, {}),  # built and kept
        (anonymous, {}),  # from the cache
        (anonymous, {"HTTP_ACCEPT": "application/json; indent=2"}),  # never shared
        (client_with_token(organizer), {}),  # signed in
    ]:
        body = reader.get(url, **headers).json()
        assert {name: body[name] for name in expected} == expected


def test_the_links_of_one_kept_answer_differ_by_request_and_so_does_the_etag(anonymous, make_event):
    for _ in range(4):
        make_event()
    first = anonymous.get(EVENTS, {"page_size": 2, "ref": "radio"})
    second = anonymous.get(EVENTS, {"page_size": 2, "ref": "tv"})
    assert first.json()["next"].endswith("?page=2&page_size=2&ref=radio")
    assert second.json()["next"].endswith("?page=2&page_size=2&ref=tv")
    assert first["ETag"] != second["ETag"]
    again = anonymous.get(EVENTS, {"page_size": 2, "ref": "radio"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert anonymous.get(EVENTS, {"page_size": 2, "ref": "tv"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_no_data_can_pass_for_a_link(anonymous, make_event):
    make_event(title='"next": "https://evil.example/"')
    make_event(title="link-0123")
    body = anonymous.get(EVENTS, {"page_size": 1}).json()
    assert body["next"] == "http://testserver/api/v1/events/?page=2&page_size=1"
    assert {item["title"] for item in body["results"]} <= {'"next": "https://evil.example/"', "link-0123"}


def test_page_size_is_keyed_as_the_size_pagination_uses(anonymous, make_event, django_assert_num_queries):
    make_event()
    built = anonymous.get(EVENTS, {"page_size": 5000})
    assert built.json()["page_size"] == 1000
    with django_assert_num_queries(0):
        assert anonymous.get(EVENTS, {"page_size": 1000}).content == built.content
    assert anonymous.get(EVENTS, {"page_size": "abc"}).json()["page_size"] == 20


def test_errors_are_never_kept(anonymous, make_event):
    make_event()
    for _ in range(2):
        assert anonymous.get(EVENTS, {"ordering": "bogus"}).status_code == 400
        assert anonymous.get(EVENTS, {"page": 9}).status_code == 404
        assert anonymous.get(f"{EVENTS}no-such-event/").status_code == 404


# --- Fresh after writes -----------------------------------------------------------------------


def test_an_edit_shows_at_once(anonymous, organizer_client, gig, commit):
    warm(anonymous, detail(gig)), warm(anonymous, EVENTS)
    update = f"{EVENTS}{gig.slug}/update/"
    response = commit(lambda: organizer_client.patch(update, {"title": "Highlife Night II"}, format="json"))
    assert response.status_code == 200
    assert anonymous.get(detail(gig)).json()["title"] == "Highlife Night II"
    assert titles(anonymous.get(EVENTS)) == ["Highlife Night II"]


def test_a_price_change_shows_at_once(anonymous, organizer_client, gig, verified_profile, commit):
    gig.payment_profile = verified_profile
    gig.save()
    ticket_type = gig.ticket_types.get()
    warm(anonymous, detail(gig)), warm(anonymous, EVENTS)
    url = f"{EVENTS}{gig.slug}/tickets/{ticket_type.pk}/"
    response = commit(lambda: organizer_client.patch(url, {"price": 80}, format="json"))
    assert response.status_code == 200
    assert anonymous.get(detail(gig)).json()["ticket_types"][0]["price"] == 80
    assert anonymous.get(EVENTS).json()["results"][0]["lowest_price"] == 80


def test_a_new_ticket_type_shows_at_once(anonymous, organizer_client, gig, commit):
    warm(anonymous, detail(gig))
    new_type = {"name": "Early Bird", "price": 0, "quantity": 20}
    response = commit(lambda: organizer_client.post(f"{EVENTS}{gig.slug}/tickets/", new_type, format="json"))
    assert response.status_code == 201
    assert [item["name"] for item in anonymous.get(detail(gig)).json()["ticket_types"]] == ["Early Bird", "Regular"]
    assert anonymous.get(EVENTS).json()["results"][0]["total_tickets"] == 120


def test_unpublishing_hides_the_event_at_once(anonymous, organizer_client, gig, commit):
    warm(anonymous, detail(gig)), warm(anonymous, EVENTS), warm(anonymous, "/api/v1/event-categories/")
    update = f"{EVENTS}{gig.slug}/update/"
    response = commit(lambda: organizer_client.patch(update, {"is_published": False}, format="json"))
    assert response.status_code == 200
    assert anonymous.get(detail(gig)).status_code == 404
    assert titles(anonymous.get(EVENTS)) == []
    music = next(c for c in anonymous.get("/api/v1/event-categories/").json()["categories"] if c["slug"] == "music")
    assert music["event_count"] == 0


def test_deleting_removes_the_event_at_once(anonymous, organizer_client, gig, commit):
    warm(anonymous, detail(gig)), warm(anonymous, EVENTS)
    response = commit(lambda: organizer_client.delete(f"{EVENTS}{gig.slug}/delete/"))
    assert response.status_code == 200
    assert anonymous.get(detail(gig)).status_code == 404
    assert titles(anonymous.get(EVENTS)) == []


def test_an_organizer_profile_change_shows_on_their_pages(anonymous, organizer, client_for, gig, commit):
    warm(anonymous, detail(gig)), warm(anonymous, EVENTS)
    profile = client_for(organizer)
    response = commit(lambda: profile.patch("/api/v1/auth/profile/", {"full_name": "Ama Mensah-Boateng"}))
    assert response.status_code == 200
    assert anonymous.get(detail(gig)).json()["organizer"]["full_name"] == "Ama Mensah-Boateng"
    assert anonymous.get(EVENTS).json()["results"][0]["organizer"]["full_name"] == "Ama Mensah-Boateng"


def test_staff_edits_in_the_admin_show_at_once(anonymous, client, make_user, gig, music, commit):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    warm(anonymous, detail(gig)), warm(anonymous, "/api/v1/event-categories/")
    category = {"name": "Live Music", "slug": "music", "description": "", "icon": "FaMusic", "is_active": "on"}
    response = commit(lambda: client.post(f"/admin/events/category/{music.pk}/change/", category))
    assert response.status_code == 302
    assert anonymous.get(detail(gig)).json()["category"]["name"] == "Live Music"
    names = [item["name"] for item in anonymous.get("/api/v1/event-categories/").json()["categories"]]
    assert "Live Music" in names
    response = commit(lambda: client.post(f"/admin/events/event/{gig.pk}/delete/", {"post": "yes"}))
    assert response.status_code == 302
    assert anonymous.get(detail(gig)).status_code == 404


def test_the_bump_waits_for_the_commit(anonymous, organizer, gig, django_capture_on_commit_callbacks):
    from events.services import update_event

    warm(anonymous, EVENTS)
    with django_capture_on_commit_callbacks() as callbacks:
        update_event(event=gig, organizer=organizer, data={"title": "Renamed"})
        # not committed yet: readers still get (and may keep) the old answer under the old generation
        assert titles(anonymous.get(EVENTS)) == ["Highlife Night"]
    assert callbacks
    for callback in callbacks:
        callback()
    assert titles(anonymous.get(EVENTS)) == ["Renamed"]


def test_answers_expire_after_the_stated_bound(anonymous, gig, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    warm(anonymous, EVENTS)
    Event.objects.filter(pk=gig.pk).update(title="Changed behind the services' back")
    time_machine.shift(4)
    assert titles(anonymous.get(EVENTS)) == ["Highlife Night"]
    time_machine.shift(2)
    assert titles(anonymous.get(EVENTS)) == ["Changed behind the services' back"]


# --- Never personal ---------------------------------------------------------------------------


def test_a_signed_in_read_gets_the_same_bytes_privately(anonymous, organizer, gig):
    public = warm(anonymous, detail(gig))
    own = client_with_token(organizer).get(detail(gig))
    assert own.content == public.content
    assert own["Cache-Control"] == "private, no-store"
    assert "Authorization" in own["Vary"]


def test_a_bad_token_is_refused_even_when_the_answer_is_cached(anonymous, gig):
    warm(anonymous, EVENTS)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get(EVENTS).status_code == 401


def test_shared_answers_cannot_read_who_asked(rf, gig):
    """A shared answer is built from the URL alone: its request has no user, session or credentials."""
    from cafa.api.http_cache import PublicRequest

    public = PublicRequest(rf.get(EVENTS, HTTP_AUTHORIZATION="Bearer x"), rf.get(EVENTS).GET)
    assert not any(hasattr(public, name) for name in ("user", "auth", "session", "META", "COOKIES"))
    data, _ = PublicEventListView().build_answer(public)
    assert data["results"][0]["title"] == "Highlife Night"


def test_the_organizers_own_lists_are_never_shared(organizer_client, gig, django_assert_max_num_queries):
    for _ in range(2):
        response = organizer_client.get(f"{EVENTS}my-events/")
        assert response.status_code == 200 and "public" not in response.get("Cache-Control", "")


# --- HTTP caching -----------------------------------------------------------------------------


@pytest.mark.parametrize("cached", [True, False])
def test_if_none_match_answers_304(anonymous, gig, cached):
    etag = warm(anonymous, detail(gig))["ETag"]
    if not cached:
        caches["default"].clear()
    response = anonymous.get(detail(gig), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag and response["Cache-Control"].startswith("public")
    assert "Accept" in response["Vary"]
    assert anonymous.get(detail(gig), HTTP_IF_NONE_MATCH=f'W/{etag}, "other"').status_code == 304
    assert anonymous.get(detail(gig), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_an_edit_changes_the_etag(anonymous, organizer_client, gig, commit):
    etag = warm(anonymous, EVENTS)["ETag"]
    update = f"{EVENTS}{gig.slug}/update/"
    commit(lambda: organizer_client.patch(update, {"title": "Highlife Night Returns"}, format="json"))
    response = anonymous.get(EVENTS, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_stats_ignore_credentials_so_they_do_not_vary_on_them(anonymous, gig):
    response = warm(anonymous, "/api/v1/public/stats/")
    assert "Authorization" not in response["Vary"] and response["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    ("accept", "status", "indented"),
    [("text/html", 406, False), ("application/json; indent=2", 200, True), ("text/html,*/*;q=0.8", 200, False)],
)
def test_the_accept_header_is_honoured_as_before(anonymous, gig, accept, status, indented):
    warm(anonymous, EVENTS)
    response = anonymous.get(EVENTS, HTTP_ACCEPT=accept)
    assert response.status_code == status
    assert (b'\n  "count"' in response.content) is indented


# --- Throttled like everything else (CONTRACT.md §1.10: `anon`) ----------------------------------


def assert_throttled(response, retry_after: int):
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    body = response.json()
    assert (body["error"], body["retry_after"], body["status_code"]) == ("Too Many Requests", retry_after, 429)
    assert body["message"] == f"Request was throttled. Try again in {retry_after} seconds."


@pytest.mark.parametrize("served", ["hit", "miss"])
def test_the_301st_anonymous_read_within_a_minute_is_refused(anonymous, gig, settings, frozen, served):
    if served == "miss":
        settings.PUBLIC_CACHE_SECONDS = 0  # nothing is kept: every read builds its answer
    url = f"{EVENTS}?page_size=5"
    for _n in range(300):
        assert anonymous.get(url).status_code == 200, _n
    assert_throttled(anonymous.get(url), retry_after=60)
    assert_throttled(anonymous.get(f"{EVENTS}?page_size=6"), retry_after=60)  # a miss, too
    frozen.shift(60)
    assert anonymous.get(url).status_code == 200


def test_hits_misses_and_every_other_read_count_toward_one_limit(anonymous, gig, organizer, frozen, monkeypatch):
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "6/min"})
    anonymous.get(EVENTS)  # a miss
    anonymous.get(EVENTS)  # a hit
    warm(anonymous, detail(gig))  # a miss (the page's event is learnt), then a hit
    anonymous.get(EVENTS, HTTP_ACCEPT="application/json; indent=2")  # never from the cache
    anonymous.post("/api/v1/auth/jwt/verify/", {"token": "x"}, format="json")  # any other endpoint
    assert_throttled(anonymous.get(EVENTS), retry_after=60)
    assert_throttled(anonymous.get(f"{EVENTS}past/"), retry_after=60)
    assert_throttled(anonymous.get(detail(gig)), retry_after=60)
    assert_throttled(anonymous.post("/api/v1/auth/jwt/verify/", {"token": "x"}, format="json"), retry_after=60)
    assert client_with_token(organizer).get(EVENTS).status_code == 200  # users have their own limit
    other_address = anonymous.get(EVENTS, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_the_limit_slides_with_the_oldest_request(anonymous, gig, frozen, monkeypatch):
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    anonymous.get(EVENTS)
    frozen.shift(30)
    anonymous.get(EVENTS)
    frozen.shift(10)
    assert_throttled(anonymous.get(EVENTS), retry_after=20)  # refused requests are not logged
    frozen.shift(21)
    assert anonymous.get(EVENTS).status_code == 200  # the first one has left the minute
    assert_throttled(anonymous.get(EVENTS), retry_after=29)


def test_a_refused_page_read_counts_no_view(anonymous, gig, monkeypatch):
    from events import services

    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    warm(anonymous, detail(gig))
    assert anonymous.get(detail(gig)).status_code == 429
    services.flush_event_view_counts()
    gig.refresh_from_db()
    assert gig.page_views == 2


# --- The cache is an accelerator --------------------------------------------------------------


def test_a_cache_outage_is_a_miss_and_admits_everyone(unreachable_cache, anonymous, gig, monkeypatch, caplog):
    """Redis down: pages are built from the database, nobody is throttled, and Redis is left alone for a
    while after the first failed call (cafa/cache.py)."""
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    attempts = []

    def refuse(client, *args, **kwargs):
        attempts.append(client)
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(Pipeline, "execute", refuse)
    monkeypatch.setattr(Redis, "execute_command", refuse)
    monkeypatch.setattr(AbstractConnection, "connect", refuse)  # the read script's own connection
    for _ in range(3):
        assert titles(anonymous.get(EVENTS)) == ["Highlife Night"]
        assert anonymous.get(detail(gig)).json()["title"] == "Highlife Night"
        assert anonymous.get(EVENTS, HTTP_ACCEPT="application/json; indent=2").status_code == 200
    assert len(attempts) == 1
    lines = [record.getMessage() for record in caplog.records if record.name == "cafa.cache"]
    assert lines[0].startswith("cache_unavailable component=events scope=answer operation=read failures=1 ")


def test_generations_are_tokens_so_a_lost_one_never_revives_old_answers(anonymous, gig, commit):
    warm(anonymous, EVENTS)
    caches["default"].delete(public_cache.CATALOGUE)  # evicted
    Event.objects.filter(pk=gig.pk).update(title="Changed")
    assert titles(anonymous.get(EVENTS)) == ["Changed"]


def test_remembered_entry_keys_differ_by_host_path_and_query(rf, settings):
    """Entry keys are remembered per origin, path and query: an answer kept for one host (whose absolute
    URLs it holds) or one query is never looked up for another."""
    settings.ALLOWED_HOSTS = ["testserver", "api.cafa.test"]
    requests = [
        rf.get(EVENTS, {"status": "all"}),
        rf.get(EVENTS, {"status": "all"}, HTTP_HOST="api.cafa.test"),
        rf.get(EVENTS, {"status": "past"}),
        rf.get(f"{EVENTS}past/", {"status": "all"}),
    ]
    keys = [http_cache.PublicRequest(request, request.GET.copy()).entry_key("list") for request in requests]
    again = http_cache.PublicRequest(requests[0], requests[0].GET.copy()).entry_key("list")

    assert len(set(keys)) == len(keys) and again == keys[0]
    assert http_cache.path_entry_key("detail", requests[0]) != http_cache.path_entry_key("detail", requests[1])
