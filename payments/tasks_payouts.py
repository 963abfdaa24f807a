"""Celery entry points of payouts (CONTRACT.md §15); each calls a service and is safe to retry.

`ProviderError` raised by a service means the provider could not be reached: the task retries
with backoff and the same transfer reference.
"""

from celery import shared_task

from payments.providers import ProviderError
from payments.services import balances, banks, payouts, withdrawals

RETRYING = {"autoretry_for": (ProviderError,), "retry_backoff": 30, "max_retries": 6}


@shared_task(name="payments.send_verification_transfer", **RETRYING)
def send_verification_transfer(attempt_pk: int) -> None:
    payouts.send_verification_transfer(attempt_pk=attempt_pk)


@shared_task(name="payments.send_withdrawal_transfer", **RETRYING)
def send_withdrawal_transfer(withdrawal_pk: int) -> None:
    withdrawals.send_withdrawal_transfer(withdrawal_pk=withdrawal_pk)


@shared_task(name="payments.reconcile_transfers")
def reconcile_transfers() -> int:
    return payouts.reconcile_verifications() + withdrawals.reconcile_withdrawals()


@shared_task(name="payments.release_earnings")
def release_earnings() -> int:
    return balances.release_earnings()


@shared_task(name="payments.refresh_bank_list")
def refresh_bank_list() -> int:
    return banks.refresh_all()


@shared_task(name="payments.settle_sandbox_transfer")
def settle_sandbox_transfer(reference: str) -> int:
    return payouts.deliver_sandbox_transfer_events(reference=reference)
