"""Money (CONTRACT.md §1.5, DESIGN.md §6): `Decimal` amounts in GHS, rounded half up to 2 places.

The one home of the rounding rule and of the platform's two fees: the buyer's service fee on top of
the tickets, and the organizer's platform fee out of the sales. Serializers render these amounts as
JSON numbers (`cafa.api.fields.MoneyField`); nothing here is a float.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def quantize_money(value) -> Decimal:
    """Round an amount to 2 places, half up; None counts as zero (an empty sum)."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount, percent) -> Decimal:
    """`percent`% of `amount`, rounded like every other amount."""
    return quantize_money(Decimal(amount) * Decimal(percent) / 100)


def service_fee(subtotal) -> Decimal:
    """What the buyer pays on top of the tickets (SERVICE_FEE_PERCENT); free orders carry none."""
    return percent_of(subtotal, settings.SERVICE_FEE_PERCENT) if subtotal > 0 else ZERO


def service_fee_percentage(subtotal) -> Decimal:
    """The service fee's rate as shown to the buyer: SERVICE_FEE_PERCENT, or 0 on a free order."""
    return Decimal(settings.SERVICE_FEE_PERCENT) if subtotal > 0 else Decimal("0")


def platform_fee(sales) -> Decimal:
    """What the platform keeps of an organizer's sales (PLATFORM_FEE_PERCENT)."""
    return percent_of(sales, settings.PLATFORM_FEE_PERCENT)
