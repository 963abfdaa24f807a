# Issue 11: the payout models move here from the payments app with their tables and rows. The tables
# were renamed to payouts_* by payments 0005, so this migration only adds the models to the payouts
# app's state. The content types (and with them the permissions granted on these models and the admin
# history) are relabelled rather than recreated, so staff keep their rights.

import django.db.models.deletion
import payouts.models
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ('ledgerentry', 'verificationtransfer', 'withdrawal')


def relabel_content_types(apps, schema_editor, old='payments', new='payouts'):
    """Point the moved models' content types at their new app, unless the new app already has its own."""
    ContentType = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def restore_content_types(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old='payouts', new='payments')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('payments', '0005_payout_models_move_to_payouts'),
        ('accounts', '0004_payment_profile_transfer_fields'),
        ('events', '0002_seed_categories'),
        ('tickets', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='VerificationTransfer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(default=payouts.models.verification_transfer_reference, editable=False, max_length=40, unique=True)),
                        ('transfer_code', models.CharField(blank=True, default='', max_length=60)),
                        ('amount', models.DecimalField(decimal_places=2, default=1, max_digits=14)),
                        ('status', models.CharField(choices=[('queued', 'Queued (not yet accepted by the provider)'), ('pending', 'Sent, awaiting settlement'), ('success', 'Success'), ('failed', 'Failed'), ('reversed', 'Reversed')], default='queued', max_length=10)),
                        ('is_retry', models.BooleanField(default=False, help_text='Started by M8 (counts toward the retry limit).')),
                        ('failure_reason', models.CharField(blank=True, default='', max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('settled_at', models.DateTimeField(blank=True, null=True)),
                        ('payment_profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='verification_transfers', to='accounts.paymentprofile')),
                    ],
                    options={
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Withdrawal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('withdrawal_id', models.CharField(default=payouts.models.withdrawal_public_id, editable=False, max_length=14, unique=True)),
                        ('requested_amount', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('transfer_fee', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                        ('deductions', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                        ('final_amount', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('currency', models.CharField(default='GHS', max_length=3)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('processing', 'Processing'), ('completed', 'Completed'), ('failed', 'Failed'), ('cancelled', 'Cancelled'), ('rejected', 'Rejected')], default='pending', max_length=12)),
                        ('transfer_reference', models.CharField(default=payouts.models.withdrawal_transfer_reference, editable=False, max_length=40, unique=True)),
                        ('transfer_code', models.CharField(blank=True, default='', max_length=60)),
                        ('failure_reason', models.CharField(blank=True, default='', max_length=300)),
                        ('rejection_reason', models.CharField(blank=True, default='', max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('processing_at', models.DateTimeField(blank=True, null=True)),
                        ('completed_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_at', models.DateTimeField(blank=True, help_text='When it failed, was cancelled or rejected.', null=True)),
                        ('organizer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='withdrawals', to=settings.AUTH_USER_MODEL)),
                        ('payment_profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='withdrawals', to='accounts.paymentprofile')),
                    ],
                    options={
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='LedgerEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('sale', 'Ticket sale (credit)'), ('platform_fee', 'Platform fee (debit)'), ('sale_reversal', 'Refunded sale (debit)'), ('platform_fee_reversal', 'Refunded platform fee (credit)'), ('verification_fee', 'Payout-account verification transfer (debit)'), ('verification_fee_reversal', 'Failed or reversed verification transfer (credit)'), ('withdrawal', 'Withdrawal requested (debit)'), ('withdrawal_release', 'Withdrawal failed, cancelled or rejected (credit)'), ('deduction_recovery', 'Verification fees recovered by a withdrawal'), ('deduction_recovery_reversal', 'Recovery undone: the withdrawal did not go out')], max_length=30)),
                        ('amount', models.DecimalField(decimal_places=2, help_text='Positive credits, negative debits.', max_digits=14)),
                        ('available_at', models.DateTimeField(help_text='When the money may be withdrawn (the payout hold).')),
                        ('memo', models.CharField(blank=True, default='', max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('released_at', models.DateTimeField(blank=True, help_text='Set by the daily earnings release once the hold is over (bookkeeping).', null=True)),
                        ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='events.event')),
                        ('organizer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to=settings.AUTH_USER_MODEL)),
                        ('purchase', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tickets.purchase')),
                        ('verification_transfer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='payouts.verificationtransfer')),
                        ('withdrawal', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='payouts.withdrawal')),
                    ],
                    options={
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='verificationtransfer',
                    index=models.Index(fields=['payment_profile', '-created_at'], name='verif_transfer_profile_idx'),
                ),
                migrations.AddIndex(
                    model_name='verificationtransfer',
                    index=models.Index(fields=['status', 'created_at'], name='verif_transfer_status_idx'),
                ),
                migrations.AddIndex(
                    model_name='withdrawal',
                    index=models.Index(fields=['organizer', '-created_at'], name='withdrawal_organizer_idx'),
                ),
                migrations.AddIndex(
                    model_name='withdrawal',
                    index=models.Index(fields=['status', 'updated_at'], name='withdrawal_status_age_idx'),
                ),
                migrations.AddConstraint(
                    model_name='withdrawal',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'processing'])), fields=('organizer',), name='withdrawal_one_open_per_organizer'),
                ),
                migrations.AddIndex(
                    model_name='ledgerentry',
                    index=models.Index(fields=['organizer', 'available_at'], name='ledger_organizer_available_idx'),
                ),
                migrations.AddConstraint(
                    model_name='ledgerentry',
                    constraint=models.UniqueConstraint(condition=models.Q(('purchase__isnull', False)), fields=('purchase', 'kind'), name='ledger_entry_once_per_purchase_and_kind'),
                ),
                migrations.AddConstraint(
                    model_name='ledgerentry',
                    constraint=models.UniqueConstraint(condition=models.Q(('verification_transfer__isnull', False)), fields=('verification_transfer', 'kind'), name='ledger_entry_once_per_verification_and_kind'),
                ),
                migrations.AddConstraint(
                    model_name='ledgerentry',
                    constraint=models.UniqueConstraint(condition=models.Q(('withdrawal__isnull', False)), fields=('withdrawal', 'kind'), name='ledger_entry_once_per_withdrawal_and_kind'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
