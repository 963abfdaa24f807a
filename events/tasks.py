"""Celery entry points of the events app."""

from celery import shared_task

from events import services


@shared_task(name="events.flush_event_view_counts")
def flush_event_view_counts() -> int:
    """Move buffered page views / unique visitors into the event rows (idempotent, safe to retry)."""
    return services.flush_event_view_counts()
