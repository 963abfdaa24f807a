"""Events' answers to the accounts app's questions (connected in EventsConfig.ready)."""

from django.dispatch import receiver

from accounts.signals import account_deletion_requested, payment_profile_deletion_requested
from events import selectors
from events.models import Event


def _live_events(**filters):
    return selectors.filter_by_status(Event.objects.filter(**filters), "live").order_by("starts_at")


@receiver(payment_profile_deletion_requested, dispatch_uid="events.profile_in_use")
def payment_profile_in_use(sender, profile, **kwargs):
    """A payout account that an upcoming or ongoing event pays into cannot be deleted."""
    events = list(_live_events(payment_profile=profile).values("id", "title"))
    if not events:
        return None
    return {
        "message": "Upcoming or ongoing events pay into this profile. Move them to another profile first.",
        "extra": {"active_events": events},
    }


@receiver(account_deletion_requested, dispatch_uid="events.organizes_live_events")
def organizes_live_events(sender, user, **kwargs):
    """An organizer of a published upcoming or ongoing event must keep the account."""
    if _live_events(organizer=user, is_published=True).exists():
        return "You organize published events that are upcoming or ongoing."
    return None
