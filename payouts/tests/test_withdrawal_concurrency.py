"""W1 under concurrency on PostgreSQL: one balance, 20 simultaneous requests, at most one hold."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from payouts.exceptions import WithdrawalRefused
from payouts.models import LedgerEntry, LedgerKind, Withdrawal
from payouts.selectors import available_balance
from payouts.services import withdrawals

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_requests_produce_at_most_one_hold(withdrawable, monkeypatch):
    monkeypatch.setattr(withdrawals, "_queue_transfer", lambda pk: None)  # only the hold is under test
    barrier = threading.Barrier(20)
    outcomes = []

    def attempt(amount):
        try:
            barrier.wait()
            withdrawals.request_withdrawal(organizer=withdrawable, amount=amount)
            outcomes.append("created")
        except WithdrawalRefused as refusal:
            outcomes.append(refusal.error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(str(900 + n),)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 20
    assert outcomes.count("created") == 1
    assert set(outcomes) <= {"created", "Withdrawal in progress", "Insufficient balance"}
    assert Withdrawal.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerKind.WITHDRAWAL).count() == 1
    held = Withdrawal.objects.get().requested_amount
    assert available_balance(withdrawable.pk) == Decimal("950.00") - held >= 0
