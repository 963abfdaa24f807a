"""Promo limits and the waiting list under real concurrency (PostgreSQL row locks, real threads).

Run with your own database and Redis DB, e.g.
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_17 REDIS_URL=redis://127.0.0.1:6379/15 \
 .venv/bin/pytest -m services payments/tests/test_promo_waitlist_concurrency.py`
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.services.checkout import cancel_purchase
from payments.tests.fixtures import buy
from payments.tests.test_concurrency import run_together
from tickets.exceptions import PromoRefused, ReservationRefused
from tickets.models import Purchase, Ticket, WaitlistEntry
from tickets.services import offers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BUYERS = 40


@pytest.fixture
def buyers(make_user):
    return [make_user() for _ in range(BUYERS)]


def outcomes(results):
    wins = [value for outcome, value in results if outcome == "ok"]
    errors = [value for outcome, value in results if outcome == "error"]
    return wins, errors


def lapse(purchase):
    """The hold's deadline passed a minute ago (no job has tidied it)."""
    past = timezone.now() - timedelta(minutes=1)
    Purchase.objects.filter(pk=purchase.pk).update(reservation_expires_at=past)
    Ticket.objects.filter(purchase=purchase).update(reserved_until=past)


@pytest.mark.parametrize("uses", [1, 5])
def test_forty_buyers_with_one_code_get_exactly_max_uses_discounts(buyers, make_ticket_type, make_promo, uses):
    ticket_type = make_ticket_type(quantity=500)
    make_promo(ticket_type.event, "RUSH", percent=20, max_uses=uses)

    results = run_together(BUYERS, lambda i: buy(buyers[i], ticket_type, 1, promo_code="RUSH").purchase.pk)

    wins, errors = outcomes(results)
    assert len(wins) == uses
    assert all(isinstance(error, PromoRefused) and error.error == "Promo code used up" for error in errors)
    assert Purchase.objects.filter(promo_code__code="RUSH").count() == uses  # refusals reserved nothing
    assert set(Purchase.objects.values_list("discount", flat=True)) == {Decimal("10.00")}


def test_a_code_spanning_two_ticket_types_holds_its_limit_across_both(buyers, make_ticket_type, make_promo):
    regular = make_ticket_type(quantity=200)
    from events.models import TicketType

    vip = TicketType.objects.create(event=regular.event, name="VIP", price=Decimal("100.00"), quantity=200)
    make_promo(regular.event, "BOTH", percent=10, max_uses=3)

    results = run_together(BUYERS, lambda i: buy(buyers[i], (regular, vip)[i % 2], 1, promo_code="BOTH").purchase.pk)

    wins, _errors = outcomes(results)
    assert len(wins) == 3
    assert Purchase.objects.filter(promo_code__isnull=False).count() == 3


def test_one_buyer_racing_themselves_uses_a_code_once(make_user, make_ticket_type, make_promo):
    buyer = make_user()
    ticket_type = make_ticket_type(quantity=100)
    make_promo(ticket_type.event, "ONCE", percent=10, max_uses_per_user=1)

    results = run_together(5, lambda i: buy(buyer, ticket_type, 1, promo_code="ONCE").purchase.pk)

    wins, errors = outcomes(results)
    assert len(wins) == 1
    assert {error.error for error in errors} == {"Promo code already used"}


def test_a_lapsed_seat_goes_to_the_first_fitting_entry_never_to_a_racing_public_buyer(
    buyers, make_user, make_ticket_type, join_queue
):
    ticket_type = make_ticket_type(quantity=3, max_purchase=4)
    lapsing = buy(make_user(), ticket_type, 2)
    buy(make_user(), ticket_type, 1)
    too_big, first_fit, second_fit = (join_queue(make_user(), ticket_type, quantity) for quantity in (3, 1, 1))
    lapse(lapsing.purchase)  # 2 seats free, no job has run

    def work(i):
        if i in (0, 7):  # the minute job (twice: overlapping runs)
            return len(offers.offer_freed_seats(ticket_type_id=ticket_type.pk).offered)
        return buy(buyers[i], ticket_type, 1).purchase.pk

    results = run_together(BUYERS, work)

    engine = [results[0], results[7]]
    public = [result for index, result in enumerate(results) if index not in (0, 7)]
    assert all(outcome == "ok" for outcome, _ in engine) and sum(value for _, value in engine) == 2
    assert all(outcome == "error" for outcome, _ in public), "a public buyer took a seat the queue was owed"
    assert all(isinstance(error, ReservationRefused) for _, error in public)
    statuses = {entry.pk: entry.status for entry in WaitlistEntry.objects.all()}
    assert (statuses[too_big.pk], statuses[first_fit.pk], statuses[second_fit.pk]) == ("waiting", "offered", "offered")
    assert Ticket.objects.holding_stock(timezone.now()).filter(ticket_type=ticket_type).count() == 3


def test_offers_made_by_cancellations_and_public_buyers_never_oversell(buyers, make_user, make_ticket_type, join_queue):
    ticket_type = make_ticket_type(quantity=10, max_purchase=4)
    holds = [buy(make_user(), ticket_type, 1) for _ in range(10)]
    entries = [join_queue(make_user(), ticket_type, 1) for _ in range(4)]

    def work(i):
        if i < 6:  # six holders cancel: each frees a seat in a request and runs the engine at once
            purchase = holds[i].purchase
            return cancel_purchase(buyer=purchase.buyer, purchase_id=purchase.purchase_id)
        return buy(buyers[i], ticket_type, 1).purchase.pk

    results = run_together(BUYERS, work)

    assert all(outcome == "ok" for outcome, _ in results[:6]), results[:6]
    public_wins = [value for outcome, value in results[6:] if outcome == "ok"]
    assert all(isinstance(value, ReservationRefused) for outcome, value in results[6:] if outcome == "error")
    assert {WaitlistEntry.objects.get(pk=entry.pk).status for entry in entries} == {"offered"}
    # 6 seats freed: 4 went to the queue, and only once the queue was empty could the public take the other 2
    assert len(public_wins) <= 2
    holding = Ticket.objects.holding_stock(timezone.now()).filter(ticket_type=ticket_type).count()
    assert holding == 4 + 4 + len(public_wins) <= ticket_type.quantity


def test_an_offer_being_paid_and_public_buyers_never_oversell(buyers, make_user, make_ticket_type, join_queue):
    from payments.services.checkout import accept_offer

    ticket_type = make_ticket_type(quantity=5, max_purchase=4)
    holds = [buy(make_user(), ticket_type, 1) for _ in range(5)]
    entry = join_queue(make_user(), ticket_type, 2)
    for hold in holds[:3]:
        lapse(hold.purchase)

    def work(i):
        if i == 0:
            offers.offer_freed_seats(ticket_type_id=ticket_type.pk)
            return accept_offer(buyer=entry.user, entry_id=entry.entry_id).payment.status
        return buy(buyers[i], ticket_type, 1).purchase.pk

    results = run_together(BUYERS, work)

    public_wins = [value for outcome, value in results[1:] if outcome == "ok"]
    holding = Ticket.objects.holding_stock(timezone.now()).filter(ticket_type=ticket_type).count()
    assert holding <= ticket_type.quantity
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "offered"
    assert holding == 2 + 2 + len(public_wins)  # the live holds, the offer, and at most the seat left over
    assert len(public_wins) <= 1
