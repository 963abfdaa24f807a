"""Staff admin: the ledger is read-only; withdrawal decisions run through the services."""

from decimal import Decimal

import pytest

from payouts.exceptions import WithdrawalRefused
from payouts.models import LedgerEntry, Withdrawal
from payouts.selectors import available_balance
from payouts.services import withdrawals

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, make_user):
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.fixture
def pending(withdrawable):
    return withdrawals.request_withdrawal(organizer=withdrawable, amount="100")  # no commit: transfer not started


def test_the_ledger_is_read_only(staff_client, sold_event):
    entry = LedgerEntry.objects.first()
    assert staff_client.get("/admin/payouts/ledgerentry/").status_code == 200
    assert staff_client.get(f"/admin/payouts/ledgerentry/{entry.pk}/change/").status_code == 200
    assert staff_client.get("/admin/payouts/ledgerentry/add/").status_code == 403
    assert staff_client.post(f"/admin/payouts/ledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_rejecting_needs_a_reason_and_releases_the_funds(staff_client, pending, withdrawable):
    url = f"/admin/payouts/withdrawal/{pending.pk}/change/"
    assert staff_client.get(url).status_code == 200

    no_reason = staff_client.post(url, {"decision": "reject", "reason": ""})
    assert no_reason.status_code == 200  # the form again, with the error
    assert Withdrawal.objects.get().status == "pending"

    staff_client.post(url, {"decision": "reject", "reason": "Account name does not match the organizer."})
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.status == "rejected" and withdrawal.rejection_reason.startswith("Account name")
    assert available_balance(withdrawable.pk) == Decimal("950.00")


def test_approve_sends_the_transfer_and_mark_failed_releases(
    staff_client, pending, withdrawable, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("payments.providers.sandbox_transfers._schedule_settlement", lambda reference: None)
    changelist = "/admin/payouts/withdrawal/"
    staff_client.post(changelist, {"action": "approve_selected", "_selected_action": [pending.pk]})
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.status == "processing" and withdrawal.transfer_code

    staff_client.post(changelist, {"action": "mark_failed_selected", "_selected_action": [pending.pk]})
    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed" and withdrawal.failure_reason == "Marked failed by staff."
    assert available_balance(withdrawable.pk) == Decimal("950.00")


def test_a_completed_withdrawal_cannot_be_rejected(pending):
    withdrawals.settle_withdrawal(reference=pending.transfer_reference, outcome="success")
    with pytest.raises(WithdrawalRefused):
        withdrawals.reject_withdrawal(withdrawal=pending, reason="late")


def test_old_admin_bookmarks_of_the_payout_pages_lead_to_their_new_place(staff_client):
    response = staff_client.get("/admin/payments/withdrawal/?status__exact=pending")
    assert response.status_code == 302
    assert response["Location"] == "/admin/payouts/withdrawal/?status__exact=pending"
    assert staff_client.get("/admin/payments/payment/").status_code == 200  # payments' own pages stay
