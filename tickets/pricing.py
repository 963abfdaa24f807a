"""What a buyer pays (CONTRACT.md §1.5, §16): subtotal, the promo discount, the service fee and the total."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from cafa import money

PERCENTAGE = "percentage"


class Discount(Protocol):
    """What pricing needs of a promo code: `percentage` of the subtotal, or `fixed` GHS off each ticket."""

    discount_type: str
    discount_value: Decimal


@dataclass(frozen=True)
class Pricing:
    unit_price: Decimal
    quantity: int
    subtotal: Decimal
    service_fee: Decimal
    total: Decimal
    service_fee_percentage: Decimal
    discount: Decimal = money.ZERO

    @property
    def sales_amount(self) -> Decimal:
        """The tickets' price after the discount: what the service fee and the organizer's revenue count."""
        return self.subtotal - self.discount

    def ticket_prices(self) -> list[Decimal]:
        """What each ticket of the order paid: the unit price less its share of the discount.

        The discount is shared out in whole pesewas, the first tickets taking the odd ones, so the
        tickets add up to `sales_amount` exactly (per-ticket revenue figures then match the order's).
        """
        pesewas = int(self.discount * 100)
        share, odd = divmod(pesewas, self.quantity)
        return [self.unit_price - Decimal(share + (1 if index < odd else 0)) / 100 for index in range(self.quantity)]


def discount_amount(subtotal: Decimal, quantity: int, discount: Discount | None) -> Decimal:
    """A percentage of the subtotal, or the fixed value times the quantity; never above the subtotal."""
    if discount is None:
        return money.ZERO
    if discount.discount_type == PERCENTAGE:
        amount = money.percent_of(subtotal, discount.discount_value)
    else:
        amount = money.quantize_money(Decimal(discount.discount_value) * quantity)
    return min(amount, subtotal)


def price_order(unit_price: Decimal, quantity: int, discount: Discount | None = None) -> Pricing:
    """Decimal arithmetic, every amount rounded half up to 2 places.

    The service fee is taken on the subtotal less the discount; an order that costs nothing after
    it (a free type, or a 100 % code) carries no fee and is a free purchase.
    """
    subtotal = money.quantize_money(Decimal(unit_price) * quantity)
    off = discount_amount(subtotal, quantity, discount)
    service_fee = money.service_fee(subtotal - off)
    return Pricing(
        unit_price=money.quantize_money(unit_price),
        quantity=quantity,
        subtotal=subtotal,
        discount=off,
        service_fee=service_fee,
        total=subtotal - off + service_fee,
        service_fee_percentage=money.service_fee_percentage(subtotal - off),
    )
