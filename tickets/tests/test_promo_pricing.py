"""Pricing with a promo code (CONTRACT.md §16): the discount comes off the subtotal, rounded to the
pesewa and capped at it; the service fee is taken on what is left; the tickets share the discount."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from tickets.pricing import price_order


@dataclass
class Code:
    discount_type: str
    discount_value: Decimal


def percent(value):
    return Code("percentage", Decimal(value))


def fixed(value):
    return Code("fixed", Decimal(value))


@pytest.mark.parametrize(
    ("unit", "quantity", "code", "discount", "fee", "total"),
    [
        ("50.00", 2, percent("10"), "10.00", "4.50", "94.50"),  # fee on 90.00, not on 100.00
        ("33.33", 3, percent("15"), "15.00", "4.25", "89.24"),  # 14.9985 -> 15.00; fee 4.2495 -> 4.25
        ("10.10", 1, percent("5"), "0.51", "0.48", "10.07"),  # 0.505 half up; fee 0.4795
        ("50.00", 3, fixed("7.50"), "22.50", "6.38", "133.88"),  # 7.50 off each ticket; fee 6.375
        ("20.00", 2, fixed("20.00"), "40.00", "0.00", "0.00"),  # the whole price off: a free purchase
        ("80.00", 1, percent("100"), "80.00", "0.00", "0.00"),
    ],
)
def test_the_discount_comes_off_before_the_service_fee(unit, quantity, code, discount, fee, total):
    pricing = price_order(Decimal(unit), quantity, code)

    assert (pricing.discount, pricing.service_fee, pricing.total) == (Decimal(discount), Decimal(fee), Decimal(total))
    assert pricing.total == pricing.subtotal - pricing.discount + pricing.service_fee
    assert pricing.service_fee_percentage == (Decimal("5") if pricing.total else 0)


def test_a_fixed_discount_never_exceeds_the_subtotal():
    """A type whose price dropped below the code's value after the code was made: the order is free, not negative."""
    pricing = price_order(Decimal("5.00"), 2, fixed("8.00"))

    assert (pricing.subtotal, pricing.discount, pricing.total) == (Decimal("10.00"), Decimal("10.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("unit", "quantity", "code"),
    [("1.05", 3, percent("10")), ("33.33", 7, percent("33")), ("50.00", 4, fixed("12.34")), ("9.99", 1, percent("99"))],
)
def test_the_tickets_share_the_discount_to_the_pesewa(unit, quantity, code):
    """Per-ticket prices (what ticket revenue figures add up) sum exactly to the order's discounted amount."""
    pricing = price_order(Decimal(unit), quantity, code)

    prices = pricing.ticket_prices()
    assert len(prices) == quantity
    assert sum(prices) == pricing.subtotal - pricing.discount
    assert max(prices) - min(prices) <= Decimal("0.01")
    assert all(price.as_tuple().exponent >= -2 and price >= 0 for price in prices)


def test_without_a_code_nothing_changes():
    assert price_order(Decimal("50.00"), 2) == price_order(Decimal("50.00"), 2, None)
    assert price_order(Decimal("50.00"), 2).discount == 0
    assert price_order(Decimal("50.00"), 2).ticket_prices() == [Decimal("50.00")] * 2
