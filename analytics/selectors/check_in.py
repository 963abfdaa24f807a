"""C3 and C4 (CONTRACT.md §8.3, §8.4): the door's running figures and the admissions history."""

from dataclasses import dataclass

from analytics.selectors.attendees import attendance_summary
from events.models import Event
from tickets.models import CheckIn, CheckInOutcome

CHECK_IN_HISTORY = 50


@dataclass(frozen=True)
class EventCheckInStats:
    total_checked_in: int
    total_attendees: int
    check_in_percentage: float


def check_in_stats(event: Event) -> EventCheckInStats:
    """C3 `event_stats`: distinct checked-in tickets among the issued ones. One query."""
    summary = attendance_summary(event)
    return EventCheckInStats(
        total_checked_in=summary.checked_in,
        total_attendees=summary.total_attendees,
        check_in_percentage=summary.check_in_percentage,
    )


def check_in_history(event: Event) -> list[CheckIn]:
    """The event's last admissions, newest first (re-admissions are separate rows). One query."""
    return list(
        CheckIn.objects.filter(event=event, outcome=CheckInOutcome.ADMITTED)
        .select_related("ticket__ticket_type", "scanned_by")
        .order_by("-created_at", "-id")[:CHECK_IN_HISTORY]
    )
