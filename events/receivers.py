"""Events' answers to the accounts app's questions (connected in EventsConfig.ready)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.signals import account_deletion_requested, payment_profile_deletion_requested
from events import public_cache, selectors
from events.models import Event

# What the public pages show of an organizer (OrganizerMini, P4's organizer block).
ORGANIZER_PUBLIC_FIELDS = frozenset({"username", "email", "full_name", "profile_image", "bio", "date_joined"})


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


@receiver(post_save, sender=get_user_model(), dispatch_uid="events.organizer_profile_changed")
def organizer_profile_changed(sender, instance, created, update_fields=None, **kwargs):
    """A change to what the public pages show of an organizer makes their events' pages stale.

    A model signal, because accounts' services (and the admin) save users and accounts cannot import events.
    """
    if created or (update_fields is not None and not ORGANIZER_PUBLIC_FIELDS & set(update_fields)):
        return
    event_ids = list(Event.objects.filter(organizer=instance).values_list("pk", flat=True))
    if event_ids:
        public_cache.events_changed(*event_ids)
