"""`manage.py seed_demo`: demo data, created once."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import PaymentProfile
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
