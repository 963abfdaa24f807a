"""/admin/login/ locks out per account and per client address (django-axes; issue 10, item 3).

Before: 30 wrong passwords, then the right one, logged in. The API's login keeps its own contract
(CONTRACT §2.4, §1.10): its throttle, no lockout.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.tests.conftest import assert_envelope
from cafa.api.throttling import client_address

pytestmark = pytest.mark.django_db
ADMIN_LOGIN = "/admin/login/"
LIMIT = 5  # AXES_FAILURE_LIMIT's default (ADMIN_LOGIN_FAILURE_LIMIT)


@pytest.fixture
def staff(make_user):
    return make_user(is_staff=True, is_superuser=True, username="Abena", email="abena@example.com")


def admin_login(identifier, password, *, address="10.0.0.1", **headers):
    """One browser's login attempt from `address`; returns the response (302 to /admin/ = logged in)."""
    form = {"username": identifier, "password": password, "next": "/admin/"}
    return Client(REMOTE_ADDR=address).post(ADMIN_LOGIN, form, **headers)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_the_right_password_logs_in(staff, password):
    assert logged_in(admin_login("abena", password))


def test_after_the_limit_of_wrong_passwords_the_right_one_is_refused(staff, password):
    answers = [admin_login("abena", "wrong-guess").status_code for _ in range(LIMIT)]
    assert answers == [200] * (LIMIT - 1) + [429]  # the form with its error, until the limit

    refused = admin_login("abena", password)

    assert refused.status_code == 429
    assert not logged_in(refused)
    assert "Too many failed login attempts" in refused.content.decode()


def test_an_account_is_counted_as_one_whatever_its_spelling_and_address(staff, password):
    spellings = ["abena", "ABENA", "Abena@Example.com", " abena@example.com ", "aBeNa"]
    for number, spelling in enumerate(spellings[:LIMIT]):
        admin_login(spelling, "wrong-guess", address=f"10.0.1.{number}")

    assert admin_login("abena@example.com", password, address="10.0.2.1").status_code == 429


def test_one_address_trying_many_accounts_is_locked_out(staff, password):
    for number in range(LIMIT):
        admin_login(f"guess{number}", "wrong-guess", address="10.0.3.1")

    assert admin_login("abena", password, address="10.0.3.1").status_code == 429
    assert logged_in(admin_login("abena", password, address="10.0.3.2"))


def test_a_forged_forwarded_for_header_does_not_escape_the_address_count(staff, password):
    for number in range(LIMIT):
        admin_login(f"guess{number}", "wrong-guess", address="10.0.4.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    assert admin_login("abena", password, address="10.0.4.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(settings, staff, password):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for number in range(LIMIT):
        admin_login(f"guess{number}", "wrong-guess", address="10.9.9.9", HTTP_X_FORWARDED_FOR="192.0.2.50")

    assert admin_login("abena", password, address="10.9.9.9", HTTP_X_FORWARDED_FOR="192.0.2.50").status_code == 429
    assert logged_in(admin_login("abena", password, address="10.9.9.9", HTTP_X_FORWARDED_FOR="192.0.2.51"))


def test_the_lockout_ends_after_the_cool_off(staff, password):
    for _ in range(LIMIT):
        admin_login("abena", "wrong-guess")
    assert admin_login("abena", password).status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert logged_in(admin_login("abena", password))


def test_the_lockout_answer_names_no_account(staff):
    for _ in range(LIMIT):
        admin_login("abena", "wrong-guess")

    refused = admin_login("abena", "wrong-guess", HTTP_X_REQUESTED_WITH="XMLHttpRequest")

    assert refused.status_code == 429
    assert "abena" not in refused.content.decode().lower()
    assert refused["Retry-After"] == str(15 * 60)


def test_an_address_throttled_on_the_api_login_gets_no_fresh_quota_from_the_admin_form(staff, password):
    api = Client(REMOTE_ADDR="10.0.5.1")
    answers = [api.post("/api/v1/auth/login/", {"email": "abena", "password": "wrong"}).status_code for _ in range(11)]
    assert answers[-1] == 429  # THROTTLE_LOGIN: 10/min

    guesses = [admin_login("abena", f"guess-{n}", address="10.0.5.1").status_code for n in range(LIMIT)]

    assert guesses[-1] == 429
    assert admin_login("abena", password, address="10.0.5.1").status_code == 429


def test_a_locked_out_account_still_logs_in_through_the_api(api_client, staff, password):
    for _ in range(LIMIT):
        admin_login("abena", "wrong-guess")
    assert admin_login("abena", password).status_code == 429

    wrong = api_client.post("/api/v1/auth/login/", {"email": "abena", "password": "wrong-guess"})
    right = api_client.post("/api/v1/auth/login/", {"email": "abena", "password": password})

    assert_envelope(wrong, 401, error="Invalid credentials", message="Invalid email/username or password.")
    assert right.status_code == 200
    assert set(right.json()["tokens"]) == {"access", "refresh"}


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.9", "10.1.1.1"),  # no trusted proxy: the header is the client's own claim
        (1, "192.0.2.9", "192.0.2.9"),
        (1, "203.0.113.5, 192.0.2.9", "192.0.2.9"),  # read from the right
        (1, "not-an-address", "10.1.1.1"),  # nothing a proxy would write
    ],
)
def test_the_client_address_follows_the_trusted_proxy_count(rf, settings, proxies, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected
