"""Model-level guarantees: derived bounds, the check-in key pair and database constraints."""

import base64

import pytest
from django.db import IntegrityError

from events.crypto import load_private_key
from events.models import TicketType

pytestmark = pytest.mark.django_db


def test_each_event_gets_its_own_ed25519_key_pair(make_event):
    first, second = make_event(), make_event()
    assert first.checkin_public_key != second.checkin_public_key
    signature = load_private_key(first.checkin_private_key).sign(b"TKT-1.1")
    public = load_private_key(first.checkin_private_key).public_key()
    public.verify(signature, b"TKT-1.1")  # raises if the pair does not match
    padded = first.checkin_public_key + "=" * (-len(first.checkin_public_key) % 4)
    assert len(base64.urlsafe_b64decode(padded)) == 32


def test_keys_survive_updates(make_event):
    event = make_event()
    key = event.checkin_public_key
    event.title = "Renamed event"
    event.save()
    event.refresh_from_db()
    assert event.checkin_public_key == key


def test_ticket_type_names_are_unique_per_event_case_insensitively(make_event):
    event = make_event(ticket_types=[{"name": "VIP"}])
    with pytest.raises(IntegrityError):
        TicketType.objects.create(event=event, name="vip", price=1, quantity=1)


@pytest.mark.parametrize("fields", [{"quantity": 0}, {"price": -1}, {"min_purchase": 5, "max_purchase": 2}])
def test_ticket_type_check_constraints(make_event, fields):
    event = make_event(ticket_types=[])
    values = {"name": "X", "price": 1, "quantity": 10, "min_purchase": 1, "max_purchase": 5, **fields}
    with pytest.raises(IntegrityError):
        TicketType.objects.create(event=event, **values)
