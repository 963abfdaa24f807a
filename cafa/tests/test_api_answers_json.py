"""Every answer under /api/ is JSON (CONTRACT.md §1.1, §1.9; issue 10, item 7).

Before: a POST/PATCH/PUT/DELETE to an unknown /api/ path met Django's CSRF check first and got its
HTML 403 page; a bad Host header or too many query fields got Django's HTML 400 page.
"""

import pytest
from django.test import Client

from accounts.tests.conftest import assert_envelope

pytestmark = pytest.mark.django_db
UNKNOWN_PATHS = ["/api/v1/tickets/purchase/PUR-XYZ/cancel/", "/api/v1/events/accra-live/tickets/abc/", "/api/nope/"]


def assert_json(response):
    assert response["Content-Type"] == "application/json", response.content[:200]


@pytest.fixture
def browser():
    """A client that, like a browser, gets CSRF checks (the test client skips them by default)."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_a_write_to_an_unknown_api_path_is_the_json_404_envelope(browser, method, path):
    response = getattr(browser, method)(path, {"x": 1}, content_type="application/json")

    assert_json(response)
    assert_envelope(response, 404, error="Not Found")


@pytest.mark.parametrize("method", ["post", "patch"])
def test_with_an_admin_session_an_unknown_api_path_is_still_a_json_404(browser, make_user, method):
    browser.force_login(make_user(is_staff=True))

    response = getattr(browser, method)(UNKNOWN_PATHS[0], {"x": 1}, content_type="application/json")

    assert_json(response)
    assert_envelope(response, 404)


def test_an_admin_session_without_a_csrf_token_is_no_api_login(browser, make_user):
    staff = make_user(is_staff=True, full_name="Ama Mensah")
    browser.force_login(staff)

    response = browser.patch("/api/v1/auth/profile/", {"full_name": "Hijacked"}, content_type="application/json")

    assert_json(response)
    assert_envelope(response, 401, error="Authentication Failed")
    staff.refresh_from_db()
    assert staff.full_name == "Ama Mensah"


@pytest.mark.urls("cafa.tests.plain_views_urls")
def test_a_csrf_failure_on_a_plain_view_under_api_is_a_json_403(browser):
    response = browser.post("/api/v1/test-plain/form/", {"x": "1"})

    assert_json(response)
    body = assert_envelope(response, 403, error="Permission Denied")
    assert body["message"].startswith("CSRF verification failed.")


@pytest.mark.urls("cafa.tests.plain_views_urls")
def test_permission_denied_in_a_plain_view_under_api_is_a_json_403(api_client):
    response = api_client.get("/api/v1/test-plain/forbidden/")

    assert_json(response)
    assert_envelope(response, 403, error="Permission Denied")


def test_a_host_not_allowed_under_api_is_a_json_400(api_client):
    response = api_client.get("/api/v1/health/", HTTP_HOST="evil.example")

    assert_json(response)
    assert_envelope(response, 400, error="Bad Request")


def test_too_many_query_fields_under_api_is_a_json_400(api_client):
    query = "&".join(f"f{number}=1" for number in range(1001))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000

    response = api_client.get(f"/api/v1/events/?{query}")

    assert_json(response)
    assert_envelope(response, 400, error="Bad Request")


def test_the_admin_keeps_djangos_own_csrf_page(browser):
    response = browser.post("/admin/login/", {"username": "someone", "password": "x"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
