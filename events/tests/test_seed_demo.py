"""`manage.py seed_demo`: demo data, created once."""

import io
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import PaymentProfile
from accounts.validators import normalize_phone
from events.management.commands.seed_demo import DEMO_PASSWORD
from events.models import Category, Event, TicketType

pytestmark = pytest.mark.django_db


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_small_seed_is_idempotent():
    output = seed("--small")
    counts = (get_user_model().objects.count(), Event.objects.count(), TicketType.objects.count())
    assert counts[1] == 24 and 24 <= counts[2] <= 96
    assert "CafaDemo2026!" in output and "@demo.cafaticket.com" in output
    seed("--small", "--if-available")
    assert (get_user_model().objects.count(), Event.objects.count(), TicketType.objects.count()) == counts
    assert PaymentProfile.objects.count() == 4


def test_seeded_data_is_usable():
    seed("--events", "30")
    organizers = get_user_model().objects.filter(is_organizer=True)
    assert organizers.count() == 4
    for organizer in organizers:
        assert organizer.verification_status == "verified" and organizer.is_email_verified
        assert organizer.check_password("CafaDemo2026!")
        assert PaymentProfile.objects.get(user=organizer).is_verified
    events = Event.objects.all()
    assert events.values("category").distinct().count() == Category.objects.count()
    assert events.filter(ends_at__lt=Event.objects.values("created_at")[:1]).exists()  # some past events
    assert len({event.featured_image.name for event in events}) == 1
    assert all(event.checkin_public_key and event.max_attendees >= 1 for event in events)
    assert TicketType.objects.filter(price=0).exists() and TicketType.objects.filter(price__gt=0).exists()


def test_if_available_never_fails():
    Category.objects.update(is_active=False)
    with pytest.raises(CommandError):
        seed("--small")
    seed("--small", "--if-available")
    assert not Event.objects.exists()


def test_every_demo_account_is_complete_with_a_valid_ghana_phone_number():
    seed("--events", "2")
    accounts = get_user_model().objects.filter(email__endswith="@demo.cafaticket.com")
    phones = [user.phone_number for user in accounts]
    assert len(phones) == 7 and len(set(phones)) == 7
    for user in accounts:
        assert re.fullmatch(r"\+233[2-5]\d{8}", user.phone_number)
        assert normalize_phone(user.phone_number) == user.phone_number  # what the profile endpoint accepts
        assert user.full_name


def test_a_demo_buyer_logs_in_to_a_profile_the_web_client_lets_buy():
    seed("--events", "2")
    client = APIClient()
    login = client.post("/api/v1/auth/login/", {"email": "akosua@demo.cafaticket.com", "password": DEMO_PASSWORD})
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['tokens']['access']}")

    profile = client.get("/api/v1/auth/profile/").json()

    assert profile["full_name"] == "Akosua Darko" and profile["phone_number"].startswith("+233")


def test_a_rerun_completes_demo_accounts_seeded_without_a_phone():
    seed("--events", "2")
    user_model = get_user_model()
    user_model.objects.filter(email__endswith="@demo.cafaticket.com").update(phone_number=None)
    kept = user_model.objects.get(username="kwame")
    kept.phone_number = "+233501234567"  # a number the user set themselves stays
    kept.save()

    seed("--events", "2")

    assert not user_model.objects.filter(email__endswith="@demo.cafaticket.com", phone_number=None).exists()
    assert user_model.objects.get(username="kwame").phone_number == "+233501234567"


def test_deleting_one_demo_event_keeps_the_picture_of_the_others(django_capture_on_commit_callbacks):
    seed("--events", "12")
    upcoming = Event.objects.filter(ends_at__gt=Event.objects.values("created_at")[:1])
    deleted = upcoming.first()
    client = APIClient()
    client.force_authenticate(deleted.organizer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/v1/events/{deleted.slug}/delete/")

    assert response.status_code == 200
    others = Event.objects.all()
    assert others.count() == 11
    assert all(os.path.exists(event.featured_image.path) for event in others)
