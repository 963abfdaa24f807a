"""The GHS 1.00 payout-account verification (CONTRACT.md §10, §14.4): transfer, webhooks, M7, M8."""

import io
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import PaymentProfile
from payments.models import SandboxTransfer, WebhookEvent
from payments.providers.paystack import PaystackProvider
from payouts.models import LedgerEntry, VerificationTransfer
from payouts.services import verification
from payouts.tests.fixtures import deliver_webhook, transfer_data

pytestmark = pytest.mark.django_db

MOMO = {"mobile_number": "0241234567", "network": "MTN", "account_name": "Ama Mensah"}


@pytest.fixture
def slow_sandbox(settings, monkeypatch):
    """Sandbox transfers that do not settle by themselves: the test delivers the webhooks."""
    monkeypatch.setattr("payments.providers.sandbox_transfers._schedule_settlement", lambda reference: None)


def create_profile(client, capture, **account):
    body = {"method": "mobile_money", "name": "My MoMo", "account_details": {**MOMO, **account}}
    with capture(execute=True):
        response = client.post("/api/v1/auth/payment-profile/", body, format="json")
    assert response.status_code == 201, response.content
    return PaymentProfile.objects.get(pk=response.json()["data"]["payment_profile"]["id"])


def fee_entries(profile):
    return list(
        LedgerEntry.objects.filter(organizer=profile.user, kind__startswith="verification_fee")
        .order_by("id")
        .values_list("kind", "amount")
    )


def test_creating_a_profile_sends_one_cedi_and_records_the_debit(
    organizer_client, slow_sandbox, django_capture_on_commit_callbacks
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)

    assert profile.status == "verifying"
    assert profile.verification_attempts == 1
    assert profile.recipient_code.startswith("RCP_")
    assert profile.verification_reference.startswith("pd-") and len(profile.verification_reference) == 35
    sent = SandboxTransfer.objects.get()
    assert (sent.reference, sent.amount_minor, sent.recipient.kind) == (
        profile.verification_reference,
        100,
        "mobile_money",
    )
    assert (sent.recipient.account_number, sent.recipient.bank_code) == ("0241234567", "MTN")
    assert fee_entries(profile) == [("verification_fee", Decimal("-1.00"))]


def test_a_signed_transfer_success_verifies_the_profile_and_a_duplicate_changes_nothing(
    organizer_client, client, slow_sandbox, django_capture_on_commit_callbacks
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)
    data = transfer_data(reference=profile.verification_reference, transfer_code=profile.verification_transfer_code)

    for _ in range(2):
        deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.success", data)

    profile.refresh_from_db()
    assert profile.status == "verified" and profile.verified_at is not None
    assert profile.resolved_account_name == "AMA MENSAH"
    assert WebhookEvent.objects.count() == 1
    assert fee_entries(profile) == [("verification_fee", Decimal("-1.00"))]

    # the same outcome under another key (the handler is idempotent by state, not only by the store)
    verification.settle_verification(reference=profile.verification_reference, outcome="success", data=data)
    assert fee_entries(profile) == [("verification_fee", Decimal("-1.00"))]


def test_a_failed_transfer_fails_the_profile_and_reverses_the_debit(
    organizer_client, client, slow_sandbox, django_capture_on_commit_callbacks
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)
    data = {**transfer_data(reference=profile.verification_reference, status="failed"), "gateway_response": "Wallet"}

    deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.failed", data)

    profile.refresh_from_db()
    assert profile.status == "failed"
    assert "failed" in profile.failure_reason and "Wallet" in profile.failure_reason
    assert fee_entries(profile) == [
        ("verification_fee", Decimal("-1.00")),
        ("verification_fee_reversal", Decimal("1.00")),
    ]

    deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.success", data)  # late and out of order
    profile.refresh_from_db()
    assert profile.status == "failed"


def test_a_later_reversal_turns_a_verified_profile_failed(
    organizer_client, client, slow_sandbox, django_capture_on_commit_callbacks
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)
    data = transfer_data(reference=profile.verification_reference)
    deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.success", data)
    deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.reversed", {**data, "status": "reversed"})
    deliver_webhook(client, django_capture_on_commit_callbacks, "transfer.reversed", {**data, "status": "reversed"})

    profile.refresh_from_db()
    assert profile.status == "failed" and profile.verified_at is None
    assert "reversed" in profile.failure_reason
    assert sum(amount for _, amount in fee_entries(profile)) == 0
    assert len(fee_entries(profile)) == 2


def test_a_rejected_recipient_fails_the_profile_without_a_charge(organizer_client, django_capture_on_commit_callbacks):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks, mobile_number="0241230000")

    assert profile.status == "failed"
    assert "recipient" in profile.failure_reason
    assert fee_entries(profile) == []
    assert not SandboxTransfer.objects.exists()


@pytest.mark.parametrize(
    ("number", "status", "fees"),
    [("0241239999", "verified", Decimal("-1.00")), ("0241230001", "failed", 0), ("0241230002", "failed", 0)],
)
def test_sandbox_magic_numbers_settle_through_signed_webhooks(
    organizer_client, django_capture_on_commit_callbacks, number, status, fees
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks, mobile_number=number)

    assert profile.status == status
    assert sum(amount for _, amount in fee_entries(profile)) == fees
    expected = {"verified": ["transfer.success"], "failed": None}[status]
    events = sorted(WebhookEvent.objects.values_list("event_type", flat=True))
    if number.endswith("0001"):
        assert events == ["transfer.failed"]
    elif number.endswith("0002"):
        assert events == ["transfer.reversed", "transfer.success"]
    else:
        assert events == expected


def test_the_bank_recipient_is_ghipss_with_the_bank_code(
    organizer_client, slow_sandbox, django_capture_on_commit_callbacks
):
    body = {
        "method": "bank_transfer",
        "name": "CAL account",
        "account_details": {
            "account_number": "1400123456",
            "account_name": "Ama",
            "bank_name": "CAL Bank",
            "bank_code": "140100",
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert organizer_client.post("/api/v1/auth/payment-profile/", body, format="json").status_code == 201
    recipient = SandboxTransfer.objects.get().recipient
    assert (recipient.kind, recipient.bank_code, recipient.account_number) == ("ghipss", "140100", "1400123456")


# --- M7 ---------------------------------------------------------------------------------------------


def test_verification_status_has_every_key_in_two_queries(
    organizer_client, slow_sandbox, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(2):
        response = organizer_client.get(f"/api/v1/auth/payment-profile/{profile.pk}/verification-status/")
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {
        "id",
        "status",
        "is_verified",
        "verified_at",
        "verification_initiated_at",
        "attempts",
        "message",
        "failure_reason",
        "resolved_account_name",
        "can_retry",
        "retry_available_at",
    }
    assert body["id"] == str(profile.pk) and body["status"] == "verifying" and body["attempts"] == 1
    assert body["can_retry"] is False and body["failure_reason"] is None and body["verified_at"] is None

    alias = organizer_client.get(f"/api/v1/auth/users/payment-profile/{profile.pk}/verification-status/")
    assert alias.json() == body


def test_another_users_profile_is_not_found(client_for, make_user, make_profile, organizer_client):
    stranger_profile = make_profile(make_user())
    for suffix in ("verification-status/", "retry-verification/"):
        url = f"/api/v1/auth/payment-profile/{stranger_profile.pk}/{suffix}"
        response = (
            organizer_client.get(url) if suffix.startswith("v") else organizer_client.post(url, {"confirm": True})
        )
        assert response.status_code == 404


# --- M8 ---------------------------------------------------------------------------------------------


def retry(client, profile, body=None):
    return client.post(
        f"/api/v1/auth/payment-profile/{profile.pk}/retry-verification/",
        {"confirm": True} if body is None else body,
        format="json",
    )


def test_retry_rules_and_the_rate_limit(organizer_client, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        profile = create_profile(organizer_client, django_capture_on_commit_callbacks, mobile_number="0241230001")
        assert profile.status == "failed"

        refused = retry(organizer_client, profile, body={})
        assert refused.status_code == 400
        assert refused.json()["error"] == "Confirmation required" and refused.json()["success"] is False

        with django_capture_on_commit_callbacks(execute=True):
            ok = retry(organizer_client, profile)
        assert ok.status_code == 200
        assert ok.json()["verification"] == {"status": "pending", "attempts": 2}
        assert ok.json()["payment_profile"]["id"] == str(profile.pk)

        too_soon = retry(organizer_client, profile)
        assert too_soon.status_code == 429
        assert too_soon.json()["error"] == "Rate limit exceeded"
        assert too_soon.json()["retry_after"] == 600 and too_soon["Retry-After"] == "600"
        status = organizer_client.get(f"/api/v1/auth/payment-profile/{profile.pk}/verification-status/").json()
        assert status["can_retry"] is False and status["retry_available_at"] is not None

    for minutes in (11, 22):
        later = time_machine.travel(start + timedelta(minutes=minutes), tick=False)
        with later, django_capture_on_commit_callbacks(execute=True):
            assert retry(organizer_client, profile).status_code == 200
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
        limited = retry(organizer_client, profile)
        assert limited.status_code == 429
        assert limited.json()["retry_after"] == (24 * 60 - 40) * 60
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        status = organizer_client.get(f"/api/v1/auth/payment-profile/{profile.pk}/verification-status/").json()
        assert status["can_retry"] is True and status["retry_available_at"] is None

    profile.refresh_from_db()
    assert profile.verification_attempts == 4
    # four transfers were sent and all failed: four debits, four reversals
    assert VerificationTransfer.objects.filter(payment_profile=profile).count() == 4
    assert len(fee_entries(profile)) == 8 and sum(a for _, a in fee_entries(profile)) == 0


def test_retry_is_refused_while_in_progress_or_once_verified(
    organizer_client, client, slow_sandbox, django_capture_on_commit_callbacks
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)
    assert retry(organizer_client, profile).json()["error"] == "Verification in progress"
    deliver_webhook(
        client,
        django_capture_on_commit_callbacks,
        "transfer.success",
        transfer_data(reference=profile.verification_reference),
    )
    refused = retry(organizer_client, profile)
    assert (refused.status_code, refused.json()["error"]) == (400, "Already verified")


def test_a_successful_retry_costs_another_cedi(
    organizer_client, client, slow_sandbox, django_capture_on_commit_callbacks
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)
    first = profile.verification_reference
    deliver_webhook(
        client, django_capture_on_commit_callbacks, "transfer.failed", transfer_data(reference=first, status="failed")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert retry(organizer_client, profile).status_code == 200
    profile.refresh_from_db()
    assert profile.status == "verifying" and profile.verification_reference != first
    deliver_webhook(
        client,
        django_capture_on_commit_callbacks,
        "transfer.success",
        transfer_data(reference=profile.verification_reference, transfer_code="TRF_2"),
    )
    profile.refresh_from_db()
    assert profile.status == "verified"
    assert sum(amount for _, amount in fee_entries(profile)) == Decimal("-1.00")


# --- reconciliation and the live provider ------------------------------------------------------------


def test_reconciliation_settles_a_transfer_that_stayed_verifying(
    organizer_client, slow_sandbox, django_capture_on_commit_callbacks
):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)
    SandboxTransfer.objects.update(status="success")

    assert verification.reconcile_verifications() == 0  # younger than 10 minutes: left alone
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert verification.reconcile_verifications() == 1
    profile.refresh_from_db()
    assert profile.status == "verified"


def test_paystack_gets_a_mobile_money_recipient_and_a_one_cedi_transfer(
    organizer, make_profile, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = request.read() and __import__("json").loads(request.read())
        calls.append((request.method, request.url.path, body))
        if request.url.path == "/transferrecipient":
            data = {
                "recipient_code": "RCP_m7ljkv8leesep7p",
                "type": "mobile_money",
                "details": {"account_name": "AMA M"},
            }
            return httpx.Response(201, json={"status": True, "message": "Transfer recipient created", "data": data})
        data = {
            "reference": body["reference"],
            "status": "pending",
            "transfer_code": "TRF_v5tip3zx8nna9o78",
            "amount": 100,
        }
        return httpx.Response(200, json={"status": True, "message": "Transfer has been queued", "data": data})

    paystack = PaystackProvider("sk_test_x", transport=httpx.MockTransport(handler))
    monkeypatch.setattr("payments.providers.get", lambda: paystack)
    profile = make_profile(organizer, status="pending", account_number="+233201234567", network="Telecel")
    with django_capture_on_commit_callbacks(execute=True):
        verification.start_verification(profile=profile)

    profile.refresh_from_db()
    assert profile.status == "verifying" and profile.verification_transfer_code == "TRF_v5tip3zx8nna9o78"
    assert calls[0][2] == {
        "type": "mobile_money",
        "name": profile.account_name,
        "account_number": "0201234567",
        "bank_code": "VOD",
        "currency": "GHS",
    }
    assert calls[1][2]["amount"] == 100 and calls[1][2]["reference"] == profile.verification_reference


def test_an_unreachable_provider_leaves_the_attempt_queued_for_a_retry(
    organizer, make_profile, monkeypatch, django_capture_on_commit_callbacks
):
    def handler(request):
        raise httpx.ConnectError("down")

    paystack = PaystackProvider("sk_test_x", transport=httpx.MockTransport(handler))
    monkeypatch.setattr("payments.providers.get", lambda: paystack)
    profile = make_profile(organizer, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        verification.start_verification(profile=profile)
    profile.refresh_from_db()
    assert profile.status == "pending"
    assert VerificationTransfer.objects.get().status == "queued"


def test_the_reconcile_transfers_command(organizer_client, slow_sandbox, django_capture_on_commit_callbacks):
    profile = create_profile(organizer_client, django_capture_on_commit_callbacks)
    SandboxTransfer.objects.update(status="success")

    def run(*args):
        out = io.StringIO()
        call_command("reconcile_transfers", *args, stdout=out, stderr=io.StringIO())
        return out.getvalue().strip()

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert run("--dry-run") == (
            "transfers: 1 stale verification transfers, 0 stale withdrawals (dry run: nothing changed)"
        )
        assert PaymentProfile.objects.get(pk=profile.pk).status == "verifying"
        assert run().endswith("1 verification transfers settled, 0 withdrawals moved on")
        assert PaymentProfile.objects.get(pk=profile.pk).status == "verified"
        entries = LedgerEntry.objects.count()
        assert run() == (
            "transfers: 0 stale verification transfers, 0 stale withdrawals; "
            "0 verification transfers settled, 0 withdrawals moved on"
        )
        assert LedgerEntry.objects.count() == entries
    with pytest.raises(CommandError, match="unrecognized arguments"):
        run("now")
