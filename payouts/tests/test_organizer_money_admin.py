"""The organizer's revenue and withdrawals in /admin/: W1's service and rules, the revenue report's figures."""

from decimal import Decimal

import pytest

from payouts.models import LedgerEntry, LedgerKind, Withdrawal, WithdrawalStatus
from payouts.tests.fixtures import open_withdrawal_count

pytestmark = pytest.mark.django_db

WITHDRAWALS = "/admin/payouts/organizerwithdrawal/"
REVENUE = "/admin/payouts/revenueentry/"


@pytest.fixture
def organizer(make_admin_organizer):
    return make_admin_organizer(full_name="Ama Mensah")


@pytest.fixture
def browser(browser_for, organizer):
    return browser_for(organizer)


def request_withdrawal(browser, amount, profile=""):
    return browser.post(f"{WITHDRAWALS}add/", {"amount": amount, "payment_profile": profile})


def test_the_request_form_shows_what_can_be_withdrawn(browser, withdrawable):
    page = browser.get(f"{WITHDRAWALS}add/").content.decode()
    assert "Available now: GHS 950.00; the minimum is GHS 10.00." in page


def test_a_withdrawal_is_requested_through_the_withdrawal_service(
    browser, withdrawable, payout_profile, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = request_withdrawal(browser, "300.50")

    assert response.status_code == 302
    withdrawal = Withdrawal.objects.get(organizer=withdrawable)
    assert withdrawal.status == WithdrawalStatus.PENDING and withdrawal.payment_profile == payout_profile
    assert withdrawal.requested_amount == Decimal("300.50") and withdrawal.final_amount == Decimal("300.50")
    assert LedgerEntry.objects.get(withdrawal=withdrawal, kind=LedgerKind.WITHDRAWAL).amount == Decimal("-300.50")
    assert len(queued) == 1  # the transfer starts after commit, as after W1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("5", "Below minimum withdrawal: The minimum withdrawal is GHS 10.00."),
        ("951", "Insufficient balance: You can withdraw at most GHS 950.00."),
        ("12.345", "Invalid amount"),
        ("lots", "Invalid amount"),
    ],
)
def test_w1s_rules_refuse_a_request_and_nothing_is_held(browser, withdrawable, amount, message):
    response = request_withdrawal(browser, amount)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Withdrawal.objects.exists() and not LedgerEntry.objects.filter(kind=LedgerKind.WITHDRAWAL).exists()


def test_one_open_withdrawal_at_a_time(browser, withdrawable):
    request_withdrawal(browser, "100")
    response = request_withdrawal(browser, "100")
    assert "Withdrawal in progress" in response.content.decode()
    assert open_withdrawal_count(withdrawable) == 1


def test_only_the_organizers_own_verified_profiles_are_offered(browser, withdrawable, make_profile, make_organizer):
    unverified = make_profile(withdrawable, status="pending", name="Pending MoMo")
    stranger = make_profile(make_organizer(), name="Someone Else's MoMo")
    page = browser.get(f"{WITHDRAWALS}add/").content.decode()
    assert "Pending MoMo" not in page and "Someone Else" not in page
    response = request_withdrawal(browser, "100", profile=stranger.pk)
    assert "Select a valid choice" in response.content.decode()
    assert request_withdrawal(browser, "100", profile=unverified.pk).status_code == 200
    assert not Withdrawal.objects.exists()


def test_a_pending_withdrawal_is_cancelled_through_the_service(browser, withdrawable):
    request_withdrawal(browser, "100")
    withdrawal = Withdrawal.objects.get()
    response = browser.post(
        WITHDRAWALS, {"action": "cancel", "_selected_action": [withdrawal.pk], "index": 0}, follow=True
    )
    assert "cancelled; the amount is back in your balance" in response.content.decode()
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.CANCELLED
    assert LedgerEntry.objects.filter(withdrawal=withdrawal, kind=LedgerKind.WITHDRAWAL_RELEASE).exists()


def test_a_processing_withdrawal_is_not_cancelled(browser, withdrawable, payout_profile):
    withdrawal = Withdrawal.objects.create(
        organizer=withdrawable,
        payment_profile=payout_profile,
        requested_amount=Decimal("100"),
        final_amount=Decimal("100"),
        status=WithdrawalStatus.PROCESSING,
    )
    response = browser.post(
        WITHDRAWALS, {"action": "cancel", "_selected_action": [withdrawal.pk], "index": 0}, follow=True
    )
    assert "can be cancelled" in response.content.decode()
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.PROCESSING


def test_a_withdrawal_page_is_read_only(browser, withdrawable):
    request_withdrawal(browser, "100")
    withdrawal = Withdrawal.objects.get()
    page = browser.get(f"{WITHDRAWALS}{withdrawal.pk}/change/").content.decode()
    assert withdrawal.withdrawal_id in page and 'name="_save"' not in page
    assert browser.post(f"{WITHDRAWALS}{withdrawal.pk}/change/", {"amount": "1"}).status_code == 404


def test_revenue_shows_the_reports_figures_over_the_organizers_own_ledger(browser, withdrawable, sold_event):
    page = browser.get(REVENUE).content.decode()
    assert '<td class="available-balance">GHS 950.00</td>' in page
    assert '<td class="gross-revenue">GHS 1000.00</td>' in page
    assert '<td class="net-revenue">GHS 950.00</td>' in page
    assert sold_event.title in page
    assert "Ticket sale (credit)" in page and "Platform fee (debit)" in page


def test_revenue_for_a_period(browser, withdrawable):
    page = browser.get(REVENUE, {"period": "last_month"}).content.decode()
    assert '<td class="gross-revenue">GHS 0.00</td>' in page
    assert browser.get(REVENUE, {"period": "forever"}).status_code == 302  # Django's "bad filter" answer
