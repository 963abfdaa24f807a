"""The offer engine and paying an offer (CONTRACT.md §17): whatever frees seats, the queue gets them
first, as a held offer; WL3 leaves, WL4 pays through the §6 services; unpaid offers lapse to the next."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import Payment
from payments.providers.sandbox import SandboxProvider
from payments.services import jobs, refunds
from payments.tests.fixtures import buy as checkout
from tickets.models import Purchase, Ticket, WaitlistEntry
from tickets.services import offers, waitlist, waitlist_notices
from tickets.tasks import serve_waiting_lists

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold_out(make_ticket_type, make_user, pay_in_sandbox):
    """Two seats at 50.00: `sold_out.holds[0]` is a public buyer's pending payment, `holds[1]` a paid one."""
    ticket_type = make_ticket_type(quantity=2, max_purchase=4)
    ticket_type.holds = [checkout(make_user(), ticket_type, 1) for _ in range(2)]
    pay_in_sandbox(ticket_type.holds[1].payment.reference)
    return ticket_type


@pytest.fixture
def waiting(sold_out, join_queue, make_user):
    """Three people queuing for one seat each, in this order."""
    return [join_queue(make_user(), sold_out, 1) for _ in range(3)]


def after(moment, **delta):
    return time_machine.travel(moment + timedelta(**delta), tick=False)


def fresh(entry) -> WaitlistEntry:
    return WaitlistEntry.objects.get(pk=entry.pk)


def statuses(entries) -> list[str]:
    return [fresh(entry).status for entry in entries]


def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def accept(entry, expect=201, **body):
    response = client(entry.user).post(f"/api/v1/waitlist/{entry.entry_id}/accept/", body, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


# --- Whatever frees the seats, the queue gets them at once --------------------------------------


def test_a_lapsed_hold_goes_to_the_first_in_line_within_a_minute(sold_out, waiting, settings):
    lapsing = sold_out.holds[0].purchase

    with after(lapsing.reservation_expires_at, seconds=30):
        made = serve_waiting_lists()

    assert made == 1
    assert statuses(waiting) == ["offered", "waiting", "waiting"]
    first = fresh(waiting[0])
    offer = Purchase.objects.get(waitlist_entry=first)
    assert (offer.buyer, offer.status, offer.quantity, offer.total) == (first.user, "reserved", 1, 52.5)
    assert first.offer_expires_at == offer.reservation_expires_at
    assert first.offer_expires_at - first.offered_at == timedelta(minutes=settings.WAITLIST_OFFER_MINUTES)
    assert set(offer.tickets.values_list("status", flat=True)) == {"reserved"}


def test_the_expiry_sweep_that_closes_a_lapsed_payment_makes_the_offer_in_the_same_run(sold_out, waiting):
    with after(sold_out.holds[0].purchase.reservation_expires_at, seconds=1):
        jobs.expire_lapsed_reservations()

    assert Payment.objects.get(pk=sold_out.holds[0].payment.pk).status == "expired"
    assert statuses(waiting) == ["offered", "waiting", "waiting"]


def test_a_cancelled_purchase_is_offered_in_the_same_request(sold_out, waiting):
    hold = sold_out.holds[0].purchase

    response = client(hold.buyer).post(f"/api/v1/tickets/purchase/{hold.purchase_id}/cancel/")

    assert response.status_code == 200 and response.json()["tickets_released"] == 1
    assert statuses(waiting) == ["offered", "waiting", "waiting"]


def test_a_failed_payment_frees_its_seat_to_the_queue_at_once(sold_out, waiting):
    payment = sold_out.holds[0].payment
    SandboxProvider().record_outcome(payment.reference, "failed")

    body = client(payment.user).get(f"/api/v1/payments/{payment.payment_id}/status/").json()

    assert body["status"] == "failed"
    assert statuses(waiting) == ["offered", "waiting", "waiting"]


def test_a_refund_frees_its_seats_to_the_queue_at_once(sold_out, waiting):
    payment = sold_out.holds[1].payment

    refunds.refund_completed_payment(payment_pk=payment.pk, reason="Cannot come.")

    assert statuses(waiting) == ["offered", "waiting", "waiting"]


def test_raising_the_quantity_offers_the_new_seats_at_once(sold_out, waiting, seller):
    url = f"/api/v1/events/{sold_out.event.slug}/tickets/{sold_out.pk}/"

    response = client(seller).patch(url, {"quantity": 4}, format="json")

    assert response.status_code == 200, response.json()
    assert statuses(waiting) == ["offered", "offered", "waiting"]
    assert response.json()["ticket_type"]["tickets_remaining"] == 0  # still one waiting: nothing public


def test_entries_larger_than_the_free_seats_are_skipped_and_keep_their_place(
    make_ticket_type, make_user, join_queue, pay_in_sandbox
):
    ticket_type = make_ticket_type(quantity=3, max_purchase=4)
    lapsing = checkout(make_user(), ticket_type, 2)
    pay_in_sandbox(checkout(make_user(), ticket_type, 1).payment.reference)
    big, single, pair, another = (join_queue(make_user(), ticket_type, quantity) for quantity in (3, 1, 2, 1))

    with after(lapsing.purchase.reservation_expires_at, seconds=1):
        serve_waiting_lists()  # 2 seats free: 3 cannot fit, 1 can, then 1 left: 2 cannot, 1 can

    assert statuses([big, single, pair, another]) == ["waiting", "offered", "waiting", "offered"]
    assert client(big.user).get("/api/v1/waitlist/").json()["results"][0]["position"] == 1  # still next in line
    assert client(pair.user).get("/api/v1/waitlist/").json()["results"][0]["position"] == 2


def test_the_engine_is_idempotent(sold_out, waiting):
    with after(sold_out.holds[0].purchase.reservation_expires_at, seconds=1):
        first = offers.offer_freed_seats(ticket_type_id=sold_out.pk)
        second = offers.offer_freed_seats(ticket_type_id=sold_out.pk)

    assert (len(first.offered), len(second.offered)) == (1, 0)
    assert Purchase.objects.filter(waitlist_entry__isnull=False).count() == 1


def test_an_offer_never_oversells(sold_out, waiting, make_user):
    with after(sold_out.holds[0].purchase.reservation_expires_at, seconds=1):
        serve_waiting_lists()
        holding = Ticket.objects.holding_stock(timezone.now()).filter(ticket_type=sold_out).count()

    assert holding == sold_out.quantity == 2


# --- The offer e-mail ------------------------------------------------------------------------------


def test_the_offer_is_e_mailed_with_its_deadline_and_link(
    sold_out, waiting, settings, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with (
        after(sold_out.holds[0].purchase.reservation_expires_at, seconds=1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        offers.offer_freed_seats(ticket_type_id=sold_out.pk)

    [message] = [message for message in mail.outbox if "held for you" in message.subject]
    first = fresh(waiting[0])
    assert message.to == [first.attendee_email]
    assert f"{settings.FRONTEND_URL}/waitlist/{first.entry_id}" in message.body
    local = first.offer_expires_at.astimezone(timezone.get_fixed_timezone(0))
    assert f"{local:%H:%M} (Africa/Accra)" in message.body


def test_a_lost_queue_message_does_not_lose_the_offer_e_mail(sold_out, waiting, monkeypatch):
    """No on-commit callback runs (the queue message is lost): the job sends the notice a minute later."""
    with after(sold_out.holds[0].purchase.reservation_expires_at, seconds=1):
        offers.offer_freed_seats(ticket_type_id=sold_out.pk)
    mail.outbox.clear()

    with after(timezone.now(), minutes=20):
        run = waitlist_notices.send_due()

    assert run.sent == 4  # three "joined", one "offered"
    assert len([m for m in mail.outbox if "held for you" in m.subject]) == 1
    with after(timezone.now(), minutes=21):
        assert waitlist_notices.send_due().due == 0  # sent once


def test_a_failing_mail_server_is_retried_later(sold_out, waiting, monkeypatch):
    from tickets.services import waitlist_notices as notices

    def refuse(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notices, "send_mail", refuse)
    with after(timezone.now(), minutes=2):
        assert notices.send_due().failed == 3
    monkeypatch.undo()
    with after(timezone.now(), minutes=3):
        assert notices.send_due().due == 0  # waiting out the back-off
    with after(timezone.now(), minutes=10):
        assert notices.send_due().sent == 3


# --- WL4: paying an offer --------------------------------------------------------------------------


@pytest.fixture
def offered(sold_out, waiting):
    """The first entry holds an offer of one seat (the first public hold lapsed); the clock stays there."""
    with after(sold_out.holds[0].purchase.reservation_expires_at, seconds=1):
        offers.offer_freed_seats(ticket_type_id=sold_out.pk)
        yield fresh(waiting[0])


def test_accepting_an_offer_answers_exactly_as_y2(offered, waiting):
    body = accept(offered)

    payment = Payment.objects.get(purchase__waitlist_entry=offered)
    purchase = payment.purchase
    assert body == {
        "success": True,
        "message": body["message"],
        "purchase_id": purchase.purchase_id,
        "payment_id": payment.payment_id,
        "payment_reference": payment.reference,
        "authorization_url": payment.authorization_url,
        "access_code": None,
        "amount": 52.5,
        "discount": 0,
        "promo_code": None,
        "currency": "GHS",
        "status": "pending",
        "expires_at": body["expires_at"],
        "effective_callback_url": body["effective_callback_url"],
        "mobile_redirect_url_template": None,
        "ticket_count": 1,
    }
    assert body["expires_at"] == offered.offer_expires_at.isoformat().replace("+00:00", "Z")
    assert purchase.status == "pending" and fresh(offered).status == "offered"


def test_paying_the_offer_issues_the_tickets_and_accepts_the_entry(offered, pay_in_sandbox):
    body = accept(offered)
    mail.outbox.clear()

    pay_in_sandbox(body["payment_reference"])

    assert fresh(offered).status == "accepted"
    purchase = Purchase.objects.get(waitlist_entry=offered)
    assert purchase.status == "completed"
    assert set(purchase.tickets.values_list("status", flat=True)) == {"active"}
    assert any(message.to == [offered.attendee_email] for message in mail.outbox)
    entry = client(offered.user).get("/api/v1/waitlist/").json()["results"][0]
    assert (entry["status"], entry["purchase_id"]) == ("accepted", purchase.purchase_id)
    refused = accept(offered, expect=400)
    assert (refused["error"], refused["status"]) == ("Offer not available", "accepted")


def test_accepting_again_shows_the_same_payment(offered):
    first = accept(offered)

    again = accept(offered, expect=200)

    assert again["payment_id"] == first["payment_id"] and again["authorization_url"] == first["authorization_url"]
    assert Payment.objects.filter(purchase__waitlist_entry=offered).count() == 1


def test_accept_takes_a_callback_url_and_an_idempotency_key(offered):
    api = client(offered.user)
    url = f"/api/v1/waitlist/{offered.entry_id}/accept/"
    body = {"callback_url": "cafatickets://payment-result"}

    bad = api.post(url, {"callback_url": "https://evil.example.com/x"}, format="json")
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="offer-1")
    replay = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="offer-1")

    assert bad.status_code == 400 and bad.json()["error"] == "invalid_callback_url"
    assert first.status_code == 201 and replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    assert first.json()["mobile_redirect_url_template"].startswith("cafatickets://payment-result?status=")
    assert Payment.objects.filter(purchase__waitlist_entry=offered).count() == 1


def test_only_an_offered_entry_can_be_accepted(waiting, assert_error):
    response = client(waiting[0].user).post(f"/api/v1/waitlist/{waiting[0].entry_id}/accept/")

    body = assert_error(response, 400, "Offer not available", status="waiting")
    assert body["success"] is False and not Payment.objects.filter(purchase__waitlist_entry__isnull=False).exists()


def test_another_users_or_an_unknown_entry_is_not_found(offered, make_user, assert_error):
    stranger = client(make_user())

    assert_error(stranger.post(f"/api/v1/waitlist/{offered.entry_id}/accept/"), 404, "Waiting list entry not found")
    assert_error(stranger.delete(f"/api/v1/waitlist/{offered.entry_id}/"), 404, "Waiting list entry not found")
    assert_error(stranger.post("/api/v1/waitlist/WL-0000000000/accept/"), 404, "Waiting list entry not found")
    assert fresh(offered).status == "offered"


def test_a_provider_refusal_keeps_the_seats_held(offered, fake_paystack, assert_error):
    import httpx

    fake_paystack.refusal = httpx.Response(400, json={"status": False, "message": "Invalid key"})

    response = client(offered.user).post(f"/api/v1/waitlist/{offered.entry_id}/accept/")

    assert_error(response, 502, "Payment initialization failed")
    assert "still held" in response.json()["message"]
    assert fresh(offered).status == "offered" and fresh(offered).payment_started_at is None
    assert Purchase.objects.get(waitlist_entry=offered).status == "reserved"
    assert not Payment.objects.filter(purchase__waitlist_entry=offered).exists()
    fake_paystack.refusal = None
    assert accept(offered)["authorization_url"].startswith("https://checkout.paystack.com/")


def test_an_offer_of_a_free_type_completes_on_acceptance(make_ticket_type, make_user, join_queue):
    free = make_ticket_type(price="0", quantity=1)
    taken = checkout(make_user(), free, 1)  # a free purchase: issued at once
    entry = join_queue(make_user(), free)
    refunds.refund_completed_payment(payment_pk=taken.payment.pk, reason="Gave it back.")

    body = accept(fresh(entry))

    assert body["status"] == "completed" and body["amount"] == 0
    assert fresh(entry).status == "accepted"


# --- Offers that lapse ---------------------------------------------------------------------------


def test_an_unpaid_offer_lapses_to_the_next_in_line_and_is_e_mailed(
    offered, waiting, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with after(offered.offer_expires_at, seconds=30), django_capture_on_commit_callbacks(execute=True):
        serve_waiting_lists()

    assert statuses(waiting) == ["expired", "offered", "waiting"]
    assert Purchase.objects.get(waitlist_entry=offered).status == "expired"
    lapsed = [message for message in mail.outbox if "lapsed" in message.subject]
    assert [message.to for message in lapsed] == [[offered.attendee_email]]
    assert accept(offered, expect=400)["status"] == "expired"


def test_an_offer_whose_payment_was_abandoned_lapses_through_the_payment(offered, waiting):
    accept(offered)

    with after(offered.offer_expires_at, seconds=30):
        jobs.expire_lapsed_reservations()  # the payments' sweep, as for any checkout

    assert statuses(waiting) == ["expired", "offered", "waiting"]
    assert Payment.objects.get(purchase__waitlist_entry=offered).status == "expired"


def test_the_tickets_job_leaves_an_offer_being_paid_to_its_payment(offered, waiting):
    accept(offered)

    with after(offered.offer_expires_at, seconds=30):
        offers.offer_freed_seats(ticket_type_id=offered.ticket_type_id)

    assert fresh(offered).status == "offered"  # the payment decides (its sweep may still find it paid)


def test_accepting_a_lapsed_offer_before_any_job_is_refused(offered, assert_error):
    with after(offered.offer_expires_at, seconds=1):
        response = client(offered.user).post(f"/api/v1/waitlist/{offered.entry_id}/accept/")

    assert_error(response, 400, "Offer not available", status="expired")


# --- WL3: leaving ----------------------------------------------------------------------------------


def test_leaving_while_waiting(waiting):
    response = client(waiting[1].user).delete(f"/api/v1/waitlist/{waiting[1].entry_id}/")
    again = client(waiting[1].user).delete(f"/api/v1/waitlist/{waiting[1].entry_id}/")

    assert response.json() == {"success": True, "message": "Left the waiting list"}
    assert again.status_code == 200
    assert statuses(waiting) == ["waiting", "cancelled", "waiting"]


def test_leaving_an_offer_passes_its_seats_to_the_next_in_line(offered, waiting):
    response = client(offered.user).delete(f"/api/v1/waitlist/{offered.entry_id}/")

    assert response.status_code == 200
    assert statuses(waiting) == ["cancelled", "offered", "waiting"]
    assert Purchase.objects.get(waitlist_entry=offered).status == "cancelled"


def test_leaving_an_offer_being_paid_cancels_the_payment_first(offered, waiting):
    accept(offered)

    response = client(offered.user).delete(f"/api/v1/waitlist/{offered.entry_id}/")

    assert response.status_code == 200
    assert Payment.objects.get(purchase__waitlist_entry=offered).status == "cancelled"
    assert statuses(waiting) == ["cancelled", "offered", "waiting"]


def test_leaving_an_offer_paid_meanwhile_is_a_conflict(offered, waiting, assert_error):
    payment_ref = accept(offered)["payment_reference"]
    SandboxProvider().record_outcome(payment_ref, "success")

    response = client(offered.user).delete(f"/api/v1/waitlist/{offered.entry_id}/")

    assert_error(response, 409, "Payment already completed")
    assert fresh(offered).status == "accepted"


def test_a_settled_entry_cannot_be_left(offered, pay_in_sandbox, assert_error):
    pay_in_sandbox(accept(offered)["payment_reference"])

    response = client(offered.user).delete(f"/api/v1/waitlist/{offered.entry_id}/")

    assert_error(response, 400, "Cannot leave the waiting list", status="accepted")


def test_cancelling_an_offers_purchase_like_any_purchase_leaves_the_list(offered, waiting):
    purchase = Purchase.objects.get(waitlist_entry=offered)

    response = client(offered.user).post(f"/api/v1/tickets/purchase/{purchase.purchase_id}/cancel/")

    assert response.json()["tickets_released"] == 1
    assert statuses(waiting) == ["cancelled", "offered", "waiting"]


# --- Sales ending -------------------------------------------------------------------------------


def test_entries_are_cancelled_once_the_event_starts(offered, waiting):
    with after(offered.event.starts_at, seconds=1):
        run = waitlist.serve_all_queues()

    assert run.cancelled == 3
    assert statuses(waiting) == ["cancelled", "cancelled", "cancelled"]
    assert Purchase.objects.get(waitlist_entry=offered).status == "cancelled"


def test_cancelling_an_events_waiting_list(offered, waiting, sold_out):
    assert waitlist.cancel_waitlist_for_event(event=sold_out.event) == 3
    assert waitlist.cancel_waitlist_for_event(event=sold_out.event) == 0  # idempotent

    assert statuses(waiting) == ["cancelled", "cancelled", "cancelled"]
    assert not Purchase.objects.filter(waitlist_entry__isnull=False, status="reserved").exists()


def test_cancelling_the_event_cancels_its_waiting_list_in_the_same_run(offered, waiting, sold_out, make_user):
    """Staff cancel the event (issue 16's service): its entries are cancelled, unpaid offers released, and
    nothing freed by the refunds is offered again."""
    from events.models import Event
    from payouts.services import event_cancellation

    event_cancellation.cancel_event(event=Event.objects.get(pk=sold_out.event.pk), reason="The venue flooded.")

    assert statuses(waiting) == ["cancelled", "cancelled", "cancelled"]
    assert Purchase.objects.get(waitlist_entry=offered).status == "cancelled"
    assert not Purchase.objects.filter(waitlist_entry__isnull=False, status="reserved").exists()
    refused = client(make_user()).post(
        f"/api/v1/events/{sold_out.event.slug}/waitlist/", {"ticket_type_id": sold_out.pk}, format="json"
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "Ticket sales closed")
