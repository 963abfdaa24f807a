"""The organizer revenue ledger: written only here, once per purchase (CONTRACT.md §6.8 step 5)."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings

from cafa.api.fields import quantize_money
from payouts.models import LedgerEntry, LedgerKind


def platform_fee(subtotal: Decimal) -> Decimal:
    return quantize_money(Decimal(subtotal) * Decimal(settings.PLATFORM_FEE_PERCENT) / 100)


def record_sale(*, purchase) -> None:
    """Credit the organizer with the subtotal and debit the platform fee; a repeat changes nothing."""
    if purchase.subtotal <= 0:
        return
    event = purchase.event
    available_at = event.ends_at + timedelta(days=settings.PAYOUT_HOLD_DAYS)
    entries = {
        LedgerKind.SALE: purchase.subtotal,
        LedgerKind.PLATFORM_FEE: -platform_fee(purchase.subtotal),
    }
    for kind, amount in entries.items():
        LedgerEntry.objects.get_or_create(
            purchase=purchase,
            kind=kind,
            defaults={
                "organizer_id": event.organizer_id,
                "event": event,
                "amount": amount,
                "available_at": available_at,
                "memo": purchase.purchase_id,
            },
        )
