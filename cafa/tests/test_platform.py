"""The cross-cutting HTTP conventions of CONTRACT.md §1."""

import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_cache(api_client):
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_names_the_failing_part(api_client, monkeypatch):
    from cafa.api import health

    def broken():
        raise ConnectionError("cache down")

    monkeypatch.setattr(health, "_cache_ok", broken)
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


def test_unknown_api_path_is_a_json_404_envelope(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "Not Found"
    assert body["status_code"] == 404
    assert body["details"] == {}
    assert body["message"] == body["detail"]
