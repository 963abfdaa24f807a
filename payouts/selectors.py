"""Reads of payouts for display: an organizer's withdrawals."""

from django.db.models import QuerySet

from payouts.models import Withdrawal


def organizer_withdrawals(organizer) -> QuerySet:
    """The organizer's withdrawals with their payout profile (W2-W4 never see anyone else's)."""
    return Withdrawal.objects.filter(organizer=organizer).select_related("payment_profile")
