"""Fixtures of the public catalogue's cache tests (test_public_cache.py, test_pages_from_memory.py)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient


@pytest.fixture
def gig(make_event):
    return make_event(title="Highlife Night", ticket_types=[{"name": "Regular", "price": "50"}])


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def frozen(time_machine):
    """Time stands still until the test moves it (`frozen.shift(seconds)`)."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine
