"""Payout-account verification: a GHS 1.00 transfer to the account (CONTRACT.md §10, §14.4, §15).

`start_verification` records an attempt and queues the transfer after commit; the task creates the
transfer recipient and sends the money outside any transaction; `settle_verification` applies the
provider's verdict (webhook, reconciliation or an immediate answer). Every step checks the stored
state under a row lock first, so repeats and out-of-order deliveries change nothing.

Over 300 lines for now: the transfer plumbing that withdrawals share (`send_transfer_once`,
`ensure_recipient`, `recipient_details`) still lives here and is due to move to its own module once the
concurrent work on recipients (account-name resolution) has merged, so the two changes do not collide.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.exceptions import AccountNameLookupFailed, AccountNotFound
from accounts.models import PaymentMethod, PaymentProfile, PaymentProfileStatus
from accounts.services import payment_profiles
from cafa.celery import enqueue
from cafa.progress import Track, no_progress
from payments import providers
from payments.providers import ProviderError, to_minor_units
from payments.providers.base import AccountNotResolved
from payouts.exceptions import RetryRateLimited, VerificationRefused
from payouts.models import TransferStatus, VerificationTransfer
from payouts.services import ledger

logger = logging.getLogger(__name__)

VERIFICATION_AMOUNT = Decimal("1.00")
NETWORK_CODES = {"MTN": "MTN", "Telecel": "VOD", "AirtelTigo": "ATL"}
RETRY_LIMIT = 3
RETRY_WINDOW = timedelta(hours=24)
RETRY_GAP = timedelta(minutes=10)
STALE_AFTER = timedelta(minutes=10)
TRANSFER_OUTCOMES = {"success": "success", "failed": "failed", "abandoned": "failed", "reversed": "reversed"}


def provider_unreachable(error: ProviderError) -> bool:
    """True when the outcome is unknown (no answer, or a 5xx): retry later; False for a refusal."""
    return not error.refused


class TransferRefused(Exception):
    """The provider refused a transfer and holds none under its reference: no money left."""


def send_transfer_once(*, reference: str, amount_minor: int, recipient_code: str, reason: str) -> dict:
    """Send a transfer, or learn what became of an earlier try under the same reference.

    Money may have left even when the call failed (a timeout, a 5xx, a "duplicate reference" on a
    retry), so a failure counts as a refusal only once the provider also says it knows no transfer
    with this reference. Raises TransferRefused then, and ProviderError when the outcome is unknown
    (the task retries with the same reference).
    """
    provider = providers.get()
    try:
        return provider.transfer(
            amount_minor=amount_minor, recipient_code=recipient_code, reference=reference, reason=reason
        )
    except ProviderError as error:
        sent_error = error
    try:
        return provider.verify_transfer(reference)
    except ProviderError as lookup_error:
        if sent_error.refused and lookup_error.refused:
            raise TransferRefused(str(sent_error)) from sent_error
        raise sent_error from lookup_error


# --- recipients -------------------------------------------------------------------------------


def provider_destination(*, method: str, account_number: str, bank_code: str = "", network: str = "") -> dict:
    """The account as the provider addresses it: a wallet by its local number and its network's code."""
    if method == PaymentMethod.MOBILE_MONEY:
        local = "0" + account_number[4:] if account_number.startswith("+233") else account_number
        return {"account_number": local, "bank_code": NETWORK_CODES.get(network, network)}
    return {"account_number": account_number, "bank_code": bank_code}


def recipient_details(profile: PaymentProfile) -> dict:
    """What the provider needs to create the transfer recipient of a payout account."""
    destination = provider_destination(
        method=profile.method,
        account_number=profile.account_number,
        bank_code=profile.bank_code,
        network=profile.network,
    )
    kind = "mobile_money" if profile.method == PaymentMethod.MOBILE_MONEY else "ghipss"
    return {"kind": kind, "name": profile.account_name, **destination}


def resolve_account_name(*, method: str, account: dict) -> str:
    """The holder's name of a payout account not saved yet, from the provider's name enquiry.

    Raises AccountNotFound when the provider knows no such account and AccountNameLookupFailed
    when it cannot answer now (no answer, 5xx, or a refusal that says nothing about the account).
    """
    destination = provider_destination(
        method=method,
        account_number=account["account_number"],
        bank_code=account.get("bank_code", ""),
        network=account.get("network", ""),
    )
    try:
        return providers.get().resolve_account(**destination).account_name[:150]
    except AccountNotResolved as error:
        raise AccountNotFound(str(error)) from error
    except ProviderError as error:
        logger.warning("name enquiry for a %s account failed: %s", method, error)
        raise AccountNameLookupFailed() from error


def ensure_recipient(profile: PaymentProfile) -> str:
    """The profile's recipient code, created at the provider on first use. Raises ProviderError."""
    if profile.recipient_code:
        return profile.recipient_code
    data = providers.get().create_recipient(**recipient_details(profile))
    resolved = (data.get("details") or {}).get("account_name") or ""
    payment_profiles.save_transfer_recipient(
        profile=profile, recipient_code=data["recipient_code"], resolved_account_name=resolved
    )
    return profile.recipient_code


# --- starting an attempt -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryState:
    can_retry: bool
    retry_available_at: datetime | None


def retry_state(profile: PaymentProfile, *, now: datetime | None = None) -> RetryState:
    """Whether M8 may run now, and when it may otherwise (one query)."""
    now = now or timezone.now()
    recent = list(
        VerificationTransfer.objects.filter(payment_profile=profile, is_retry=True, created_at__gt=now - RETRY_WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    waits = []
    if len(recent) >= RETRY_LIMIT:
        waits.append(recent[-RETRY_LIMIT] + RETRY_WINDOW)
    if recent:
        waits.append(recent[-1] + RETRY_GAP)
    available_at = max(waits) if waits and max(waits) > now else None
    return RetryState(
        can_retry=profile.status == PaymentProfileStatus.FAILED and available_at is None,
        retry_available_at=available_at,
    )


def start_verification(*, profile: PaymentProfile) -> VerificationTransfer | None:
    """M2: the first attempt for a new profile (a repeat signal changes nothing)."""
    with transaction.atomic():
        profile = PaymentProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.deleted_at or profile.status != PaymentProfileStatus.PENDING or profile.verification_reference:
            return None
        return _new_attempt(profile, retry=False)


def retry_verification(*, profile: PaymentProfile, confirm) -> PaymentProfile:
    """M8: another GHS 1.00 attempt, only from `failed` and within the retry limit."""
    if confirm is not True and str(confirm).lower() not in ("true", "1"):
        raise VerificationRefused("Retrying costs GHS 1.00. Send confirm: true.", error="Confirmation required")
    with transaction.atomic():
        profile = PaymentProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.status == PaymentProfileStatus.VERIFIED:
            raise VerificationRefused("This payment profile is already verified.", error="Already verified")
        if profile.status != PaymentProfileStatus.FAILED:
            raise VerificationRefused(
                "A verification transfer is already in progress.", error="Verification in progress"
            )
        state = retry_state(profile)
        if state.retry_available_at is not None:
            wait = max(1, int((state.retry_available_at - timezone.now()).total_seconds() + 0.999))
            raise RetryRateLimited(f"Too many verification retries. Try again in {wait} seconds.", retry_after=wait)
        _new_attempt(profile, retry=True)
    return profile


def _new_attempt(profile: PaymentProfile, *, retry: bool) -> VerificationTransfer:
    attempt = VerificationTransfer.objects.create(payment_profile=profile, amount=VERIFICATION_AMOUNT, is_retry=retry)
    payment_profiles.begin_verification(profile=profile, reference=attempt.reference)
    transaction.on_commit(lambda: _queue_transfer(attempt.pk), robust=True)  # reconciliation re-sends
    return attempt


def _queue_transfer(attempt_pk: int) -> None:
    enqueue("payouts.send_verification_transfer", attempt_pk)


# --- sending ------------------------------------------------------------------------------------


def send_verification_transfer(*, attempt_pk: int) -> None:
    """Create the recipient and send GHS 1.00 (no transaction is open during provider calls).

    A refusal fails the attempt with its reason; an unreachable provider raises ProviderError so
    the task retries (the reference stays the same, so the provider never pays twice).
    """
    attempt = VerificationTransfer.objects.select_related("payment_profile").get(pk=attempt_pk)
    if attempt.status != TransferStatus.QUEUED:
        return
    profile = attempt.payment_profile
    try:
        recipient = ensure_recipient(profile)
    except ProviderError as error:
        if provider_unreachable(error):
            raise
        _refused(attempt, f"The account could not be added as a transfer recipient: {error}")
        return
    try:
        data = send_transfer_once(
            amount_minor=to_minor_units(attempt.amount),
            recipient_code=recipient,
            reference=attempt.reference,
            reason="Cafa Tickets payout account verification",
        )
    except TransferRefused as error:
        _refused(attempt, f"The verification transfer was refused: {error}")
        return
    _accepted(attempt, data)
    outcome = TRANSFER_OUTCOMES.get(str(data.get("status") or "").lower())
    if outcome:
        settle_verification(reference=attempt.reference, outcome=outcome, data=data)


def _locked(reference: str) -> tuple[VerificationTransfer | None, PaymentProfile | None]:
    attempt = VerificationTransfer.objects.select_for_update().filter(reference=reference).first()
    if attempt is None:
        return None, None
    return attempt, PaymentProfile.objects.select_for_update().get(pk=attempt.payment_profile_id)


def _refused(attempt: VerificationTransfer, reason: str) -> None:
    """`pending -> failed`: nothing was sent, so nothing is charged."""
    with transaction.atomic():
        attempt, profile = _locked(attempt.reference)
        if attempt.status != TransferStatus.QUEUED:
            return
        attempt.status, attempt.failure_reason, attempt.settled_at = TransferStatus.FAILED, reason[:300], timezone.now()
        attempt.save(update_fields=["status", "failure_reason", "settled_at", "updated_at"])
        if _is_current(profile, attempt) and profile.status == PaymentProfileStatus.PENDING:
            _fail_profile(profile, reason)


def _accepted(attempt: VerificationTransfer, data: dict) -> None:
    """`pending -> verifying`: the provider took the transfer; the GHS 1.00 debit is recorded."""
    transfer_code = str(data.get("transfer_code") or "")[:60]
    with transaction.atomic():
        attempt, profile = _locked(attempt.reference)
        if attempt.status == TransferStatus.QUEUED:
            attempt.status = TransferStatus.PENDING
        attempt.transfer_code = attempt.transfer_code or transfer_code
        attempt.save(update_fields=["status", "transfer_code", "updated_at"])
        ledger.record_verification_fee(transfer=attempt, organizer_id=profile.user_id)
        if _is_current(profile, attempt) and profile.status == PaymentProfileStatus.PENDING:
            payment_profiles.mark_verifying(profile=profile, transfer_code=attempt.transfer_code)


# --- settling -----------------------------------------------------------------------------------


def _is_current(profile: PaymentProfile, attempt: VerificationTransfer) -> bool:
    return profile.verification_reference == attempt.reference


def _failure_text(outcome: str, data: dict) -> str:
    detail = data.get("gateway_response") or data.get("failure_reason") or ""
    failures = data.get("failures")
    if not detail and isinstance(failures, dict):
        detail = failures.get("message") or failures.get("reason") or ""
    if outcome == "reversed":
        base = "The GHS 1.00 verification transfer was reversed by the receiving institution."
    else:
        base = "The GHS 1.00 verification transfer failed. Check the account details."
    return f"{base} ({detail})"[:300] if detail else base


def _fail_profile(profile: PaymentProfile, reason: str) -> None:
    payment_profiles.mark_verification_failed(profile=profile, reason=reason)


def settle_verification(*, reference: str, outcome: str, data: dict | None = None) -> VerificationTransfer | None:
    """Apply `success`, `failed` or `reversed` to a verification transfer and its profile, once.

    success: `verifying -> verified`; failed: `verifying -> failed` (debit reversed); reversed: also
    `verified -> failed`. Only the profile's current attempt moves the profile.
    """
    data = data or {}
    with transaction.atomic():
        attempt, profile = _locked(reference)
        if attempt is None:
            logger.warning("transfer %s for an unknown verification attempt ignored", reference)
            return None
        now = timezone.now()
        if outcome == "success" and attempt.status in (TransferStatus.QUEUED, TransferStatus.PENDING):
            _settle_attempt(attempt, TransferStatus.SUCCESS, data, now)
            ledger.record_verification_fee(transfer=attempt, organizer_id=profile.user_id)
            if _is_current(profile, attempt) and profile.status in (
                PaymentProfileStatus.PENDING,
                PaymentProfileStatus.VERIFYING,
            ):
                _verify_profile(profile, attempt, data, now)
        elif outcome in ("failed", "reversed") and attempt.status in _reversible_from(outcome):
            reason = _failure_text(outcome, data)
            _settle_attempt(attempt, outcome, data, now, reason=reason)
            ledger.reverse_verification_fee(transfer=attempt, organizer_id=profile.user_id)
            movable = [PaymentProfileStatus.PENDING, PaymentProfileStatus.VERIFYING]
            if outcome == "reversed":
                movable.append(PaymentProfileStatus.VERIFIED)
            if _is_current(profile, attempt) and profile.status in movable:
                _fail_profile(profile, reason)
    return attempt


def _reversible_from(outcome: str) -> tuple:
    if outcome == "reversed":
        return (TransferStatus.QUEUED, TransferStatus.PENDING, TransferStatus.SUCCESS)
    return (TransferStatus.QUEUED, TransferStatus.PENDING)


def _settle_attempt(attempt, status, data, now, reason="") -> None:
    attempt.status, attempt.settled_at = status, now
    attempt.transfer_code = attempt.transfer_code or str(data.get("transfer_code") or "")[:60]
    attempt.failure_reason = reason[:300]
    attempt.save(update_fields=["status", "settled_at", "transfer_code", "failure_reason", "updated_at"])


def _verify_profile(profile, attempt, data, now) -> None:
    recipient = data.get("recipient") if isinstance(data.get("recipient"), dict) else {}
    resolved = (recipient.get("details") or {}).get("account_name") or recipient.get("name") or ""
    payment_profiles.mark_verified(
        profile=profile, transfer_code=attempt.transfer_code, resolved_account_name=str(resolved), at=now
    )


# --- reconciliation -----------------------------------------------------------------------------


def stale_verifications(*, now: datetime | None = None):
    """Verification transfers still unsettled 10 minutes after they were sent."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    return VerificationTransfer.objects.filter(status=TransferStatus.PENDING, created_at__lt=cutoff).order_by("pk")


def reconcile_verifications(*, now: datetime | None = None, track: Track = no_progress) -> int:
    """Ask the provider about attempts still unsettled after 10 minutes; returns how many settled."""
    references = list(stale_verifications(now=now).values_list("reference", flat=True)[:200])
    settled = 0
    for reference in track(references, len(references)):
        try:
            data = providers.get().verify_transfer(reference)
        except ProviderError as error:
            logger.warning("verification transfer %s could not be checked: %s", reference, error)
            continue
        outcome = TRANSFER_OUTCOMES.get(str(data.get("status") or "").lower())
        if outcome:
            settle_verification(reference=reference, outcome=outcome, data=data)
            settled += 1
    return settled
