"""Celery entry points of payouts (CONTRACT.md §15); each calls a service and is safe to retry.

`ProviderError` raised by a service means the provider could not be reached: the task retries
with backoff and the same transfer reference.
"""

from celery import shared_task

from events.models import Event
from payments.providers import ProviderError
from payouts.services import banks, event_cancellation, ledger, verification, withdrawals

RETRYING = {"autoretry_for": (ProviderError,), "retry_backoff": 30, "max_retries": 6}


@shared_task(name="payouts.send_verification_transfer", **RETRYING)
def send_verification_transfer(attempt_pk: int) -> None:
    verification.send_verification_transfer(attempt_pk=attempt_pk)


@shared_task(name="payouts.send_withdrawal_transfer", **RETRYING)
def send_withdrawal_transfer(withdrawal_pk: int) -> None:
    withdrawals.send_withdrawal_transfer(withdrawal_pk=withdrawal_pk)


@shared_task(name="payouts.reconcile_transfers")
def reconcile_transfers() -> int:
    return verification.reconcile_verifications() + withdrawals.reconcile_withdrawals()


@shared_task(name="payouts.release_earnings")
def release_earnings() -> int:
    return ledger.release_earnings()


@shared_task(name="payouts.refresh_bank_list")
def refresh_bank_list() -> int:
    return banks.refresh_all()


@shared_task(name="payouts.run_event_cancellation", time_limit=3600)
def run_event_cancellation(event_pk: int) -> str:
    """Queued by the admin's "Cancel event": refund and e-mail every buyer, then the organizer."""
    return event_cancellation.run_cancellation(event=Event.objects.get(pk=event_pk)).summary()


@shared_task(name="payouts.resume_event_cancellations", time_limit=3600)
def resume_event_cancellations() -> int:
    """Every 5 minutes: finish cancellations whose run stopped (lost message, dead worker, provider down)."""
    return event_cancellation.resume_cancellations()


# Until issue 11 these tasks were registered as `payments.*`. Messages queued (or waiting on a retry
# countdown) before an upgrade carry the old names, so each old name stays registered and runs the same
# service. Drop them once no queue can hold a message that old.


@shared_task(name="payments.send_verification_transfer", **RETRYING)
def legacy_send_verification_transfer(attempt_pk: int) -> None:
    verification.send_verification_transfer(attempt_pk=attempt_pk)


@shared_task(name="payments.send_withdrawal_transfer", **RETRYING)
def legacy_send_withdrawal_transfer(withdrawal_pk: int) -> None:
    withdrawals.send_withdrawal_transfer(withdrawal_pk=withdrawal_pk)


@shared_task(name="payments.reconcile_transfers")
def legacy_reconcile_transfers() -> int:
    return reconcile_transfers()


@shared_task(name="payments.release_earnings")
def legacy_release_earnings() -> int:
    return release_earnings()


@shared_task(name="payments.refresh_bank_list")
def legacy_refresh_bank_list() -> int:
    return refresh_bank_list()
