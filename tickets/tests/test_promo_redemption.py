"""Redeeming a code inside `reserve_tickets` (CONTRACT.md §16): what is looked up before the ticket type's
lock, and what is decided under it. The HTTP rows (PC5, Y1, Y2, L1) are tested in payments."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import selectors
from tickets.exceptions import PromoRefused
from tickets.models import Purchase, PurchaseStatus
from tickets.services import promos

pytestmark = pytest.mark.django_db


@pytest.fixture
def reserve(make_event, reserve_only):
    """`reserve(buyer, code="RUSH")`: a reservation of one ticket of `reserve.event` naming `code`."""
    event = make_event()

    def reserve(buyer, code="RUSH"):
        return reserve_only(buyer, event=event, promo_code=code)

    reserve.event = event
    return reserve


def test_the_stock_reading_counts_the_uses_the_selector_counts(reserve, make_user, make_promo):
    promo = make_promo(reserve.event, "RUSH", max_uses=100)
    purchases = [reserve(make_user()) for _ in range(6)]
    now = timezone.now()
    states = [
        (PurchaseStatus.COMPLETED, now - timedelta(minutes=1)),  # paid: counts whatever its deadline
        (PurchaseStatus.PENDING, now + timedelta(minutes=5)),  # live
        (PurchaseStatus.PENDING, now - timedelta(seconds=1)),  # lapsed, not yet expired by the job
        (PurchaseStatus.CANCELLED, now + timedelta(minutes=5)),
        (PurchaseStatus.EXPIRED, now - timedelta(minutes=1)),
        (PurchaseStatus.FAILED, now + timedelta(minutes=5)),
    ]
    for purchase, (status, deadline) in zip(purchases, states, strict=True):
        Purchase.objects.filter(pk=purchase.pk).update(status=status, reservation_expires_at=deadline)
    ticket_type = reserve.event.ticket_types.first()

    reading = selectors.stock_reading(
        ticket_type_id=ticket_type.pk, event_id=reserve.event.pk, now=now, promo_code_id=promo.pk
    )

    assert reading.promo_uses == selectors.promo_code_uses(promo, now) == 2


def test_an_unlimited_code_is_not_counted_under_the_lock(reserve, buyer, make_promo):
    make_promo(reserve.event, "RUSH", max_uses=None)
    redemption = promos.look_up(
        event=reserve.event,
        ticket_type_id=reserve.event.ticket_types.first().pk,
        buyer=buyer,
        code="rush",
        now=timezone.now(),
    )
    assert redemption.counted_code_id() is None


def test_a_code_switched_off_after_the_look_up_is_refused(reserve, buyer, make_promo, monkeypatch):
    promo = make_promo(reserve.event, "RUSH")
    look_up = promos.look_up

    def switched_off_meanwhile(**kwargs):
        found = look_up(**kwargs)
        promo.__class__.objects.filter(pk=promo.pk).update(is_active=False)
        return found

    monkeypatch.setattr(promos, "look_up", switched_off_meanwhile)

    with pytest.raises(PromoRefused):
        reserve(buyer)
    assert not Purchase.objects.exists()


def test_a_limit_set_after_the_look_up_still_holds(reserve, make_user, make_promo, monkeypatch):
    promo = make_promo(reserve.event, "RUSH", max_uses=None)
    reserve(make_user())
    look_up = promos.look_up

    def limited_meanwhile(**kwargs):
        found = look_up(**kwargs)
        promo.__class__.objects.filter(pk=promo.pk).update(max_uses=1)
        return found

    monkeypatch.setattr(promos, "look_up", limited_meanwhile)

    with pytest.raises(PromoRefused, match="maximum number of times"):
        reserve(make_user())
    assert Purchase.objects.count() == 1


def test_the_buyers_own_uses_are_counted_before_the_lock(reserve, buyer, make_promo):
    make_promo(reserve.event, "RUSH", max_uses_per_user=2)
    reserve(buyer)
    reserve(buyer)

    with pytest.raises(PromoRefused, match="already used"):
        reserve(buyer)
    assert Purchase.objects.count() == 2
