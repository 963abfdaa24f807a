"""The payments app's answers to signals of other apps (connected in PaymentsConfig.ready)."""

import logging

from django.dispatch import receiver

from accounts.signals import (
    account_deletion_requested,
    account_name_requested,
    bank_codes_requested,
    payment_profile_created,
    payment_profile_deletion_requested,
)
from payments import revenue
from payments.services import banks, payouts, refunds, withdrawals
from payments.services.webhooks import provider_event_received

logger = logging.getLogger(__name__)

TRANSFER_EVENTS = {"transfer.success": "success", "transfer.failed": "failed", "transfer.reversed": "reversed"}


@receiver(payment_profile_created, dispatch_uid="payments.start_payout_verification")
def start_payout_verification(sender, profile, **kwargs):
    """A new payout account: queue its GHS 1.00 verification transfer."""
    payouts.start_verification(profile=profile)


@receiver(provider_event_received, dispatch_uid="payments.settle_transfer")
def settle_transfer(sender, event, data, **kwargs):
    """`transfer.*`: a verification transfer (`pd-`) or a withdrawal (`wd-`), told apart by its reference."""
    outcome = TRANSFER_EVENTS.get(event)
    if outcome is None:
        return
    reference = str(data.get("reference") or "")
    if reference.startswith("pd-"):
        payouts.settle_verification(reference=reference, outcome=outcome, data=data)
    elif reference.startswith("wd-"):
        withdrawals.settle_withdrawal(reference=reference, outcome=outcome, data=data)
    else:
        logger.warning("%s for unknown transfer reference %r ignored", event, reference)


@receiver(provider_event_received, dispatch_uid="payments.record_refund_outcome")
def record_refund_outcome(sender, event, data, **kwargs):
    """`refund.*`: the provider's outcome of a refund we asked for."""
    if event.startswith("refund."):
        refunds.record_refund_outcome(event=event, data=data)


@receiver(bank_codes_requested, dispatch_uid="payments.known_bank_codes")
def known_bank_codes(sender, **kwargs):
    """The provider's bank codes when its list is cached (never a network call inside a request)."""
    return banks.cached_bank_codes("ghipss")


@receiver(account_name_requested, dispatch_uid="payments.resolve_account_name")
def resolve_account_name(sender, method, account, **kwargs):
    """A payout account sent without its holder's name: ask the provider's name enquiry."""
    return payouts.resolve_account_name(method=method, account=account)


@receiver(account_deletion_requested, dispatch_uid="payments.money_still_owed")
def money_still_owed(sender, user, **kwargs):
    """An organizer with a withdrawal under way or money to withdraw must keep the account."""
    if withdrawals.open_withdrawal_exists(organizer=user):
        return "You have a withdrawal that is still pending or processing."
    available = revenue.available_balance(user.pk)
    if available > 0:
        return f"You have an available balance of GHS {available}. Withdraw it first."
    return None


@receiver(payment_profile_deletion_requested, dispatch_uid="payments.profile_pays_open_withdrawal")
def profile_pays_open_withdrawal(sender, profile, **kwargs):
    """A payout account that a pending or processing withdrawal pays into cannot be deleted."""
    if withdrawals.open_withdrawal_exists(payment_profile=profile):
        return {"message": "A pending or processing withdrawal pays into this profile.", "extra": {}}
    return None
