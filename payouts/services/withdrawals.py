"""Withdrawals (CONTRACT.md §11.2, §14.5): request, transfer, settle, cancel, reject.

The balance check and the hold run in one transaction holding the organizer's row lock, so two
requests can never both pass; a partial unique constraint (one open withdrawal per organizer)
backs that up. The transfer is started after commit with the withdrawal's own `wd-` reference,
re-used on every retry, so the provider never pays twice.
"""

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import PaymentProfile
from cafa.celery import enqueue
from cafa.locking import lock_row, lock_rows
from cafa.money import quantize_money
from cafa.progress import Track, no_progress
from payments import providers
from payments.providers import ProviderError, to_minor_units
from payouts import selectors
from payouts.exceptions import WithdrawalRefused
from payouts.models import OPEN_WITHDRAWAL_STATUSES, Withdrawal, WithdrawalStatus
from payouts.services import ledger
from payouts.services.verification import (
    TRANSFER_OUTCOMES,
    TransferRefused,
    ensure_recipient,
    provider_unreachable,
    send_transfer_once,
)

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)


def transfer_fee(amount: Decimal) -> Decimal:
    """0 below GHS 5,000, GHS 10.00 from 5,000 (both configurable)."""
    threshold = settings.WITHDRAWAL_FEE_THRESHOLD
    fee = settings.WITHDRAWAL_TRANSFER_FEE
    return quantize_money(fee if amount >= threshold else 0)


def parse_amount(value) -> Decimal:
    """A positive GHS amount with at most 2 decimal places, else "Invalid amount"."""
    invalid = WithdrawalRefused("Enter a positive amount in GHS with at most 2 decimal places.", error="Invalid amount")
    if isinstance(value, bool) or value is None or value == "":
        raise invalid
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e12"):
        raise invalid
    return quantize_money(amount)


def _payout_profile(organizer, payment_profile_id) -> PaymentProfile:
    profiles = PaymentProfile.objects.live().filter(user=organizer)
    if payment_profile_id in (None, ""):
        profile = profiles.filter(is_default=True).first()
        if profile is None:
            raise WithdrawalRefused(
                "Add a verified payment profile and make it your default first.", error="No default payment profile"
            )
    else:
        try:
            profile = profiles.filter(pk=uuid.UUID(str(payment_profile_id))).first()
        except ValueError:  # not a UUID
            profile = None
        if profile is None:
            raise WithdrawalRefused("No payment profile of yours matches this id.", error="Payment profile not found")
    if not profile.is_verified:
        raise WithdrawalRefused("Payouts go only to verified payment profiles.", error="Payment profile not verified")
    return profile


def request_withdrawal(*, organizer, amount, payment_profile_id=None) -> Withdrawal:
    """W1: hold `amount` from the available balance and queue the transfer after commit."""
    amount = parse_amount(amount)
    minimum = quantize_money(settings.MIN_WITHDRAWAL_AMOUNT)
    if amount < minimum:
        raise WithdrawalRefused(f"The minimum withdrawal is GHS {minimum}.", error="Below minimum withdrawal")
    try:
        with transaction.atomic():
            lock_rows(get_user_model().objects.filter(pk=organizer.pk).only("pk"))
            if Withdrawal.objects.filter(organizer=organizer, status__in=OPEN_WITHDRAWAL_STATUSES).exists():
                raise _in_progress()
            profile = _payout_profile(organizer, payment_profile_id)
            available = selectors.available_balance(organizer.pk)
            if amount > available:
                message = f"You can withdraw at most GHS {available}."
                raise WithdrawalRefused(message, error="Insufficient balance", available_balance=available)
            fee = transfer_fee(amount)
            deductions = selectors.outstanding_deductions(organizer.pk)
            final = quantize_money(amount - fee - deductions)
            if final <= 0:
                raise WithdrawalRefused(
                    "After the transfer fee and deductions nothing would be paid out.", error="Invalid amount"
                )
            withdrawal = Withdrawal.objects.create(
                organizer=organizer,
                payment_profile=profile,
                requested_amount=amount,
                transfer_fee=fee,
                deductions=deductions,
                final_amount=final,
            )
            ledger.hold_withdrawal(withdrawal=withdrawal)
    except IntegrityError:  # the one-open-withdrawal constraint: a concurrent request won
        raise _in_progress() from None
    transaction.on_commit(lambda: _queue_transfer(withdrawal.pk), robust=True)  # reconciliation re-sends
    return withdrawal


def _in_progress() -> WithdrawalRefused:
    return WithdrawalRefused(
        "You already have a withdrawal that is pending or processing.", error="Withdrawal in progress"
    )


def _queue_transfer(withdrawal_pk: int) -> None:
    enqueue("payouts.send_withdrawal_transfer", withdrawal_pk)


def _locked(**lookup) -> Withdrawal | None:
    return lock_row(Withdrawal.objects.filter(**lookup))


def send_withdrawal_transfer(*, withdrawal_pk: int) -> Withdrawal:
    """Initiate the transfer of `final_amount` (`pending -> processing`); a refusal fails it and releases funds.

    An unreachable provider raises ProviderError so the task retries with the same reference.
    """
    with transaction.atomic():  # claim it: from here on W4 and staff rejection refuse (money may be moving)
        withdrawal = _locked(pk=withdrawal_pk)
        if withdrawal.status != WithdrawalStatus.PENDING:
            return withdrawal
        if withdrawal.processing_at is None:
            withdrawal.processing_at = timezone.now()
            withdrawal.save(update_fields=["processing_at", "updated_at"])
    try:
        recipient = ensure_recipient(withdrawal.payment_profile)
        data = send_transfer_once(
            amount_minor=to_minor_units(withdrawal.final_amount),
            recipient_code=recipient,
            reference=withdrawal.transfer_reference,
            reason=f"Cafa Tickets payout {withdrawal.withdrawal_id}",
        )
    except TransferRefused as error:
        return fail_withdrawal(withdrawal=withdrawal, reason=f"The transfer was refused: {error}")
    except ProviderError as error:
        if provider_unreachable(error):
            raise
        return fail_withdrawal(withdrawal=withdrawal, reason=f"The transfer recipient was refused: {error}")
    with transaction.atomic():
        withdrawal = _locked(pk=withdrawal_pk)
        if withdrawal.status == WithdrawalStatus.PENDING:
            withdrawal.status = WithdrawalStatus.PROCESSING
        withdrawal.transfer_code = withdrawal.transfer_code or str(data.get("transfer_code") or "")[:60]
        withdrawal.save(update_fields=["status", "transfer_code", "updated_at"])
    outcome = TRANSFER_OUTCOMES.get(str(data.get("status") or "").lower())
    if outcome:
        withdrawal = settle_withdrawal(reference=withdrawal.transfer_reference, outcome=outcome, data=data)
    return withdrawal


def settle_withdrawal(*, reference: str, outcome: str, data: dict | None = None) -> Withdrawal | None:
    """Apply `success` (`processing -> completed`), `failed` or `reversed` (`-> failed`, funds back), once."""
    data = data or {}
    with transaction.atomic():
        withdrawal = _locked(transfer_reference=reference)
        if withdrawal is None:
            logger.warning("transfer %s for an unknown withdrawal ignored", reference)
            return None
        withdrawal.transfer_code = withdrawal.transfer_code or str(data.get("transfer_code") or "")[:60]
        if outcome == "success" and withdrawal.status in OPEN_WITHDRAWAL_STATUSES:
            withdrawal.status, withdrawal.completed_at = WithdrawalStatus.COMPLETED, timezone.now()
            withdrawal.save(update_fields=["status", "completed_at", "transfer_code", "updated_at"])
        elif withdrawal.status in _failable_from(outcome):
            _close(withdrawal, WithdrawalStatus.FAILED, failure_reason=_failure_text(outcome, data))
    return withdrawal


def _failable_from(outcome: str) -> tuple:
    if outcome == "reversed":  # a later reversal also undoes a completed withdrawal
        return (*OPEN_WITHDRAWAL_STATUSES, WithdrawalStatus.COMPLETED)
    return OPEN_WITHDRAWAL_STATUSES if outcome == "failed" else ()


def _failure_text(outcome: str, data: dict) -> str:
    detail = data.get("gateway_response") or ""
    base = "The transfer was reversed" if outcome == "reversed" else "The transfer failed"
    return f"{base}{': ' + detail if detail else ''}. The amount is back in your balance."


def _close(withdrawal: Withdrawal, status: str, *, failure_reason: str = "", rejection_reason: str = "") -> None:
    withdrawal.status, withdrawal.closed_at = status, timezone.now()
    withdrawal.failure_reason = failure_reason[:300] or withdrawal.failure_reason
    withdrawal.rejection_reason = rejection_reason[:300] or withdrawal.rejection_reason
    withdrawal.save(
        update_fields=["status", "closed_at", "failure_reason", "rejection_reason", "transfer_code", "updated_at"]
    )
    ledger.release_withdrawal(withdrawal=withdrawal)


def fail_withdrawal(*, withdrawal: Withdrawal, reason: str) -> Withdrawal:
    """`pending|processing -> failed` (provider refusal, or staff after checking with the provider)."""
    with transaction.atomic():
        withdrawal = _locked(pk=withdrawal.pk)
        if withdrawal.status not in OPEN_WITHDRAWAL_STATUSES:
            raise WithdrawalRefused(f"A {withdrawal.status} withdrawal cannot fail.", error="Cannot fail withdrawal")
        _close(withdrawal, WithdrawalStatus.FAILED, failure_reason=reason)
    return withdrawal


def _not_pending(withdrawal: Withdrawal, verb: str) -> str:
    if withdrawal.status == WithdrawalStatus.PENDING:
        return f"The transfer has already been started; the withdrawal can no longer be {verb}."
    return f"Only pending withdrawals can be {verb}; this one is {withdrawal.status}."


def cancel_withdrawal(*, withdrawal: Withdrawal) -> Withdrawal:
    """W4: only while `pending`; the amount goes back to the balance."""
    with transaction.atomic():
        withdrawal = _locked(pk=withdrawal.pk)
        if withdrawal.status != WithdrawalStatus.PENDING or withdrawal.processing_at is not None:
            raise WithdrawalRefused(_not_pending(withdrawal, "cancelled"), error="Cannot cancel withdrawal")
        _close(withdrawal, WithdrawalStatus.CANCELLED)
    return withdrawal


def reject_withdrawal(*, withdrawal: Withdrawal, reason: str) -> Withdrawal:
    """Staff: `pending -> rejected` with a reason; the amount goes back to the balance."""
    reason = (reason or "").strip()
    if not reason:
        raise WithdrawalRefused("Give the organizer a reason.", error="Reason required")
    with transaction.atomic():
        withdrawal = _locked(pk=withdrawal.pk)
        if withdrawal.status != WithdrawalStatus.PENDING or withdrawal.processing_at is not None:
            raise WithdrawalRefused(_not_pending(withdrawal, "rejected"), error="Cannot reject withdrawal")
        _close(withdrawal, WithdrawalStatus.REJECTED, rejection_reason=reason)
    return withdrawal


def approve_withdrawal(*, withdrawal: Withdrawal) -> Withdrawal:
    """Staff: (re)start the transfer of a pending withdrawal now, with its own reference."""
    if withdrawal.status != WithdrawalStatus.PENDING:
        raise WithdrawalRefused(
            f"Only pending withdrawals can be sent; this one is {withdrawal.status}.", error="Cannot approve withdrawal"
        )
    return send_withdrawal_transfer(withdrawal_pk=withdrawal.pk)


def stale_withdrawals(*, now: datetime | None = None) -> tuple:
    """(processing withdrawals older than 30 minutes, pending ones never sent after 30 minutes)."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    processing = Withdrawal.objects.filter(status=WithdrawalStatus.PROCESSING, processing_at__lt=cutoff)
    stuck = Withdrawal.objects.filter(status=WithdrawalStatus.PENDING, created_at__lt=cutoff)
    return processing.order_by("pk"), stuck.order_by("pk")


def reconcile_withdrawals(*, now: datetime | None = None, track: Track = no_progress) -> int:
    """Processing withdrawals older than 30 minutes are checked with the provider; stuck pending ones re-sent."""
    processing, stuck = stale_withdrawals(now=now)
    touched = 0
    references = list(processing.values_list("transfer_reference", flat=True)[:200])
    for reference in track(references, len(references)):
        try:
            data = providers.get().verify_transfer(reference)
        except ProviderError as error:
            logger.warning("withdrawal transfer %s could not be checked: %s", reference, error)
            continue
        outcome = TRANSFER_OUTCOMES.get(str(data.get("status") or "").lower())
        if outcome:
            settle_withdrawal(reference=reference, outcome=outcome, data=data)
            touched += 1
    for pk in list(stuck.values_list("pk", flat=True)[:200]):  # re-sent with the same reference
        try:
            send_withdrawal_transfer(withdrawal_pk=pk)
            touched += 1
        except ProviderError as error:
            logger.warning("withdrawal %s still cannot be sent: %s", pk, error)
    return touched
