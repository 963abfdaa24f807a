"""What a buyer pays (CONTRACT.md §1.5): subtotal, the buyer's service fee and the total."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from cafa import money


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
    subtotal = money.quantize_money(Decimal(unit_price) * quantity)
    service_fee = money.service_fee(subtotal)
    return Pricing(
        unit_price=money.quantize_money(unit_price),
        quantity=quantity,
        subtotal=subtotal,
        service_fee=service_fee,
        total=subtotal + service_fee,
        service_fee_percentage=Decimal(settings.SERVICE_FEE_PERCENT) if subtotal > 0 else Decimal("0"),
    )
