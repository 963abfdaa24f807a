"""Response shapes of the checkout: Y1 purchase, Y2 initiate and Y5 cancel (CONTRACT.md §6.3, §6.4, §6.7).

Each reads the checkout's `Payment` with its purchase attached. Money is a JSON number, timestamps
ISO-8601 with `Z`.

The serializers are the shapes' definition (and the OpenAPI schema's). The purchase views, on the on-sale
rush's hot path, answer with `purchase_created_body` and `initiated_payment_body`, which build the same
dictionaries directly: a DRF serializer deep-copies its fields for every instance, which costs more than the
rest of the answer together. Tests hold each function equal to its serializer.
"""

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from cafa import money
from cafa.api.fields import MoneyField
from cafa.money import quantize_money
from payments.models import PaymentStatus
from payments.serializers.fields import (
    NullableTextField,
    PromoCodeField,
    TicketStatusField,
    iso,
    reported_ticket_status,
    reservation_deadline,
)
from payments.services.callbacks import mobile_callback_url

# --- Y1 -------------------------------------------------------------------------------------


class PurchaseTicketSerializer(serializers.Serializer):
    ticket_id = serializers.CharField()
    event_title = serializers.CharField(source="purchase.event.title")
    event_slug = serializers.CharField(source="purchase.event.slug")
    ticket_type_name = serializers.CharField(source="purchase.ticket_type.name")
    attendee_name = serializers.CharField()
    attendee_email = serializers.CharField()
    attendee_phone = NullableTextField()
    status = TicketStatusField()
    qr_code = NullableTextField()


class PricingSerializer(serializers.Serializer):
    ticket_price = MoneyField(source="unit_price")
    quantity = serializers.IntegerField()
    subtotal = MoneyField()
    discount = MoneyField()
    promo_code = PromoCodeField(source="*")
    service_fee = MoneyField()
    service_fee_percentage = serializers.SerializerMethodField()
    total = MoneyField()
    currency = serializers.CharField()

    def get_service_fee_percentage(self, purchase) -> float:
        return float(money.service_fee_percentage(purchase.sales_amount))


class CheckoutPaymentSerializer(serializers.Serializer):
    payment_id = serializers.CharField()
    reference = serializers.CharField()
    amount = MoneyField()
    discount = MoneyField(source="purchase.discount")
    promo_code = PromoCodeField()
    currency = serializers.CharField()
    payment_method = serializers.CharField()
    provider = serializers.CharField()
    payment_url = serializers.CharField(source="authorization_url")
    status = serializers.CharField()
    expires_at = serializers.SerializerMethodField()

    def get_expires_at(self, payment) -> str | None:
        return iso(reservation_deadline(payment))


class PurchaseCreatedSerializer(serializers.Serializer):
    """Y1 201 body, from the checkout's payment (its purchase attached)."""

    message = serializers.SerializerMethodField()
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    status = serializers.CharField(source="purchase.status")
    tickets = PurchaseTicketSerializer(source="purchase.tickets.all", many=True)
    pricing = PricingSerializer(source="purchase")
    payment = CheckoutPaymentSerializer(source="*")
    reservation = serializers.SerializerMethodField()

    def get_message(self, payment) -> str:
        # The contract's text for every Y1 answer, free ones included (their `status` says completed).
        return f"Tickets reserved. Complete payment within {settings.RESERVATION_MINUTES} minutes."

    def get_reservation(self, payment) -> dict | None:
        return reservation_of(payment)


def reservation_of(payment) -> dict | None:
    """Y1 `reservation`: null for a free purchase."""
    purchase = payment.purchase
    if purchase.is_free:
        return None
    remaining = (purchase.reservation_expires_at - timezone.now()).total_seconds()
    return {
        "reserved_at": iso(purchase.reserved_at),
        "expires_at": iso(purchase.reservation_expires_at),
        "expires_in_seconds": max(0, int(remaining)),
    }


def purchase_created_body(payment) -> dict:
    """What PurchaseCreatedSerializer(payment).data holds, built directly (the Y1 answer)."""
    purchase = payment.purchase
    event, ticket_type = purchase.event, purchase.ticket_type
    promo_code = _promo_code(purchase)
    return {
        "message": f"Tickets reserved. Complete payment within {settings.RESERVATION_MINUTES} minutes.",
        "purchase_id": purchase.purchase_id,
        "status": str(purchase.status),
        "tickets": [
            {
                "ticket_id": ticket.ticket_id,
                "event_title": event.title,
                "event_slug": event.slug,
                "ticket_type_name": ticket_type.name,
                "attendee_name": ticket.attendee_name,
                "attendee_email": ticket.attendee_email,
                "attendee_phone": ticket.attendee_phone or None,
                "status": reported_ticket_status(ticket),
                "qr_code": ticket.qr_code or None,
            }
            for ticket in purchase.tickets.all()
        ],
        "pricing": {
            "ticket_price": _money(purchase.unit_price),
            "quantity": purchase.quantity,
            "subtotal": _money(purchase.subtotal),
            "discount": _money(purchase.discount),
            "promo_code": promo_code,
            "service_fee": _money(purchase.service_fee),
            "service_fee_percentage": float(money.service_fee_percentage(purchase.sales_amount)),
            "total": _money(purchase.total),
            "currency": purchase.currency,
        },
        "payment": {
            "payment_id": payment.payment_id,
            "reference": payment.reference,
            "amount": _money(payment.amount),
            "discount": _money(purchase.discount),
            "promo_code": promo_code,
            "currency": payment.currency,
            "payment_method": payment.payment_method,
            "provider": str(payment.provider),
            "payment_url": payment.authorization_url,
            "status": str(payment.status),
            "expires_at": iso(reservation_deadline(payment)),
        },
        "reservation": reservation_of(payment),
    }


def _money(value) -> float:
    return float(quantize_money(value))  # as MoneyField


def _promo_code(purchase) -> str | None:
    return purchase.promo_code.code if purchase.promo_code_id else None  # as PromoCodeField


# --- Y2 -------------------------------------------------------------------------------------


def initiated_message(payment) -> str:
    if payment.status == PaymentStatus.COMPLETED:
        return "Your free tickets are confirmed."
    return "Payment initialized. Complete payment to confirm your tickets."


def mobile_redirect_template(payment) -> str | None:
    """Set when the buyer comes back through the app: a deep link, or our mobile callback."""
    if payment.deep_link or payment.callback_url.split("?")[0] == mobile_callback_url():
        return f"{settings.MOBILE_DEEP_LINK_SCHEME}://payment-result?status={{status}}&reference={{reference}}"
    return None


class InitiatedPaymentSerializer(serializers.Serializer):
    """Y2 201 body."""

    success = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    payment_id = serializers.CharField()
    payment_reference = serializers.CharField(source="reference")
    authorization_url = serializers.CharField()
    access_code = NullableTextField()
    amount = MoneyField()
    discount = MoneyField(source="purchase.discount")
    promo_code = PromoCodeField()
    currency = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.SerializerMethodField()
    effective_callback_url = serializers.CharField(source="callback_url")
    mobile_redirect_url_template = serializers.SerializerMethodField()
    ticket_count = serializers.IntegerField(source="purchase.quantity")

    def get_success(self, payment) -> bool:
        return True

    def get_message(self, payment) -> str:
        return initiated_message(payment)

    def get_expires_at(self, payment) -> str | None:
        return iso(reservation_deadline(payment))

    def get_mobile_redirect_url_template(self, payment) -> str | None:
        return mobile_redirect_template(payment)


def initiated_payment_body(payment) -> dict:
    """What InitiatedPaymentSerializer(payment).data holds, built directly (the Y2 answer)."""
    purchase = payment.purchase
    return {
        "success": True,
        "message": initiated_message(payment),
        "purchase_id": purchase.purchase_id,
        "payment_id": payment.payment_id,
        "payment_reference": payment.reference,
        "authorization_url": payment.authorization_url,
        "access_code": payment.access_code or None,
        "amount": _money(payment.amount),
        "discount": _money(purchase.discount),
        "promo_code": _promo_code(purchase),
        "currency": payment.currency,
        "status": str(payment.status),
        "expires_at": iso(reservation_deadline(payment)),
        "effective_callback_url": payment.callback_url,
        "mobile_redirect_url_template": mobile_redirect_template(payment),
        "ticket_count": purchase.quantity,
    }


# --- Y5 -------------------------------------------------------------------------------------


class PurchaseCancelledSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    message = serializers.CharField(default="Purchase cancelled")
    purchase_id = serializers.CharField()
    status = serializers.CharField(default="cancelled")
    tickets_released = serializers.IntegerField()
