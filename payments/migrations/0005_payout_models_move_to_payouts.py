# Issue 11: the payout models (LedgerEntry, VerificationTransfer, Withdrawal) now belong to the payouts
# app. Their tables and rows stay: the database operations only rename the tables to the payouts app's
# names, and the state operations drop the models from the payments app (payouts 0001 adds them to its
# own state without touching the database).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0004_payment_refund_status'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='ledgerentry', table='payouts_ledgerentry'),
                migrations.AlterModelTable(name='verificationtransfer', table='payouts_verificationtransfer'),
                migrations.AlterModelTable(name='withdrawal', table='payouts_withdrawal'),
            ],
            state_operations=[
                migrations.DeleteModel(name='LedgerEntry'),  # first: it points at the other two
                migrations.DeleteModel(name='VerificationTransfer'),
                migrations.DeleteModel(name='Withdrawal'),
            ],
        ),
    ]
