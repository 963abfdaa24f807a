"""The cross-cutting HTTP conventions of CONTRACT.md §1."""

import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_cache(api_client):
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "degraded": []}


def test_health_names_the_failing_part(api_client, monkeypatch):
    from cafa.api import health

    def broken():
        raise ConnectionError("cache down")

    monkeypatch.setattr(health, "_cache_ok", broken)
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error", "degraded": ["cache"]}


def test_health_says_error_when_the_database_fails(api_client, monkeypatch):
    from cafa.api import health

    def broken():
        raise ConnectionError("database down")

    monkeypatch.setattr(health, "_database_ok", broken)
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok", "degraded": ["database"]}


def test_unknown_api_path_is_a_json_404_envelope(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "Not Found"
    assert body["status_code"] == 404
    assert body["details"] == {}
    assert body["message"] == body["detail"]


def test_method_not_allowed_is_an_envelope(auth_client):
    response = auth_client.delete("/api/v1/auth/login/")
    assert response.status_code == 405
    assert response.json()["error"] == "Method Not Allowed"
    assert response.json()["status_code"] == 405


def test_missing_token_is_a_401_envelope(api_client):
    response = api_client.get("/api/v1/auth/profile/")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "Authentication Failed"
    assert body["message"] == "Authentication credentials were not provided."
    assert body["details"] == {}


def test_garbage_token_is_a_401_envelope_with_code(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/v1/auth/profile/")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "Authentication Failed"
    assert body["message"] == "Given token not valid for any token type"
    assert body["code"] == "token_not_valid"


def test_malformed_json_is_a_400_envelope(api_client):
    response = api_client.post("/api/v1/auth/login/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) >= {"error", "message", "detail", "details", "status_code"}


def test_oversized_body_is_a_413_envelope(api_client):
    response = api_client.post(
        "/api/v1/auth/login/", data="{}", content_type="application/json", CONTENT_LENGTH=str(26 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert response.json()["error"] == "Payload Too Large"


def test_unexpected_error_is_a_500_envelope_without_traceback(monkeypatch):
    from rest_framework.test import APIClient

    from cafa.api.health import HealthView

    def explode(self, request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(HealthView, "get", explode)
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/health/")
    assert response.status_code == 500
    assert response.json()["error"] == "Internal Server Error"
    assert "secret internals" not in response.content.decode()


def test_throttled_requests_get_429_with_retry_after(api_client, monkeypatch):
    from cafa.api.throttling import AnonThrottle

    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    for _ in range(2):
        assert api_client.post("/api/v1/auth/jwt/verify/", {"token": "x"}, format="json").status_code == 401
    response = api_client.post("/api/v1/auth/jwt/verify/", {"token": "x"}, format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "Too Many Requests"
    assert body["retry_after"] == int(response["Retry-After"]) > 0
    assert body["message"] == f"Request was throttled. Try again in {body['retry_after']} seconds."


def test_forwarded_for_header_does_not_escape_a_per_ip_limit(api_client, monkeypatch):
    from cafa.api.throttling import AnonThrottle

    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    api_client.post("/api/v1/auth/jwt/verify/", {"token": "x"}, format="json", HTTP_X_FORWARDED_FOR="1.1.1.1")
    response = api_client.post(
        "/api/v1/auth/jwt/verify/", {"token": "x"}, format="json", HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    assert response.status_code == 429


def test_schema_and_docs_are_served(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/auth/login/" in schema.json()["paths"]
    docs = api_client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_schema_validates_against_the_openapi_specification(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 0


def test_admin_user_pages_render(admin_client, user):
    assert admin_client.get("/admin/accounts/user/?q=user").status_code == 200
    assert admin_client.get("/admin/accounts/user/add/").status_code == 200
    assert admin_client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200
