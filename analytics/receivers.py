"""Analytics' answers to the accounts app's questions (connected in AnalyticsConfig.ready)."""

from django.dispatch import receiver

from accounts.signals import collect_user_stats
from analytics.selectors import user_stats as stats


@receiver(collect_user_stats, dispatch_uid="analytics.user_stats")
def user_stats(sender, user, **kwargs):
    """The real figures of the User object's `stats` block (3 queries)."""
    return stats.user_stats_block(user)
