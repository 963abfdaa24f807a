"""A checkout, start to finish (DESIGN.md §3): reserve, create the payment, hand over to the provider.

The reservation and the pending payment are written in one short, durable transaction: no caller
can wrap it in a longer one, so the provider is always called after it commits and never while the
stock locks are held. If the provider fails, a second short transaction releases the reservation and
the buyer gets a 502.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from payments import providers, selectors
from payments.exceptions import (
    PaymentAlreadyCompleted,
    PaymentInitializationFailed,
    PurchaseNotFound,
    RequestInProgress,
)
from payments.models import Payment, PaymentStatus, Provider, ReasonCode
from payments.providers import ProviderError, to_minor_units
from payments.services import completion
from payments.services.callbacks import resolve_callback, with_reference
from tickets.exceptions import PurchaseNotCancellable
from tickets.models import OPEN_PURCHASE_STATUSES, Purchase, PurchaseStatus, WaitlistStatus
from tickets.services import reservations, waitlist
from tickets.services.reservations import Attendee

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkout:
    purchase: Purchase
    payment: Payment
    repeated: bool = False  # an offer's payment opened by an earlier request (WL4 again)

    @property
    def payment_url(self) -> str:
        return self.payment.authorization_url


def start_checkout(
    *,
    buyer,
    ticket_type_id: int,
    quantity: int,
    event=None,
    event_id=None,
    event_slug: str | None = None,
    attendee: Attendee | None = None,
    payment_method="card",
    callback_url=None,
    promo_code: str | None = None,
) -> Checkout:
    """Reserve tickets and start paying for them; free tickets (and 100 % codes) are issued at once.

    The event is `event`, else the published event named by `event_id` or `event_slug` (404 otherwise).
    What the attendee left blank is taken from the buyer's account. A `promo_code` is claimed with the
    stock (PromoRefused, nothing reserved, when it cannot apply). Must not run inside a transaction
    (RuntimeError): the provider call after the commit would otherwise happen with the stock locked.
    """
    event = event or selectors.published_event(event_id=event_id, event_slug=event_slug)
    attendee = with_buyer_details(attendee or Attendee(name="", email=""), buyer)
    with transaction.atomic(durable=True):
        purchase = reservations.reserve_tickets(
            buyer=buyer,
            event=event,
            ticket_type_id=ticket_type_id,
            quantity=quantity,
            attendee=attendee,
            promo_code=promo_code,
        )
        payment = _open_payment(purchase, payment_method, callback_url)
    if not purchase.is_free:
        _initialize(payment)
    return Checkout(purchase=purchase, payment=payment)


def _open_payment(purchase: Purchase, payment_method: str, callback_url: str | None) -> Payment:
    """The purchase's pending payment (completed at once when it costs nothing), in the caller's transaction."""
    callback = resolve_callback(callback_url)  # checked after the stock rules; a refusal stores nothing
    payment = Payment.objects.create(
        purchase=purchase,
        user_id=purchase.buyer_id,
        provider=Provider.FREE if purchase.is_free else providers.get().name,
        amount=purchase.total,
        payment_method="free" if purchase.is_free else payment_method,
        callback_url=callback.provider_url,
        deep_link=callback.deep_link,
    )
    if purchase.is_free:
        complete_free_purchase(payment)
    return payment


def with_buyer_details(given: Attendee, buyer) -> Attendee:
    """The attendee as given, each missing detail taken from the buyer's account."""
    return Attendee(
        name=given.name.strip() or buyer.full_name or buyer.username,
        email=given.email or buyer.email,
        phone=given.phone or buyer.phone_number or "",
    )


def complete_free_purchase(payment: Payment) -> None:
    """A free purchase needs no provider: its tickets are issued and e-mailed at once (caller's transaction)."""
    reservations.issue_tickets(purchase=payment.purchase)
    payment.status, payment.completed_at = PaymentStatus.COMPLETED, timezone.now()
    payment.authorization_url = with_reference(payment.callback_url, payment.reference)
    payment.save(update_fields=["status", "completed_at", "authorization_url", "updated_at"])
    purchase_pk = payment.purchase_id
    transaction.on_commit(lambda: completion.queue_ticket_email(purchase_pk), robust=True)


def _initialize(payment: Payment, *, keep_hold: bool = False) -> None:
    """Open the provider's transaction. When the provider refuses, the purchase fails and its stock is
    freed, except with `keep_hold` (a waiting-list offer): its seats stay held and it may be paid again."""
    purchase = payment.purchase
    try:
        # One commit for what the provider writes (the sandbox's record) and for ours, where three
        # autocommit writes would each wait for their own flush. No stock lock is held here, and no
        # transaction is open on the server while a remote provider is called: the driver sends BEGIN
        # with the first statement, after the provider has answered.
        with transaction.atomic():
            started = providers.get().initialize(
                reference=payment.reference,
                amount_minor=to_minor_units(payment.amount),
                currency=payment.currency,
                email=purchase.attendee_email,
                callback_url=payment.callback_url,
                metadata={"purchase_id": purchase.purchase_id, "payment_id": payment.payment_id},
            )
            payment.authorization_url, payment.access_code = started.authorization_url, started.access_code or ""
            payment.save(update_fields=["authorization_url", "access_code", "updated_at"])
            reservations.mark_pending(purchase=purchase)
    except ProviderError as error:
        logger.warning("initializing %s failed: %s", payment.payment_id, error)
        if keep_hold:
            _withdraw_unopened_payment(payment)
            raise PaymentInitializationFailed(OFFER_KEPT) from error
        completion.close_unpaid(
            reference=payment.reference,
            status=PaymentStatus.FAILED,
            reason=ReasonCode.INITIALIZATION_FAILED,
            message=str(error) or "The provider refused to start the payment.",
        )
        raise PaymentInitializationFailed() from error


def cancel_purchase(*, buyer, purchase_id: str) -> int:
    """Cancel an unpaid purchase and free its stock; returns how many tickets were released.

    The provider is asked first: a payment that already went through is completed instead (409). A
    waiting-list offer nobody has started paying has no payment: it is released like WL3.
    """
    purchase = Purchase.objects.select_related("payment").filter(purchase_id=purchase_id, buyer=buyer).first()
    if purchase is None:
        raise PurchaseNotFound()
    if purchase.status == PurchaseStatus.CANCELLED:
        return 0
    if purchase.status not in OPEN_PURCHASE_STATUSES:
        raise PurchaseNotCancellable(f"This purchase is {purchase.status}.", status=purchase.status)
    if getattr(purchase, "payment", None) is None:
        return waitlist.cancel_unpaid_offer(purchase=purchase)
    payment = completion.refresh_payment(purchase.payment)
    if payment.status == PaymentStatus.COMPLETED:
        raise PaymentAlreadyCompleted(purchase_id=purchase.purchase_id)
    providers.close_checkout(payment)  # a hosted checkout page (Stripe) stops taking money first
    payment, released = completion.close_unpaid(
        reference=payment.reference,
        status=PaymentStatus.CANCELLED,
        reason=ReasonCode.CANCELLED_BY_BUYER,
        message="Cancelled by the buyer.",
    )
    if payment.status == PaymentStatus.COMPLETED:
        raise PaymentAlreadyCompleted(purchase_id=purchase.purchase_id)
    if payment.status != PaymentStatus.CANCELLED:
        raise PurchaseNotCancellable(f"This purchase is {payment.purchase.status}.", status=payment.purchase.status)
    return released


# --- Waiting-list offers (CONTRACT.md §17 WL3, WL4) ----------------------------------------------------

OFFER_KEPT = "The payment provider could not start the payment. Your seats are still held; try again."


def accept_offer(*, buyer, entry_id: str, payment_method="card", callback_url=None) -> Checkout:
    """WL4: pay for the seats a waiting-list offer holds, through the same payment path as Y2.

    The first call opens the offer's payment (a free one completes at once); a repeat returns that
    payment (`repeated`), or RequestInProgress while the first call is still talking to the provider.
    A provider refusal keeps the seats held (502): the buyer may try again until the offer lapses.
    Raises OfferNotAvailable unless the entry holds a live offer.
    """
    with transaction.atomic(durable=True):
        purchase, started = waitlist.begin_offer_checkout(user=buyer, entry_id=entry_id)
        payment = Payment.objects.filter(purchase=purchase).first() if started else None
        if not started:
            payment = _open_payment(purchase, payment_method, callback_url)
    if started:
        if payment is None or not (payment.authorization_url or payment.status == PaymentStatus.COMPLETED):
            raise RequestInProgress("This offer's payment is being opened. Retry in a moment.")
        payment.purchase = purchase
        return Checkout(purchase=purchase, payment=payment, repeated=True)
    if not purchase.is_free:
        _initialize(payment, keep_hold=True)
    return Checkout(purchase=purchase, payment=payment)


def leave_waitlist(*, buyer, entry_id: str) -> None:
    """WL3: leave the waiting list; an offer's held seats go to the next in line.

    An offer whose payment is under way is cancelled like Y5 (the provider is asked first: 409 when it
    was paid meanwhile); anything else is the waiting list's own business.
    """
    entry = waitlist.owned_entry(buyer, entry_id)
    if entry.status == WaitlistStatus.OFFERED and entry.payment_started_at is not None:
        cancel_purchase(buyer=buyer, purchase_id=entry.purchase.purchase_id)
        return
    waitlist.leave_waitlist(user=buyer, entry_id=entry_id)


def _withdraw_unopened_payment(payment: Payment) -> None:
    """The provider never opened this offer's payment: drop it, so the offer can be paid again.

    Under the payment's lock: a payment a job has settled meanwhile, or that got its URL, stays.
    """
    with transaction.atomic():
        current = completion.locked_payment(pk=payment.pk)
        if current.status != PaymentStatus.PENDING or current.authorization_url:
            return
        waitlist.reopen_offer(purchase=current.purchase)
        current.delete()
