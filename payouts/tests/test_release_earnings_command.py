"""`manage.py release_earnings` (README "Operators"): the daily bookkeeping job, on demand."""

import io

import pytest
from django.core.management import CommandError, call_command

from payouts.models import LedgerEntry

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("release_earnings", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_release_earnings_stamps_entries_past_the_hold_once(sold_event, make_event, make_sale):
    make_sale(make_event(days=30), 1)  # still on hold: not released
    assert run("--dry-run") == "earnings: 2 ledger entries to release (dry run: nothing changed)"
    assert not LedgerEntry.objects.filter(released_at__isnull=False).exists()

    assert run() == "earnings: 2 ledger entries released"  # the past event's sale and its platform fee
    released = set(LedgerEntry.objects.filter(released_at__isnull=False).values_list("pk", "released_at"))
    assert {entry.event_id for entry in LedgerEntry.objects.filter(released_at__isnull=False)} == {sold_event.pk}

    assert run() == "earnings: 0 ledger entries released"
    assert set(LedgerEntry.objects.filter(released_at__isnull=False).values_list("pk", "released_at")) == released
    with pytest.raises(CommandError, match="unrecognized arguments"):
        run("today")
