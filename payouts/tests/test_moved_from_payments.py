"""The payout models moved from the payments app to payouts (issue 11): an existing database upgrades in place.

The test database is migrated back to the last migration before the move (the schema every deployment
had), filled through the historical models of that schema, and migrated forward again; the rows must
then read back through the new models, with their content types (and permissions) carried along.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cafa.celery import app as celery_app
from payouts.models import LedgerEntry, LedgerKind, VerificationTransfer, Withdrawal, WithdrawalStatus

BEFORE_THE_MOVE = [("payments", "0004_payment_refund_status")]
MOVED = ("ledgerentry", "verificationtransfer", "withdrawal")


def _fill_the_old_schema(old):
    """Rows as the payments app wrote them before the move, plus the content types of that time."""
    user = old.get_model("accounts", "User").objects.create(
        username="ama", email="ama@example.com", password="!", is_active=True
    )
    profile = old.get_model("accounts", "PaymentProfile").objects.create(
        user=user, method="mobile_money", name="MoMo", account_number="+233241234567", account_name="Ama Mensah"
    )
    transfer = old.get_model("payments", "VerificationTransfer").objects.create(
        payment_profile=profile, reference="pd-old", amount=Decimal("1.00"), status="success"
    )
    withdrawal = old.get_model("payments", "Withdrawal").objects.create(
        withdrawal_id="WDR-0000000001",
        transfer_reference="wd-old",
        organizer=user,
        payment_profile=profile,
        requested_amount=Decimal("100.00"),
        final_amount=Decimal("100.00"),
        status="pending",
    )
    entries = old.get_model("payments", "LedgerEntry").objects
    now = timezone.now()
    entries.create(organizer=user, kind="verification_fee", amount=Decimal("-1.00"), available_at=now,
                   verification_transfer=transfer)  # fmt: skip
    entries.create(organizer=user, kind="withdrawal", amount=Decimal("-100.00"), available_at=now,
                   withdrawal=withdrawal)  # fmt: skip
    # Unapplying the move gave the content types back to payments, as they were before it.
    withdrawal_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="payments", model="withdrawal")
    permission = old.get_model("auth", "Permission").objects.get(
        content_type=withdrawal_type, codename="view_withdrawal"
    )
    old.get_model("auth", "Group").objects.create(name="Payout desk").permissions.add(permission)
    return user, withdrawal_type.pk


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_before_the_move_keeps_its_payout_rows():
    executor = MigrationExecutor(connection)
    try:
        old = executor.migrate(BEFORE_THE_MOVE).apps
        user, withdrawal_type_pk = _fill_the_old_schema(old)

        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        ContentType.objects.clear_cache()

    withdrawal = Withdrawal.objects.select_related("payment_profile").get(withdrawal_id="WDR-0000000001")
    assert (withdrawal.organizer_id, withdrawal.status, withdrawal.requested_amount) == (
        user.pk,
        WithdrawalStatus.PENDING,
        Decimal("100.00"),
    )
    assert withdrawal.payment_profile.name == "MoMo"
    assert VerificationTransfer.objects.get(reference="pd-old").ledger_entries.get().amount == Decimal("-1.00")
    assert set(LedgerEntry.objects.filter(organizer_id=user.pk).values_list("kind", flat=True)) == {
        LedgerKind.VERIFICATION_FEE,
        LedgerKind.WITHDRAWAL,
    }
    # New rows go into the same tables, next to the old ones.
    LedgerEntry.objects.create(
        organizer_id=user.pk, kind=LedgerKind.WITHDRAWAL_RELEASE, amount=Decimal("100.00"),
        available_at=timezone.now() + timedelta(days=1), withdrawal=withdrawal,
    )  # fmt: skip
    assert LedgerEntry.objects.filter(withdrawal=withdrawal).count() == 2

    # The content type kept its id under the new app label, so granted permissions still apply.
    moved = ContentType.objects.get_for_model(Withdrawal)
    assert (moved.pk, moved.app_label) == (withdrawal_type_pk, "payouts")
    assert not ContentType.objects.filter(app_label="payments", model__in=MOVED).exists()
    desk = Group.objects.get(name="Payout desk")
    assert list(desk.permissions.values_list("content_type__app_label", "codename")) == [("payouts", "view_withdrawal")]


def test_tasks_queued_under_their_old_names_still_run(monkeypatch):
    celery_app.loader.import_default_modules()
    calls = []
    monkeypatch.setattr("payouts.services.ledger.release_earnings", lambda: calls.append("released") or 3)
    monkeypatch.setattr("payouts.services.withdrawals.send_withdrawal_transfer", lambda **kwargs: calls.append(kwargs))

    assert celery_app.tasks["payments.release_earnings"].apply().get() == 3
    celery_app.tasks["payments.send_withdrawal_transfer"].apply(args=(7,)).get()

    assert calls == ["released", {"withdrawal_pk": 7}]


def test_the_beat_runs_the_payout_jobs_under_their_new_names():
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert {"payouts.reconcile_transfers", "payouts.release_earnings", "payouts.refresh_bank_list"} <= scheduled
    assert not scheduled & {"payments.reconcile_transfers", "payments.release_earnings", "payments.refresh_bank_list"}
    celery_app.loader.import_default_modules()
    assert scheduled <= set(celery_app.tasks)
