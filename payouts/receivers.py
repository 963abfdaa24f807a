"""Payouts' answers to the signals of accounts and payments (connected in PayoutsConfig.ready)."""

import logging

from django.dispatch import receiver

from accounts.signals import (
    account_deletion_requested,
    account_name_requested,
    bank_codes_requested,
    payment_profile_created,
    payment_profile_deletion_requested,
)
from payments.signals import sale_completed, sale_refunded, transfer_event_received
from payouts import selectors
from payouts.services import banks, ledger, verification, withdrawals

logger = logging.getLogger(__name__)

TRANSFER_EVENTS = {"transfer.success": "success", "transfer.failed": "failed", "transfer.reversed": "reversed"}


@receiver(payment_profile_created, dispatch_uid="payouts.start_payout_verification")
def start_payout_verification(sender, profile, **kwargs):
    """A new payout account: queue its GHS 1.00 verification transfer."""
    verification.start_verification(profile=profile)


@receiver(sale_completed, dispatch_uid="payouts.credit_sale")
def credit_sale(sender, purchase, **kwargs):
    """A paid purchase was issued: credit the organizer, less the platform fee (in the same transaction)."""
    ledger.record_sale(purchase=purchase)


@receiver(sale_refunded, dispatch_uid="payouts.reverse_sale")
def reverse_sale(sender, purchase, **kwargs):
    """A completed purchase was refunded: its sale and platform fee are reversed (in the same transaction)."""
    ledger.reverse_sale(purchase=purchase)


@receiver(transfer_event_received, dispatch_uid="payouts.settle_transfer")
def settle_transfer(sender, event, data, **kwargs):
    """`transfer.*`: a verification transfer (`pd-`) or a withdrawal (`wd-`), told apart by its reference."""
    outcome = TRANSFER_EVENTS.get(event)
    if outcome is None:
        return
    reference = str(data.get("reference") or "")
    if reference.startswith("pd-"):
        verification.settle_verification(reference=reference, outcome=outcome, data=data)
    elif reference.startswith("wd-"):
        withdrawals.settle_withdrawal(reference=reference, outcome=outcome, data=data)
    else:
        logger.warning("%s for unknown transfer reference %r ignored", event, reference)


@receiver(bank_codes_requested, dispatch_uid="payouts.known_bank_codes")
def known_bank_codes(sender, **kwargs):
    """The provider's bank codes when its list is cached (never a network call inside a request)."""
    return banks.cached_bank_codes("ghipss")


@receiver(account_name_requested, dispatch_uid="payouts.resolve_account_name")
def resolve_account_name(sender, method, account, **kwargs):
    """A payout account sent without its holder's name: ask the provider's name enquiry."""
    return verification.resolve_account_name(method=method, account=account)


@receiver(account_deletion_requested, dispatch_uid="payouts.money_still_owed")
def money_still_owed(sender, user, **kwargs):
    """An organizer with a withdrawal under way or money to withdraw must keep the account."""
    if selectors.open_withdrawal_exists(organizer=user):
        return "You have a withdrawal that is still pending or processing."
    available = selectors.available_balance(user.pk)
    if available > 0:
        return f"You have an available balance of GHS {available}. Withdraw it first."
    return None


@receiver(payment_profile_deletion_requested, dispatch_uid="payouts.profile_pays_open_withdrawal")
def profile_pays_open_withdrawal(sender, profile, **kwargs):
    """A payout account that a pending or processing withdrawal pays into cannot be deleted."""
    if selectors.open_withdrawal_exists(payment_profile=profile):
        return {"message": "A pending or processing withdrawal pays into this profile.", "extra": {}}
    return None
