"""The events fixtures, for the platform tests that need an event."""

from events.tests.conftest import (  # noqa: F401 (fixtures re-used from the events tests)
    make_event,
    make_organizer,
    music,
    organizer,
    organizer_client,
)
