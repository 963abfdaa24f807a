"""Fixtures shared by every app's tests, and the registration of each app's fixture modules.

Fixtures are registered once, here: `pytest_plugins` makes every fixture of those modules available to
every test, so no test module imports a fixture. A directory's conftest.py keeps what only its tests
use and may wrap a shared fixture to change its defaults.
"""

import itertools
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.signals import request_finished
from rest_framework.test import APIClient

from cafa.api import tallies
from cafa.celery import app as celery_app

pytest_plugins = [
    "events.tests.fixtures",
    "payments.tests.fixtures",
    "payments.tests.stripe_fixtures",
    "payouts.tests.fixtures",
    "tickets.tests.fixtures",
]

PASSWORD = "Str0ng-Passw0rd!"
_sequence = itertools.count(1)


def _running_on_services() -> bool:
    engine = django_settings.DATABASES["default"]["ENGINE"]
    return "postgresql" in engine and bool(django_settings.REDIS_URL)


def pytest_collection_modifyitems(config, items):
    if _running_on_services():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL + Redis: run `make test-services`")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path, request):
    """Fast hashing, private media folders, an empty cache and in-process tasks for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private_media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    eager = "services" not in request.keywords
    celery_app.conf.task_always_eager = eager
    settings.PUBLIC_HITS_SETTLE_SECONDS = 3600  # batches go when a test says so, never by the clock
    request_finished.connect(_settle_tallies, dispatch_uid="tests-settle-tallies")
    tallies.settle()
    cache.clear()
    tallies.forget_full_logs()
    yield
    request_finished.disconnect(dispatch_uid="tests-settle-tallies")
    tallies.settle()
    cache.clear()
    tallies.forget_full_logs()
    celery_app.conf.task_always_eager = django_settings.CELERY_TASK_ALWAYS_EAGER


def _settle_tallies(**kwargs):
    """Each request's batch is sent before the next request, as if they came further apart than the
    settling interval (the `batched` fixture turns this off)."""
    tallies.settle()


@pytest.fixture
def batched():
    """Pages served from memory leave their rate-limit entries and visits in the batch until
    `tallies.settle()`, as in production between two sends."""
    request_finished.disconnect(dispatch_uid="tests-settle-tallies")


UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused


@pytest.fixture
def unreachable_cache(settings):
    """The production cache backend pointed at a Redis that refuses every connection."""
    from cafa import cache as fail_soft

    fail_soft._outages.clear()
    settings.CACHES = {
        "default": {"BACKEND": "cafa.cache.FailSoftRedisCache", "LOCATION": UNREACHABLE_REDIS, "RETRY_AFTER": 5}
    }
    yield
    fail_soft._outages.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def make_user(django_user_model):
    """Create an active, e-mail-verified user; override any field by keyword."""

    def make(**fields):
        number = next(_sequence)
        fields.setdefault("username", f"user{number}")
        fields.setdefault("email", f"user{number}@example.com")
        fields.setdefault("full_name", f"User {number}")
        fields.setdefault("is_active", True)
        fields.setdefault("is_email_verified", fields["is_active"])
        password = fields.pop("password", PASSWORD)
        return django_user_model.objects.create_user(password=password, **fields)

    return make


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def buyer(make_user):
    """The person who buys the tickets in most tests."""
    return make_user(full_name="Kwame Boateng", email="kwame@example.com", phone_number="+233241234567")


@pytest.fixture
def auth_client(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def client_for():
    """An API client authenticated as the given user."""

    def build(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return build


@pytest.fixture
def assert_error():
    """Check a response is the error envelope of CONTRACT.md §1.9 with this status and headline."""

    def check(response, code, headline, /, **extra):
        assert response.status_code == code, response.content
        body = response.json()
        assert body["error"] == headline
        assert body["status_code"] == code
        assert body["message"] and body["message"] == body["detail"]
        assert isinstance(body["details"], dict)
        for key, value in extra.items():
            assert body[key] == value, key
        return body

    return check


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker (subprocess) bound to the test database and Redis; e-mail goes to files."""
    if not _running_on_services():
        pytest.skip("needs PostgreSQL + Redis")
    from django.db import connection

    mail_dir = tmp_path_factory.mktemp("worker-mail")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
        "DEBUG": "true",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cafa", "worker", "--pool=solo", "--loglevel=warning"],
        env=env,
        cwd=str(django_settings.BASE_DIR),
    )
    try:
        _wait_for_worker(worker)
        yield {"mail_dir": mail_dir}
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def _wait_for_worker(worker, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError("the Celery worker exited during start-up")
        if celery_app.control.ping(timeout=1):
            return
    raise RuntimeError("the Celery worker did not answer within 60 seconds")


def wait_until(predicate, timeout=30.0, interval=0.2):
    """Poll `predicate` until it is truthy (for tests that wait on a real worker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()
