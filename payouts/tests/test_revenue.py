"""`organizers/revenue/` (CONTRACT.md §11.1): figures equal hand-computed sums of sales, refunds and fees."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.services.account import deletion_blockers
from payouts.models import VerificationTransfer
from payouts.services import ledger, withdrawals

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def on(month, day):
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


@pytest.fixture
def season(organizer, make_event, make_sale):
    """A (ended 10 days ago, GHS 100): 3 sold in Feb, 2 in March, 1 refunded; B (in 5 days, GHS 40): 5 sold;
    C (ended 3 days ago, still on hold, GHS 20): 2 sold. Another organizer's sale must not count."""
    with time_machine.travel(NOW, tick=False):
        a = make_event(days=-10, price="100.00", title="Alpha")
        b = make_event(days=5, price="40.00", title="Bravo")
        c = make_event(days=-3, price="20.00", title="Charlie")
        make_sale(a, 3, completed_at=on(2, 20))
        make_sale(a, 2, completed_at=on(3, 1))
        make_sale(a, 1, completed_at=on(3, 2), refunded=True)
        make_sale(b, 5, completed_at=on(3, 10))
        make_sale(c, 2, completed_at=on(3, 5))
        make_event(days=20, title="Unsold")
    return a, b, c


def report(client, period=None):
    url = "/api/v1/organizers/revenue/" + (f"?period={period}" if period else "")
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_all_time_figures_are_the_hand_computed_sums(organizer_client, season, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        body = report(organizer_client)

    assert body["period"] == "all_time"
    # gross 300 + 200 (A, the refunded 100 is gone) + 200 (B) + 40 (C) = 740; fees 5 % = 37
    assert body["summary"] == {
        "gross_revenue": 740.0,
        "platform_fees": 37.0,
        "net_revenue": 703.0,
        "total_tickets_sold": 12,
        "total_events": 4,
        "average_ticket_price": 61.67,
    }
    assert body["payout_status"] == {
        "available_balance": 475.0,  # A only: 500 - 25
        "pending_balance": 0.0,
        "on_hold_balance": 228.0,  # B 190 + C 38
        "total_earnings": 703.0,
        "total_withdrawn": 0.0,
        "total_paid_out": 0.0,
        "outstanding_deductions": 0.0,
        "minimum_withdrawal": 10.0,
        "next_payout_date": "2026-03-19",  # C ended on 12 March + 7 days
    }
    assert [
        (e["event_title"], e["gross_revenue"], e["platform_fee"], e["net_revenue"], e["tickets_sold"])
        for e in body["revenue_by_event"]
    ] == [
        ("Alpha", 500.0, 25.0, 475.0, 5),
        ("Bravo", 200.0, 10.0, 190.0, 5),
        ("Charlie", 40.0, 2.0, 38.0, 2),
    ]
    assert body["revenue_by_month"] == [
        {"month": "2026-03", "gross_revenue": 440.0, "net_revenue": 418.0, "platform_fee": 22.0, "tickets_sold": 9},
        {"month": "2026-02", "gross_revenue": 300.0, "net_revenue": 285.0, "platform_fee": 15.0, "tickets_sold": 3},
    ]
    recent = body["recent_transactions"]
    assert [(t["event_title"], t["quantity"], t["amount"], t["platform_fee"], t["net_amount"]) for t in recent] == [
        ("Bravo", 5, 200.0, 10.0, 190.0),
        ("Charlie", 2, 40.0, 2.0, 38.0),
        ("Alpha", 2, 200.0, 10.0, 190.0),
        ("Alpha", 3, 300.0, 15.0, 285.0),
    ]
    assert recent[0]["date"] == "2026-03-10T12:00:00Z" and recent[0]["ticket_type"] == "Regular"


@pytest.mark.parametrize(
    ("period", "gross", "fees", "tickets"),
    [("this_month", 440.0, 22.0, 9), ("last_month", 300.0, 15.0, 3), ("this_year", 740.0, 37.0, 12)],
)
def test_the_period_filters_sales_by_completion_time_but_not_balances(
    organizer_client, season, period, gross, fees, tickets
):
    body = report(organizer_client, period)
    assert (body["summary"]["gross_revenue"], body["summary"]["platform_fees"]) == (gross, fees)
    assert body["summary"]["total_tickets_sold"] == tickets
    assert body["payout_status"]["available_balance"] == 475.0


def test_a_bad_period_is_refused(organizer_client):
    response = organizer_client.get("/api/v1/organizers/revenue/?period=yesterday")
    assert response.status_code == 400 and "period" in response.json()["details"]


def test_a_user_without_events_gets_zeros(client_for, make_user):
    body = report(client_for(make_user()))
    assert body["summary"]["gross_revenue"] == 0 and body["revenue_by_event"] == []
    assert body["payout_status"]["available_balance"] == 0 and body["payout_status"]["next_payout_date"] is None


def test_withdrawals_and_verification_fees_move_the_balances(
    organizer, organizer_client, payout_profile, season, django_capture_on_commit_callbacks
):
    attempt = VerificationTransfer.objects.create(payment_profile=payout_profile, amount=Decimal("1.00"))
    ledger.record_verification_fee(transfer=attempt, organizer_id=organizer.pk)
    assert report(organizer_client)["payout_status"]["outstanding_deductions"] == 1.0

    with time_machine.travel(NOW, tick=False):
        withdrawal = withdrawals.request_withdrawal(organizer=organizer, amount="100")
    assert (withdrawal.deductions, withdrawal.final_amount) == (Decimal("1.00"), Decimal("99.00"))
    status = report(organizer_client)["payout_status"]
    assert (status["available_balance"], status["pending_balance"], status["outstanding_deductions"]) == (
        375.0,
        100.0,
        0,
    )

    withdrawals.settle_withdrawal(reference=withdrawal.transfer_reference, outcome="success")
    status = report(organizer_client)["payout_status"]
    assert (status["available_balance"], status["pending_balance"]) == (375.0, 0)
    assert status["total_withdrawn"] == status["total_paid_out"] == 100.0
    assert status["total_earnings"] == 703.0

    withdrawals.settle_withdrawal(reference=withdrawal.transfer_reference, outcome="reversed")  # money came back
    status = report(organizer_client)["payout_status"]
    assert (status["available_balance"], status["total_withdrawn"], status["outstanding_deductions"]) == (475.0, 0, 1.0)


def test_reverse_sale_is_written_once(organizer, make_event, make_sale):
    purchase = make_sale(make_event(days=-10), 2)
    assert len(ledger.reverse_sale(purchase=purchase)) == 2
    ledger.reverse_sale(purchase=purchase)
    with time_machine.travel(NOW, tick=False):
        assert balances_of(organizer) == (0, 0)


def balances_of(organizer):
    from payouts.selectors import balances as read

    state = read(organizer.pk)
    return state.total_earnings, state.available_balance


def test_an_available_balance_or_an_open_withdrawal_blocks_account_deletion(
    organizer, payout_profile, season, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        assert any("available balance of GHS 475.00" in reason for reason in deletion_blockers(organizer))
        withdrawals.request_withdrawal(organizer=organizer, amount="475")
        assert any("withdrawal" in reason for reason in deletion_blockers(organizer))


def test_postponing_an_event_postpones_the_payout_of_its_takings(organizer, make_event, make_sale):
    from datetime import timedelta

    import time_machine

    from payouts import selectors

    event = make_event(days=5)
    make_sale(event)
    original_end = event.ends_at
    event.start_date += timedelta(days=60)  # postponed two months (O2 allows it before the start)
    event.end_date = event.start_date
    event.save()

    with time_machine.travel(original_end + timedelta(days=8), tick=False):
        held = selectors.balances(organizer.pk)
        assert held.available_balance == 0
        assert held.on_hold_balance > 0
        assert held.next_payout_date == (event.ends_at + timedelta(days=7)).date()
    with time_machine.travel(event.ends_at + timedelta(days=7, minutes=1), tick=False):
        assert selectors.balances(organizer.pk).available_balance == held.on_hold_balance
