"""Withdrawals W1-W4 (CONTRACT.md §11.2, §14.5): checks, fees, the transfer, webhooks, cancel."""

from decimal import Decimal

import pytest

from payments.models import SandboxTransfer
from payouts.models import LedgerEntry, VerificationTransfer, Withdrawal
from payouts.selectors import available_balance
from payouts.services import ledger, withdrawals
from payouts.tests.fixtures import deliver_webhook, transfer_data

pytestmark = pytest.mark.django_db

KEYS = {
    "withdrawal_id", "requested_amount", "transfer_fee", "deductions", "final_amount", "currency", "status",
    "payment_profile", "bank_account", "transfer_code", "transfer_reference", "failure_reason", "rejection_reason",
    "created_at", "completed_at",
}  # fmt: skip


@pytest.fixture
def slow_sandbox(monkeypatch):
    monkeypatch.setattr("payments.providers.sandbox_transfers._schedule_settlement", lambda reference: None)


def request(client, capture=None, **body):
    if capture is None:
        return client.post("/api/v1/auth/withdrawal/request/", body, format="json")
    with capture(execute=True):
        return client.post("/api/v1/auth/withdrawal/request/", body, format="json")


def test_a_request_holds_the_amount_and_starts_the_transfer(
    withdrawable, organizer_client, slow_sandbox, django_capture_on_commit_callbacks
):
    response = request(organizer_client, django_capture_on_commit_callbacks, amount=200.5)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["success"] is True and body["message"] == "Withdrawal request submitted"
    data = body["data"]
    assert set(data) == KEYS
    assert data["withdrawal_id"].startswith("WDR-") and len(data["withdrawal_id"]) == 14
    assert data["status"] == "pending"  # as answered; the transfer starts right after commit
    assert (data["requested_amount"], data["transfer_fee"], data["deductions"], data["final_amount"]) == (
        200.5,
        0,
        0,
        200.5,
    )
    assert data["transfer_reference"].startswith("wd-") and len(data["transfer_reference"]) == 35
    assert data["bank_account"]["account_number"].startswith("+233****")
    assert data["bank_account"]["bank_name"] == "MTN"

    withdrawal = Withdrawal.objects.get()
    assert withdrawal.status == "processing" and withdrawal.transfer_code.startswith("TRF_")
    sent = SandboxTransfer.objects.get()
    assert (sent.reference, sent.amount_minor) == (withdrawal.transfer_reference, 20050)
    assert available_balance(withdrawable.pk) == Decimal("749.50")


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("abc", "Invalid amount"),
        (-5, "Invalid amount"),
        (10.555, "Invalid amount"),
        (True, "Invalid amount"),
        (None, "Invalid amount"),
        (9.99, "Below minimum withdrawal"),
        (950.01, "Insufficient balance"),
    ],
)
def test_amount_checks(withdrawable, organizer_client, amount, error):
    response = request(organizer_client, amount=amount)
    assert response.status_code == 400
    assert response.json()["error"] == error and response.json()["success"] is False
    assert response["Content-Type"] == "application/json"
    assert not Withdrawal.objects.exists()


def test_profile_checks(organizer, organizer_client, make_profile, sold_event):
    assert request(organizer_client, amount=50).json()["error"] == "No default payment profile"
    unverified = make_profile(organizer, status="failed", is_default=True)
    assert request(organizer_client, amount=50).json()["error"] == "Payment profile not verified"
    other = make_profile(organizer, status="verified")
    assert (
        request(organizer_client, amount=50, payment_profile_id="nope").json()["error"] == "Payment profile not found"
    )
    assert unverified.pk != other.pk
    assert request(organizer_client, amount=50, payment_profile_id=str(other.pk)).status_code == 201


def test_one_open_withdrawal_at_a_time(withdrawable, organizer_client):
    assert request(organizer_client, amount=100).status_code == 201
    second = request(organizer_client, amount=100)
    assert (second.status_code, second.json()["error"]) == (400, "Withdrawal in progress")


def test_fees_and_deductions(organizer, organizer_client, payout_profile, make_event, make_sale):
    make_sale(make_event(days=-10, price="1000.00"), 6)  # net 5,700.00
    attempt = VerificationTransfer.objects.create(payment_profile=payout_profile)
    ledger.record_verification_fee(transfer=attempt, organizer_id=organizer.pk)

    data = request(organizer_client, amount=5000).json()["data"]
    assert (data["transfer_fee"], data["deductions"], data["final_amount"]) == (10.0, 1.0, 4989.0)
    assert withdrawals.transfer_fee(Decimal("4999.99")) == 0


def test_success_webhook_completes_and_failure_releases_the_funds(
    withdrawable, organizer_client, client, slow_sandbox, django_capture_on_commit_callbacks
):
    request(organizer_client, django_capture_on_commit_callbacks, amount=300)
    withdrawal = Withdrawal.objects.get()
    data = transfer_data(reference=withdrawal.transfer_reference, transfer_code=withdrawal.transfer_code, amount=30000)

    deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.failed", {**data, "status": "failed"})
    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed" and "back in your balance" in withdrawal.failure_reason
    assert available_balance(withdrawable.pk) == Decimal("950.00")

    deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.success", data)  # too late: nothing moves
    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed"
    assert LedgerEntry.objects.filter(withdrawal=withdrawal).count() == 2

    request(organizer_client, django_capture_on_commit_callbacks, amount=300)
    second = Withdrawal.objects.get(status="processing")
    data = transfer_data(reference=second.transfer_reference, transfer_code=second.transfer_code, amount=30000)
    for _ in range(2):
        deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.success", data)
    second.refresh_from_db()
    assert second.status == "completed" and second.completed_at is not None
    assert available_balance(withdrawable.pk) == Decimal("650.00")

    deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.reversed", {**data, "status": "reversed"})
    second.refresh_from_db()
    assert second.status == "failed" and "reversed" in second.failure_reason
    assert available_balance(withdrawable.pk) == Decimal("950.00")


def test_sandbox_settles_the_withdrawal(withdrawable, organizer_client, django_capture_on_commit_callbacks):
    request(organizer_client, django_capture_on_commit_callbacks, amount=100)
    assert Withdrawal.objects.get().status == "completed"


def test_history_detail_and_cancel(withdrawable, organizer_client, client_for, make_user):
    created = request(organizer_client, amount=100).json()["data"]  # transfer not started (no commit in a test)
    url = f"/api/v1/auth/withdrawal/{created['withdrawal_id']}/"

    detail = organizer_client.get(url).json()
    assert detail == {"success": True, "data": created}
    assert client_for(make_user()).get(url).status_code == 404

    history = organizer_client.get("/api/v1/auth/withdrawal/history/").json()
    assert history["success"] is True and history["count"] == 1 and history["data"] == history["results"]
    assert organizer_client.get("/api/v1/auth/withdrawal/history/?status=completed").json()["count"] == 0
    assert organizer_client.get("/api/v1/auth/withdrawal/history/?status=bogus").status_code == 400

    cancelled = organizer_client.post(url + "cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["message"] == "Withdrawal cancelled" and cancelled.json()["data"]["status"] == "cancelled"
    assert available_balance(withdrawable.pk) == Decimal("950.00")

    again = organizer_client.post(url + "cancel/")
    assert (again.status_code, again.json()["error"], again.json()["success"]) == (
        400,
        "Cannot cancel withdrawal",
        False,
    )


def test_the_request_endpoint_is_throttled(withdrawable, organizer_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**SimpleRateThrottle.THROTTLE_RATES, "withdrawal": "2/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    responses = [request(organizer_client, amount=5) for _ in range(3)]
    assert [r.status_code for r in responses] == [400, 400, 429]
    assert responses[-1]["Retry-After"] and responses[-1].json()["success"] is False


def test_a_profile_paying_an_open_withdrawal_cannot_be_deleted(withdrawable, organizer_client, payout_profile):
    request(organizer_client, amount=100)
    response = organizer_client.delete(f"/api/v1/auth/payment-profile/{payout_profile.pk}/")
    assert response.status_code == 400
    assert "withdrawal" in response.json()["message"]
