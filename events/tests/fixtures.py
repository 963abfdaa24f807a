"""Organizers, payout profiles, events and image files: fixtures every app's tests share.

Registered for every test by the root conftest (`pytest_plugins`). `make_event` is the one way tests
create events; a directory's conftest may wrap it to change its defaults (payments, payouts).
"""

import io
import itertools
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import PaymentProfile
from events.models import Category, Event, TicketType
from events.services import unique_event_slug

_numbers = itertools.count(1)


@pytest.fixture
def make_organizer(make_user):
    def make(**fields):
        fields.setdefault("verification_status", "verified")
        fields.setdefault("is_organizer", fields["verification_status"] == "verified")
        return make_user(**fields)

    return make


@pytest.fixture
def organizer(make_organizer):
    return make_organizer(full_name="Ama Mensah", bio="Accra events since 2015.")


@pytest.fixture
def organizer_client(client_for, organizer):
    return client_for(organizer)


@pytest.fixture
def make_profile():
    """A payout account straight in the database (no verification transfer)."""

    def make(user, **fields):
        number = next(_numbers)
        fields.setdefault("method", "mobile_money")
        fields.setdefault("name", f"MoMo {number}")
        # Ends in 1234: the sandbox's magic endings (0000, 0001, 0002) would script a transfer failure.
        fields.setdefault("account_number", f"+23324{number:03d}1234")
        fields.setdefault("account_name", user.full_name or user.username)
        fields.setdefault("network", "MTN")
        fields.setdefault("status", "verified")
        return PaymentProfile.objects.create(user=user, **fields)

    return make


@pytest.fixture
def verified_profile(organizer, make_profile):
    return make_profile(organizer, is_default=True)


@pytest.fixture
def music():
    # get_or_create: transactional (services) tests flush the categories the data migration seeded
    return Category.objects.get_or_create(slug="music", defaults={"name": "Music", "icon": "FaMusic"})[0]


@pytest.fixture
def make_event(organizer, music):
    """Create an event straight in the database: `make_event(days=10, ticket_types=[{...}], **fields)`."""

    def make(*, days=10, ticket_types=None, **fields):
        fields.setdefault("organizer", organizer)
        fields.setdefault("category", music)
        fields.setdefault("title", f"Accra Live Night {next(_numbers)}")
        fields.setdefault("short_description", "A night of live highlife music in the heart of Accra.")
        fields.setdefault("description", "Highlife legends and new voices share one stage for a long evening. " * 2)
        fields.setdefault("venue_name", "Alliance Française")
        fields.setdefault("venue_city", "Accra")
        fields.setdefault("start_date", timezone.localdate() + timedelta(days=days))
        fields.setdefault("start_time", time(19, 0))
        fields.setdefault("max_attendees", 500)
        fields.setdefault("slug", unique_event_slug(fields["title"]))
        event = Event.objects.create(**fields)
        for number, item in enumerate(ticket_types if ticket_types is not None else [{}], start=1):
            item = dict(item)
            item.setdefault("name", f"Regular {number}")
            item["price"] = Decimal(str(item.get("price", "50.00")))
            item.setdefault("quantity", 100)
            item.setdefault("max_purchase", min(10, item["quantity"]))
            TicketType.objects.create(event=event, **item)
        return event

    return make


def image_bytes(image_format="PNG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.fixture
def image_file():
    """`image_file(name="a.png", image_format="PNG")` -> an uploaded file with real image content."""

    def make(name="photo.png", image_format="PNG"):
        return SimpleUploadedFile(name, image_bytes(image_format), content_type=f"image/{image_format.lower()}")

    return make


@pytest.fixture
def event_payload(music):
    """A valid JSON body for O1 (no images), starting in 10 days."""

    def make(**overrides):
        payload = {
            "title": "Highlife Under The Stars",
            "category_slug": music.slug,
            "short_description": "An open-air highlife concert with Accra's finest bands.",
            "description": "Bring a blanket and your dancing shoes: three bands, one long night of highlife music. "
            * 2,
            "venue_name": "Independence Square",
            "venue_city": "Accra",
            "start_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "start_time": "18:30",
            "max_attendees": 300,
            "ticket_types": [{"name": "Regular", "price": 0, "quantity": 200}],
        }
        payload.update(overrides)
        return payload

    return make
