"""The organizer revenue ledger (CONTRACT.md §6.8 step 5, §10.5, §11): every `LedgerEntry` is written here.

Each recording happens once: the unique (purchase|verification transfer|withdrawal, kind) constraints
make every function idempotent, so calling it again returns the entry already written. Balances are
sums of these entries, read in `payouts.selectors`.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from cafa.money import platform_fee
from payouts.models import LedgerEntry, LedgerKind, VerificationTransfer, Withdrawal


def record_sale(*, purchase) -> None:
    """Credit the organizer with the sales (subtotal less any promo discount) and debit the platform fee
    on them; a repeat changes nothing. A purchase that sold nothing (free, or a 100 % code) writes nothing."""
    sales = purchase.sales_amount
    if sales <= 0:
        return
    event = purchase.event
    available_at = event.ends_at + timedelta(days=settings.PAYOUT_HOLD_DAYS)
    entries = {
        LedgerKind.SALE: sales,
        LedgerKind.PLATFORM_FEE: -platform_fee(sales),
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


def reverse_sale(*, purchase) -> list[LedgerEntry]:
    """A completed purchase was refunded: debit its sale and credit back its platform fee (once).

    Call it in the transaction that moves the purchase `completed -> refunded` (staff refund, event
    cancellation). A purchase that never credited the organizer (free, or not completed) writes nothing.
    """
    written = []
    originals = {
        entry.kind: entry
        for entry in LedgerEntry.objects.filter(purchase=purchase, kind__in=(LedgerKind.SALE, LedgerKind.PLATFORM_FEE))
    }
    reversals = {LedgerKind.SALE: LedgerKind.SALE_REVERSAL, LedgerKind.PLATFORM_FEE: LedgerKind.PLATFORM_FEE_REVERSAL}
    for kind, reversal_kind in reversals.items():
        original = originals.get(kind)
        if original is None:
            continue
        entry, _ = LedgerEntry.objects.get_or_create(
            purchase=purchase,
            kind=reversal_kind,
            defaults={
                "organizer_id": original.organizer_id,
                "event_id": original.event_id,
                "amount": -original.amount,
                "available_at": original.available_at,  # the reversal sits in the same bucket as the sale
                "memo": f"Refund of {purchase.purchase_id}",
            },
        )
        written.append(entry)
    return written


def _verification_entry(transfer: VerificationTransfer, organizer_id: int, kind: str, amount: Decimal) -> LedgerEntry:
    entry, _ = LedgerEntry.objects.get_or_create(
        verification_transfer=transfer,
        kind=kind,
        defaults={
            "organizer_id": organizer_id,
            "amount": amount,
            "available_at": timezone.now(),
            "memo": f"Verification transfer {transfer.reference}",
        },
    )
    return entry


def record_verification_fee(*, transfer: VerificationTransfer, organizer_id: int) -> LedgerEntry:
    """The GHS 1.00 debit of a verification transfer the provider accepted."""
    return _verification_entry(transfer, organizer_id, LedgerKind.VERIFICATION_FEE, -transfer.amount)


def reverse_verification_fee(*, transfer: VerificationTransfer, organizer_id: int) -> LedgerEntry:
    """The transfer failed or was reversed: the debit is cancelled (it is written first if it was not yet)."""
    record_verification_fee(transfer=transfer, organizer_id=organizer_id)
    return _verification_entry(transfer, organizer_id, LedgerKind.VERIFICATION_FEE_REVERSAL, transfer.amount)


def _withdrawal_entry(withdrawal: Withdrawal, kind: str, amount: Decimal) -> LedgerEntry:
    entry, _ = LedgerEntry.objects.get_or_create(
        withdrawal=withdrawal,
        kind=kind,
        defaults={
            "organizer_id": withdrawal.organizer_id,
            "amount": amount,
            "available_at": timezone.now(),
            "memo": withdrawal.withdrawal_id,
        },
    )
    return entry


def hold_withdrawal(*, withdrawal: Withdrawal) -> None:
    """Take the requested amount out of the available balance and mark the deductions as recovered."""
    _withdrawal_entry(withdrawal, LedgerKind.WITHDRAWAL, -withdrawal.requested_amount)
    if withdrawal.deductions > 0:
        _withdrawal_entry(withdrawal, LedgerKind.DEDUCTION_RECOVERY, withdrawal.deductions)


def release_withdrawal(*, withdrawal: Withdrawal) -> None:
    """The money did not go out (failed, cancelled, rejected, reversed): balance and deductions come back."""
    _withdrawal_entry(withdrawal, LedgerKind.WITHDRAWAL_RELEASE, withdrawal.requested_amount)
    if withdrawal.deductions > 0:
        _withdrawal_entry(withdrawal, LedgerKind.DEDUCTION_RECOVERY_REVERSAL, -withdrawal.deductions)


def unreleased_earnings(*, now=None):
    """Ledger entries whose payout hold is over but which are not stamped released yet."""
    return LedgerEntry.objects.filter(released_at__isnull=True, available_at__lte=now or timezone.now())


def release_earnings(*, now=None) -> int:
    """Daily bookkeeping: stamp entries whose payout hold is over (balances use the dates anyway)."""
    now = now or timezone.now()
    return unreleased_earnings(now=now).update(released_at=now)
