"""Reads of the accounts domain."""

from django.utils import timezone

from accounts.signals import collect_user_stats


def user_stats(user) -> dict:
    """The `stats` block of the User object; apps that own the numbers fill them in via a signal."""
    stats = {
        "total_tickets_purchased": 0,
        "total_events_attended": 0,
        "events_organized": 0,
        "total_spent": 0,
        "account_age_days": (timezone.now() - user.date_joined).days,
    }
    for _receiver, contribution in collect_user_stats.send(sender=type(user), user=user):
        stats.update(contribution or {})
    return stats
