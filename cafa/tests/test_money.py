"""The money rules every app shares (CONTRACT.md §1.5): Decimal, 2 places, half up; the two fees."""

from decimal import Decimal

from cafa import money


def test_amounts_round_half_up_to_the_pesewa():
    assert money.quantize_money(Decimal("2.625")) == Decimal("2.63")
    assert money.quantize_money(Decimal("2.624")) == Decimal("2.62")
    assert money.quantize_money(None) == Decimal("0.00")  # an empty SUM


def test_the_service_fee_is_a_percentage_of_the_subtotal_and_free_orders_pay_none(settings):
    settings.SERVICE_FEE_PERCENT = Decimal("5")
    assert money.service_fee(Decimal("52.50")) == Decimal("2.63")  # 2.625 rounds up
    assert money.service_fee(Decimal("0")) == Decimal("0.00")


def test_the_platform_fee_follows_its_setting(settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("7.5")
    assert money.platform_fee(Decimal("150.00")) == Decimal("11.25")
    assert isinstance(money.platform_fee(150), Decimal)
