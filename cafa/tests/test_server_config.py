"""The web server's settings live in gunicorn.conf.py (issue 12): the image and the compose stack start
gunicorn with it, and the environment overrides each value."""

import runpy

import pytest
from django.conf import settings

CONFIG = settings.BASE_DIR / "gunicorn.conf.py"
KNOBS = (
    "WEB_CONCURRENCY",
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_BIND",
    "PORT",
    "GUNICORN_ACCESS_LOG",
)


def _config(monkeypatch, **env):
    for name in KNOBS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_are_sync_workers_with_bounded_timeouts(monkeypatch):
    config = _config(monkeypatch)

    assert config["worker_class"] == "sync"
    assert config["workers"] >= 2
    assert config["timeout"] == 30
    assert config["bind"] == "0.0.0.0:8000"
    assert config["accesslog"] == "-"


def test_the_environment_overrides_the_file(monkeypatch):
    config = _config(
        monkeypatch,
        WEB_CONCURRENCY="5",
        GUNICORN_WORKER_CLASS="gthread",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="60",
        PORT="9000",
        GUNICORN_ACCESS_LOG="",
    )

    assert (config["workers"], config["worker_class"], config["threads"], config["timeout"]) == (5, "gthread", 4, 60)
    assert config["bind"] == "0.0.0.0:9000"
    assert config["accesslog"] is None


@pytest.mark.parametrize("path", ["Dockerfile", "docker-compose.yml"])
def test_the_image_and_the_stack_start_gunicorn_with_the_file(path):
    text = (settings.BASE_DIR / path).read_text()

    assert "gunicorn -c gunicorn.conf.py cafa.wsgi:application" in text or (
        '"gunicorn", "-c", "gunicorn.conf.py", "cafa.wsgi:application"' in text
    )
    assert "--workers" not in text


def test_redis_speaks_through_the_c_parser():
    """hiredis (requirements.txt) is what redis-py uses to pack commands and parse replies: a warm public page
    is one Redis script, and the pure-Python protocol code was most of its cost (bench/README.md)."""
    import redis.utils

    assert redis.utils.HIREDIS_AVAILABLE
