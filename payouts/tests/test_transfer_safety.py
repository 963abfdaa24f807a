"""A failed transfer call is never taken for a refusal while money may have left.

A timeout or a 5xx may hide a transfer Paystack did make, and a retry of it answers "duplicate
reference": in each case the provider is asked about the reference before funds are released.
"""

import httpx
import pytest

from payments.providers import ProviderError
from payments.providers.paystack import PaystackProvider
from payouts.models import Withdrawal
from payouts.selectors import available_balance
from payouts.services import withdrawals
from payouts.tests.fixtures import transfer_data

pytestmark = pytest.mark.django_db


def paystack_answering(monkeypatch, *, transfer, lookup):
    """Route the provider to a Paystack client whose transport answers transfer and lookup as given."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/transferrecipient":
            return httpx.Response(200, json={"status": True, "data": {"recipient_code": "RCP_test123"}})
        if request.url.path == "/transfer":
            return transfer(request)
        if request.url.path.startswith("/transfer/verify/"):
            return lookup(request)
        return httpx.Response(404, json={"status": False, "message": "not stubbed"})

    provider = PaystackProvider("sk_test_x", transport=httpx.MockTransport(handler))
    monkeypatch.setattr("payments.providers.get", lambda: provider)


def found(status):
    def answer(request):
        reference = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json={"status": True, "data": transfer_data(reference=reference, status=status)})

    return answer


def refused(code, message):
    return lambda request: httpx.Response(code, json={"status": False, "message": message})


def timed_out(request):
    raise httpx.ReadTimeout("read timed out", request=request)


def requested(organizer):
    withdrawal = withdrawals.request_withdrawal(organizer=organizer, amount="200.00")
    return withdrawal, available_balance(organizer)


def test_a_server_error_on_a_transfer_that_went_through_keeps_the_money_held(withdrawable, monkeypatch):
    withdrawal, balance_after_hold = requested(withdrawable)
    paystack_answering(monkeypatch, transfer=refused(500, "Internal error"), lookup=found("success"))

    withdrawals.send_withdrawal_transfer(withdrawal_pk=withdrawal.pk)

    withdrawal.refresh_from_db()
    assert withdrawal.status == "completed"
    assert available_balance(withdrawable) == balance_after_hold


def test_a_duplicate_reference_on_a_retry_adopts_the_earlier_transfer(withdrawable, monkeypatch):
    withdrawal, balance_after_hold = requested(withdrawable)
    paystack_answering(monkeypatch, transfer=refused(400, "Duplicate Transaction Reference"), lookup=found("pending"))

    withdrawals.send_withdrawal_transfer(withdrawal_pk=withdrawal.pk)

    withdrawal.refresh_from_db()
    assert withdrawal.status == "processing"
    assert available_balance(withdrawable) == balance_after_hold


def test_a_refusal_with_no_transfer_behind_it_releases_the_funds(withdrawable, monkeypatch):
    withdrawal, balance_after_hold = requested(withdrawable)
    paystack_answering(
        monkeypatch, transfer=refused(400, "Insufficient balance"), lookup=refused(404, "Transfer not found")
    )

    withdrawals.send_withdrawal_transfer(withdrawal_pk=withdrawal.pk)

    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed"
    assert available_balance(withdrawable) > balance_after_hold


def test_an_unknown_outcome_is_retried_later_with_the_funds_still_held(withdrawable, monkeypatch):
    withdrawal, balance_after_hold = requested(withdrawable)
    paystack_answering(monkeypatch, transfer=timed_out, lookup=timed_out)

    with pytest.raises(ProviderError):
        withdrawals.send_withdrawal_transfer(withdrawal_pk=withdrawal.pk)

    withdrawal.refresh_from_db()
    assert withdrawal.status == "pending"
    assert Withdrawal.objects.get(pk=withdrawal.pk).transfer_reference == withdrawal.transfer_reference
    assert available_balance(withdrawable) == balance_after_hold
