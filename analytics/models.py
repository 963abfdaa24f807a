"""Read models of the organizer's admin pages: proxies of the tickets app's rows, scoped in analytics/admin.py."""

from tickets.models import CheckIn, Ticket


class Attendee(Ticket):
    """A ticket of one of the organizer's events, as the attendees page shows it (C2's rows)."""

    class Meta:
        proxy = True
        default_permissions = ("view",)
        permissions = [("check_in_attendee", "Can check attendees in")]


class CheckInRecord(CheckIn):
    """One scan at the door of one of the organizer's events (the check-in log, C4's rows and refusals)."""

    class Meta:
        proxy = True
        verbose_name = "check-in"
        verbose_name_plural = "check-in log"
        default_permissions = ("view",)
