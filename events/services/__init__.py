"""Every write of the events app: plain functions with keyword arguments that own their transactions."""

from events.services.cancellation import mark_cancelled
from events.services.event_writes import (
    create_event,
    delete_event,
    ensure_can_create_events,
    ensure_event_editable,
    unique_event_slug,
    update_event,
)
from events.services.issued_counts import count_issued, set_issued_count
from events.services.page_views import event_visit, flush_event_view_counts, record_event_view
from events.services.ticket_type_writes import (
    create_ticket_type,
    delete_ticket_type,
    ensure_ticket_types_editable,
    update_ticket_type,
)

__all__ = [
    "count_issued",
    "create_event",
    "create_ticket_type",
    "delete_event",
    "delete_ticket_type",
    "ensure_can_create_events",
    "ensure_event_editable",
    "ensure_ticket_types_editable",
    "event_visit",
    "flush_event_view_counts",
    "mark_cancelled",
    "record_event_view",
    "set_issued_count",
    "unique_event_slug",
    "update_event",
    "update_ticket_type",
]
