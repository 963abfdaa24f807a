"""Redeeming a promo code at checkout (CONTRACT.md §16): Y1 and Y2 accept `promo_code`, priced and
claimed with the stock; the discount reaches the payment, the ledger, the revenue figures and refunds."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from payments.models import Payment, SandboxCharge
from payments.services import completion, jobs, refunds
from payments.services.checkout import cancel_purchase
from payments.tests.fixtures import buy as checkout
from payouts.models import LedgerEntry, LedgerKind
from tickets.models import Purchase, Ticket

pytestmark = pytest.mark.django_db

INITIATE_URL = "/api/v1/payments/initiate/"
PURCHASE_URL = "/api/v1/tickets/purchase/"


def refused_and_nothing_reserved(response, headline):
    assert response.status_code == 400, response.json()
    assert response.json()["error"] == headline
    assert not Purchase.objects.exists() and not Ticket.objects.exists() and not Payment.objects.exists()


def test_y1_prices_the_code_into_pricing_payment_and_tickets(buy, event, make_promo):
    make_promo(event, "EARLY", percent=10)

    body = buy(quantity=2, promo_code="early")

    assert body["pricing"] == {
        "ticket_price": 50,
        "quantity": 2,
        "subtotal": 100,
        "discount": 10,
        "promo_code": "EARLY",
        "service_fee": 4.5,  # 5 % of 90.00
        "service_fee_percentage": 5,
        "total": 94.5,
        "currency": "GHS",
    }
    assert (body["payment"]["amount"], body["payment"]["discount"], body["payment"]["promo_code"]) == (
        94.5,
        10,
        "EARLY",
    )
    payment = Payment.objects.get()
    assert payment.amount == Decimal("94.50")
    assert SandboxCharge.objects.get(reference=payment.reference).amount_minor == 9450  # the provider charges the total
    assert sorted(Ticket.objects.values_list("price_paid", flat=True)) == [Decimal("45.00")] * 2


def test_y2_answers_the_discount_and_the_code(buyer_client, event, paid_type, make_promo):
    make_promo(event, "FIVER", fixed="5.00")

    response = buyer_client.post(
        INITIATE_URL, {"event_slug": event.slug, "ticket_type_id": paid_type.pk, "quantity": 3, "promo_code": "FIVER"}
    )

    body = response.json()
    assert response.status_code == 201, body
    assert (body["amount"], body["discount"], body["promo_code"]) == (141.75, 15, "FIVER")  # 135 + 6.75 fee


def test_without_a_code_the_discount_is_zero_and_the_code_null(buy):
    body = buy()

    assert (body["pricing"]["discount"], body["pricing"]["promo_code"]) == (0, None)


@pytest.mark.parametrize("url", [PURCHASE_URL, INITIATE_URL])
def test_a_code_that_cannot_apply_is_refused_like_pc5_and_reserves_nothing(buyer_client, purchase_body, url):
    refused_and_nothing_reserved(
        buyer_client.post(url, purchase_body(promo_code="NOSUCH"), format="json"), "Invalid promo code"
    )


def test_each_pc5_refusal_also_refuses_the_purchase(
    buyer_client, purchase_body, event, free_type, make_promo, make_event
):
    make_promo(event, "LATER", valid_from=event.starts_at - timedelta(days=1))
    make_promo(event, "OVER", valid_until=event.created_at - timedelta(days=1))
    make_promo(event, "FREEONLY", ticket_types=[free_type])
    make_promo(make_event(), "NOTHERE")

    for code, headline in (
        ("LATER", "Promo code not yet valid"),
        ("OVER", "Promo code expired"),
        ("FREEONLY", "Promo code not valid for this ticket type"),
        ("NOTHERE", "Invalid promo code"),
    ):
        refused_and_nothing_reserved(
            buyer_client.post(PURCHASE_URL, purchase_body(promo_code=code), format="json"), headline
        )


def test_a_100_percent_code_makes_a_free_purchase(buy, event, make_promo, django_capture_on_commit_callbacks):
    make_promo(event, "COMP", percent=100)
    mail.outbox.clear()

    body = buy(quantity=2, promo_code="COMP")

    assert body["status"] == "completed" and body["reservation"] is None
    assert (body["pricing"]["total"], body["pricing"]["service_fee"], body["pricing"]["discount"]) == (0, 0, 100)
    assert body["payment"]["provider"] == "free" and body["payment"]["status"] == "completed"
    assert {ticket["status"] for ticket in body["tickets"]} == {"active"}
    assert not LedgerEntry.objects.exists()  # nothing sold, no fee
    assert "Discount" in mail.outbox[0].body and "COMP" in mail.outbox[0].body


def test_the_per_user_limit_holds_across_purchases(
    buyer_client, purchase_body, buy, event, make_promo, make_user, client_for
):
    make_promo(event, "ONCE", max_uses_per_user=1)
    buy(promo_code="ONCE")

    refused = buyer_client.post(PURCHASE_URL, purchase_body(promo_code="ONCE"), format="json")
    someone_else = client_for(make_user()).post(PURCHASE_URL, purchase_body(promo_code="ONCE"), format="json")

    assert refused.status_code == 400 and refused.json()["error"] == "Promo code already used"
    assert someone_else.status_code == 201


def test_a_lapsed_reservation_gives_its_use_back(buyer, make_user, paid_type, event, make_promo):
    make_promo(event, "SOLO", max_uses=1)
    first = checkout(buyer, paid_type, 1, promo_code="SOLO")
    second_buyer = make_user()

    with pytest.raises(Exception) as used_up:
        checkout(second_buyer, paid_type, 1, promo_code="SOLO")
    assert used_up.value.error == "Promo code used up"

    with time_machine.travel(first.purchase.reservation_expires_at + timedelta(seconds=1), tick=False):
        # before any job tidies it: the lapsed hold no longer uses the code
        assert checkout(second_buyer, paid_type, 1, promo_code="SOLO").purchase.discount == Decimal("5.00")


def test_a_cancelled_reservation_gives_its_use_back(buyer, make_user, paid_type, event, make_promo):
    make_promo(event, "SOLO", max_uses=1)
    first = checkout(buyer, paid_type, 1, promo_code="SOLO")

    cancel_purchase(buyer=buyer, purchase_id=first.purchase.purchase_id)

    assert checkout(make_user(), paid_type, 1, promo_code="SOLO").purchase.promo_code.code == "SOLO"


def test_the_organizer_is_credited_the_discounted_sales_and_pays_the_fee_on_them(
    buy, pay_in_sandbox, event, make_promo, organizer, organizer_client
):
    make_promo(event, "EARLY", percent=10)
    body = buy(quantity=2, promo_code="EARLY")  # 100.00 - 10.00 = 90.00 sold

    pay_in_sandbox(body["payment"]["reference"])

    entries = dict(LedgerEntry.objects.values_list("kind", "amount"))
    assert entries == {LedgerKind.SALE: Decimal("90.00"), LedgerKind.PLATFORM_FEE: Decimal("-4.50")}
    analytics = organizer_client.get(f"/api/v1/events/my-events/{event.slug}/").json()["analytics"]
    assert (analytics["gross_revenue"], analytics["platform_fee"], analytics["net_revenue"]) == (90, 4.5, 85.5)
    overview = organizer_client.get(f"/api/v1/events/{event.slug}/analytics/").json()["overview"]
    assert (overview["gross_revenue"], overview["discounts_given"]) == (90, 10)
    by_type = organizer_client.get(f"/api/v1/events/{event.slug}/analytics/").json()["sales_by_ticket_type"]
    assert {row["ticket_type"]: row["revenue"] for row in by_type}["Regular"] == 90
    revenue = organizer_client.get("/api/v1/organizers/revenue/").json()
    assert revenue["recent_transactions"][0]["amount"] == 90


def test_the_ticket_email_shows_the_discount(buy, pay_in_sandbox, event, make_promo):
    make_promo(event, "EARLY", percent=10)
    body = buy(quantity=2, promo_code="EARLY")
    mail.outbox.clear()

    pay_in_sandbox(body["payment"]["reference"])

    [message] = mail.outbox
    assert "Discount:     -GHS 10.00 (code EARLY)" in message.body
    assert "Total paid:   GHS 94.50" in message.body
    html = message.alternatives[0][0]
    assert "Discount (EARLY)" in html


def test_a_refund_returns_what_was_paid_and_reverses_the_discounted_sale(
    buy, pay_in_sandbox, event, make_promo, organizer
):
    make_promo(event, "EARLY", percent=10)
    body = buy(quantity=2, promo_code="EARLY")
    pay_in_sandbox(body["payment"]["reference"])
    payment = Payment.objects.get()

    refunds.refund_completed_payment(payment_pk=payment.pk, reason="Changed plans.")
    refunds.send_refund(payment_pk=payment.pk)

    assert SandboxCharge.objects.get(reference=payment.reference).outcome == "reversed"  # the whole 94.50 charge
    assert sum(LedgerEntry.objects.filter(organizer=organizer).values_list("amount", flat=True)) == 0


def test_a_late_success_whose_code_was_taken_meanwhile_is_refunded(
    buyer, make_user, paid_type, event, make_promo, fake_paystack
):
    """The lapsed purchase gave its use back and someone else took it: the late payment cannot be discounted again."""
    make_promo(event, "SOLO", max_uses=1)
    late = checkout(buyer, paid_type, 1, promo_code="SOLO")
    with time_machine.travel(late.purchase.reservation_expires_at + timedelta(minutes=1), tick=False):
        jobs.expire_lapsed_reservations()
        checkout(make_user(), paid_type, 1, promo_code="SOLO")
        fake_paystack.pay(late.payment.reference)

        payment = completion.complete_payment(
            reference=late.payment.reference, result=completion.providers.get().verify(late.payment.reference)
        )

    assert payment.status == "refunded" and payment.reason_code == "refunded_sold_out"
    assert not Ticket.objects.filter(purchase=late.purchase, status="active").exists()


def test_a_late_success_whose_code_is_still_free_is_issued(buyer, paid_type, event, make_promo, fake_paystack):
    make_promo(event, "SOLO", max_uses=1)
    late = checkout(buyer, paid_type, 1, promo_code="SOLO")
    with time_machine.travel(late.purchase.reservation_expires_at + timedelta(minutes=1), tick=False):
        jobs.expire_lapsed_reservations()
        fake_paystack.pay(late.payment.reference)

        payment = completion.complete_payment(
            reference=late.payment.reference, result=completion.providers.get().verify(late.payment.reference)
        )

    assert payment.status == "completed"
    assert Purchase.objects.get(pk=late.purchase.pk).discount == Decimal("5.00")
