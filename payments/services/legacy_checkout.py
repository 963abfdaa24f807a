"""The legacy Stripe checkout (CONTRACT.md §13, L1-L3) on the reservation and completion services of §6.

A legacy purchase is an ordinary purchase paid on a hosted checkout page: Stripe Checkout in USD at
`STRIPE_USD_PER_GHS`, or the sandbox page without a Stripe key. The seed's defects are fixed here:
the session is bound to the reservation (its id is stored on the payment, and verify finds the
purchase through it, never through the client's `ticket_id`), verify is idempotent, the reservation
expires, and the webhook settles the money. Afterwards a Stripe purchase is indistinguishable from a
Paystack one: the same tickets, credentials, e-mail, ledger entries and refunds.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cafa.money import quantize_money
from events.exceptions import TicketTypeNotFound
from payments import providers, selectors
from payments.exceptions import (
    AmountTooSmall,
    CheckoutProviderError,
    CheckoutUnavailable,
    NotYourPurchase,
    PaymentAlreadyCompleted,
    PaymentNotMade,
    PaymentRefunded,
    SessionTicketMismatch,
    TicketAlreadyProcessed,
    TicketTypeRequired,
)
from payments.models import Payment, PaymentStatus, Provider, ReasonCode
from payments.providers import ProviderError, ProviderNotConfigured, to_minor_units
from payments.providers.checkout_session import SESSION_ID_PLACEHOLDER, LineItem
from payments.services import checkout, completion
from payments.services.callbacks import resolve_callback
from tickets.exceptions import PurchaseNotCancellable
from tickets.models import Purchase
from tickets.services import reservations
from tickets.services.reservations import Attendee

logger = logging.getLogger(__name__)

CHARGE_CURRENCY = "USD"
RATE_PLACES = Decimal("0.000001")  # Payment.exchange_rate's precision
MIN_CHARGE = Decimal("0.50")  # Stripe's smallest USD card charge
# Stripe's shortest session life is 30 minutes (a backstop: our 10-minute reservation governs); one
# minute more so a clock running behind Stripe's cannot make the request ask for less.
SESSION_LIFETIME = timedelta(minutes=31)


@dataclass(frozen=True)
class Charge:
    """What the provider charges for a purchase: one line per ticket type and one for the service fee."""

    line_items: list[LineItem]
    amount: Decimal
    rate: Decimal


def usd_charge(purchase: Purchase) -> Charge:
    """The purchase in USD: each line converted at `STRIPE_USD_PER_GHS`, rounded half-up to the cent.

    The charge is the sum of the lines, so what Stripe shows the buyer adds up to what it charges.
    Checkout lines cannot be negative: a promo-discounted order is one line for its tickets, priced
    after the discount and named with the code.
    """
    rate = Decimal(settings.STRIPE_USD_PER_GHS).quantize(RATE_PLACES)  # the rate stored is the rate used
    fee = _cents(purchase.service_fee * rate)
    items = [_tickets_line(purchase, rate)]
    if fee:
        items.append(LineItem(name="Service fee", unit_amount_minor=fee))
    total_minor = sum(item.unit_amount_minor * item.quantity for item in items)
    return Charge(line_items=items, amount=Decimal(total_minor) / 100, rate=rate)


def _tickets_line(purchase: Purchase, rate: Decimal) -> LineItem:
    name = f"{purchase.ticket_type.name} - {purchase.event.title}"
    if not purchase.discount:
        return LineItem(name=name, unit_amount_minor=_cents(purchase.unit_price * rate), quantity=purchase.quantity)
    code = f", code {purchase.promo_code.code}" if purchase.promo_code_id else ""
    return LineItem(
        name=f"{name} ({purchase.quantity} x {purchase.unit_price} GHS less {purchase.discount}{code})",
        unit_amount_minor=_cents(purchase.sales_amount * rate),
    )


def _cents(amount: Decimal) -> int:
    return to_minor_units(quantize_money(amount))


# --- L1 -----------------------------------------------------------------------------------------


def _chosen_ticket_type_id(event, ticket_type_id: int | None) -> int:
    """The ticket type asked for, else the event's only one on sale (several on sale: the buyer must choose).

    With none on sale the first ticket type is tried, so the stock rules name the refusal (sold out,
    sales closed, not on sale yet).
    """
    if ticket_type_id is not None:
        return ticket_type_id
    on_sale = selectors.ticket_types_on_sale(event)
    if len(on_sale) > 1:
        choices = [{"id": t.pk, "name": t.name, "price": float(t.price)} for t in on_sale]
        raise TicketTypeRequired(ticket_types=choices)
    chosen = on_sale[0].pk if on_sale else selectors.first_ticket_type_id(event)
    if chosen is None:
        raise TicketTypeNotFound("This event has no ticket types.")
    return chosen


def start_legacy_checkout(
    *,
    buyer,
    event_id: int,
    ticket_type_id: int | None,
    quantity: int,
    attendee: Attendee,
    promo_code: str | None = None,
) -> checkout.Checkout:
    """L1: reserve, then open a hosted checkout session in USD; free tickets (and 100 % codes) are issued
    at once. A `promo_code` is claimed with the stock, as on Y1/Y2 (PromoRefused, nothing reserved).

    The reservation and the pending payment commit (in one durable transaction) before the provider is
    called; a provider failure releases them again (400). A charge under USD 0.50, or no provider for
    card payments here (503), reserves nothing. What the attendee left blank comes from the buyer's account.
    """
    event = selectors.published_event(event_id=event_id)
    ticket_type_id = _chosen_ticket_type_id(event, ticket_type_id)
    attendee = checkout.with_buyer_details(attendee, buyer)
    with transaction.atomic(durable=True):
        purchase = reservations.reserve_tickets(
            buyer=buyer,
            event=event,
            ticket_type_id=ticket_type_id,
            quantity=quantity,
            attendee=attendee,
            promo_code=promo_code,
        )
        if purchase.is_free:
            payment = _new_payment(purchase, provider=Provider.FREE, payment_method="free")
            checkout.complete_free_purchase(payment)
            return checkout.Checkout(purchase=purchase, payment=payment)
        host = _session_host()
        charge = usd_charge(purchase)
        if charge.amount < MIN_CHARGE:
            raise AmountTooSmall(f"The order comes to USD {charge.amount}; card payments start at USD {MIN_CHARGE}.")
        payment = _new_payment(
            purchase,
            provider=host.name,
            payment_method="card",
            charge_amount=charge.amount,
            charge_currency=CHARGE_CURRENCY,
            exchange_rate=charge.rate,
        )
    _open_session(host, payment, charge)
    return checkout.Checkout(purchase=purchase, payment=payment)


def _session_host():
    try:
        return providers.checkout_sessions()
    except ProviderNotConfigured as error:
        raise CheckoutUnavailable(str(error)) from None


def _new_payment(purchase: Purchase, **fields) -> Payment:
    return Payment.objects.create(
        purchase=purchase,
        user_id=purchase.buyer_id,
        amount=purchase.total,
        callback_url=resolve_callback(None).provider_url,
        **fields,
    )


def success_url(purchase: Purchase) -> str:
    """Where Stripe sends the buyer after paying; Stripe fills in the session id (CONTRACT.md §13.1)."""
    return f"{settings.LEGACY_FRONTEND_URL}/payment/success?session_id={SESSION_ID_PLACEHOLDER}&ticket_id={purchase.pk}"


def cancel_url(purchase: Purchase) -> str:
    return f"{settings.LEGACY_FRONTEND_URL}/payment/cancel?ticket_id={purchase.pk}"


def _open_session(host, payment: Payment, charge: Charge) -> None:
    purchase = payment.purchase
    try:
        session = host.create_checkout_session(
            reference=payment.reference,
            currency=CHARGE_CURRENCY,
            line_items=charge.line_items,
            email=purchase.attendee_email,
            success_url=success_url(purchase),
            cancel_url=cancel_url(purchase),
            client_reference_id=purchase.purchase_id,
            metadata={"purchase_id": purchase.purchase_id, "payment_id": payment.payment_id},
            idempotency_key=f"checkout-session-{payment.payment_id}",
            expires_at=timezone.now() + SESSION_LIFETIME,
        )
    except ProviderError as error:
        logger.warning("opening a checkout session for %s failed: %s", payment.payment_id, error)
        completion.close_unpaid(
            reference=payment.reference,
            status=PaymentStatus.FAILED,
            reason=ReasonCode.INITIALIZATION_FAILED,
            message="The payment provider could not open a checkout session.",  # its own words stay in the log
        )
        raise CheckoutProviderError() from error
    payment.checkout_session_id, payment.authorization_url = session.session_id, session.url
    payment.callback_url = success_url(purchase).replace(SESSION_ID_PLACEHOLDER, session.session_id)
    payment.save(update_fields=["checkout_session_id", "authorization_url", "callback_url", "updated_at"])
    reservations.mark_pending(purchase=purchase)


# --- L2 -----------------------------------------------------------------------------------------

CLOSED_ANSWERS = {
    PaymentStatus.PENDING: ("Payment not completed", "The payment has not been completed yet."),
    PaymentStatus.EXPIRED: ("Reservation expired", "The reservation expired before the payment was made."),
    PaymentStatus.CANCELLED: ("Purchase cancelled", "This purchase was cancelled before it was paid."),
    PaymentStatus.FAILED: ("Payment failed", "The payment did not go through."),
}
# Why a payment failed, where the buyer should hear more than that it failed.
FAILURE_MESSAGES = {
    ReasonCode.AMOUNT_MISMATCH: "The amount paid did not match the order; the payment will be refunded.",
    ReasonCode.ABANDONED: "The payment was cancelled on the checkout page; the tickets were released.",
}


def verify_session(*, buyer, session_id: str, ticket_id: int | str | None = None) -> Payment:
    """L2: the purchase behind a checkout session, settled with the provider first; idempotent.

    Returns the completed payment, or raises the contract's answer for one that is not paid.
    """
    payment = selectors.payment_by_checkout_session(session_id)
    purchase = payment.purchase
    _check_owner(purchase, buyer)
    if ticket_id is not None and ticket_id not in (purchase.pk, purchase.purchase_id):
        raise SessionTicketMismatch()
    payment = _settle_with_provider(payment)
    if payment.status == PaymentStatus.COMPLETED:
        return payment
    if payment.status == PaymentStatus.REFUNDED:
        raise PaymentRefunded(status=payment.status)
    error, message = CLOSED_ANSWERS[payment.status]
    raise PaymentNotMade(FAILURE_MESSAGES.get(payment.reason_code, message), error=error, status=payment.status)


def _check_owner(purchase: Purchase, buyer) -> None:
    if purchase.buyer_id != buyer.pk:
        raise NotYourPurchase()


def _settle_with_provider(payment: Payment) -> Payment:
    """Ask the provider about a payment still open, or closed on our side while its session stayed
    payable (a payment that landed after the reservation ended is a late success, CONTRACT.md §6.8)."""
    if payment.status == PaymentStatus.PENDING:
        return completion.refresh_payment(payment)
    if payment.status not in (PaymentStatus.EXPIRED, PaymentStatus.CANCELLED) or payment.provider == Provider.FREE:
        return payment
    try:
        result = providers.for_payment(payment).verify(payment.reference)
    except ProviderError as error:
        logger.warning("late read-through of %s failed: %s", payment.payment_id, error)
        return payment
    if result.succeeded:
        return completion.complete_payment(reference=payment.reference, result=result)
    return payment


# --- L3 -----------------------------------------------------------------------------------------


def cancel_legacy_purchase(*, buyer, ticket_id: int | str) -> None:
    """L3: the cancel of §6.7 (provider asked first, hosted session expired, stock released) by legacy id.

    Repeating it on a cancelled purchase is fine; a paid or closed one is "already processed".
    """
    purchase = selectors.legacy_purchase(ticket_id)
    _check_owner(purchase, buyer)
    try:
        checkout.cancel_purchase(buyer=buyer, purchase_id=purchase.purchase_id)
    except (PaymentAlreadyCompleted, PurchaseNotCancellable):
        purchase.refresh_from_db(fields=["status"])
        raise TicketAlreadyProcessed(status=purchase.status) from None
