"""What a buyer pays (CONTRACT.md §1.5): subtotal, 5 % service fee, total; Decimal, half up; free = no fee."""

from decimal import Decimal

import pytest

from payments.providers import to_minor_units
from payments.tests.fixtures import buy
from tickets.pricing import price_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("unit_price", "quantity", "subtotal", "fee", "total"),
    [
        ("50.00", 2, "100.00", "5.00", "105.00"),
        ("33.33", 3, "99.99", "5.00", "104.99"),  # 4.9995 rounds up
        ("10.10", 1, "10.10", "0.51", "10.61"),  # 0.505: half up, not half even
        ("0.30", 1, "0.30", "0.02", "0.32"),  # 0.015: half up
        ("1.00", 1, "1.00", "0.05", "1.05"),
        ("19.99", 7, "139.93", "7.00", "146.93"),  # 6.9965
    ],
)
def test_the_service_fee_is_five_percent_of_the_subtotal_rounded_half_up(unit_price, quantity, subtotal, fee, total):
    pricing = price_order(Decimal(unit_price), quantity)

    assert (pricing.subtotal, pricing.service_fee, pricing.total) == (Decimal(subtotal), Decimal(fee), Decimal(total))
    assert all(isinstance(value, Decimal) for value in (pricing.subtotal, pricing.service_fee, pricing.total))
    assert pricing.service_fee.as_tuple().exponent == -2
    assert pricing.service_fee_percentage == Decimal("5")


def test_free_tickets_carry_no_fee():
    pricing = price_order(Decimal("0"), 4)

    assert (pricing.subtotal, pricing.service_fee, pricing.total) == (Decimal("0.00"),) * 3
    assert pricing.service_fee_percentage == 0


def test_the_fee_follows_the_setting(settings):
    settings.SERVICE_FEE_PERCENT = Decimal("2.5")

    pricing = price_order(Decimal("40.00"), 1)

    assert (pricing.service_fee, pricing.total) == (Decimal("1.00"), Decimal("41.00"))


def test_a_reservation_stores_the_priced_amounts_and_charges_the_total_in_pesewas(buyer, make_ticket_type):
    ticket_type = make_ticket_type(price="33.33")

    checkout = buy(buyer, ticket_type, 3)

    purchase = checkout.purchase
    purchase.refresh_from_db()
    assert (purchase.unit_price, purchase.subtotal, purchase.service_fee, purchase.total) == (
        Decimal("33.33"),
        Decimal("99.99"),
        Decimal("5.00"),
        Decimal("104.99"),
    )
    assert checkout.payment.amount == Decimal("104.99")
    assert to_minor_units(checkout.payment.amount) == 10499
    assert {t.price_paid for t in purchase.tickets.all()} == {Decimal("33.33")}
