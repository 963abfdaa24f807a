"""What a buyer pays (CONTRACT.md §1.5): subtotal, the buyer's service fee and the total."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from cafa.api.fields import quantize_money


@dataclass(frozen=True)
class Pricing:
    unit_price: Decimal
    quantity: int
    subtotal: Decimal
    service_fee: Decimal
    total: Decimal
    service_fee_percentage: Decimal


def price_order(unit_price: Decimal, quantity: int) -> Pricing:
    """Decimal arithmetic, every amount rounded half up to 2 places; free tickets carry no fee."""
    percentage = Decimal(settings.SERVICE_FEE_PERCENT)
    subtotal = quantize_money(Decimal(unit_price) * quantity)
    service_fee = quantize_money(subtotal * percentage / 100) if subtotal > 0 else Decimal("0.00")
    return Pricing(
        unit_price=quantize_money(unit_price),
        quantity=quantity,
        subtotal=subtotal,
        service_fee=service_fee,
        total=subtotal + service_fee,
        service_fee_percentage=percentage if subtotal > 0 else Decimal("0"),
    )
