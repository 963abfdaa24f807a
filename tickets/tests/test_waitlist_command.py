"""`manage.py waitlist show|offer` and the staff admin of promo codes and waiting lists."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from tickets.models import PromoCode, Purchase, WaitlistEntry
from tickets.services.reservations import Attendee, reserve_tickets

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("waitlist", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def queue(make_ticket_type, make_user, join_queue):
    """One seat held by a public reservation, and two people queuing for it (1 then 2 seats)."""
    ticket_type = make_ticket_type(quantity=1, max_purchase=4)
    with transaction.atomic():
        ticket_type.hold = reserve_tickets(
            buyer=make_user(),
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=1,
            attendee=Attendee(name="Esi", email="esi@example.com"),
        )
    ticket_type.entries = [join_queue(make_user(), ticket_type, quantity) for quantity in (1, 2)]
    return ticket_type


def lapsed(queue):
    return time_machine.travel(queue.hold.reservation_expires_at + timedelta(seconds=1), tick=False)


def test_show_prints_the_stock_and_the_queue_in_order(queue):
    output = run("show", str(queue.pk))

    lines = output.splitlines()
    assert "1 seats, 1 sold or held, 0 free; 2 waiting (3 seats), 0 offered" in lines[0]
    assert lines[1].strip().startswith(f"1. {queue.entries[0].entry_id}  waiting  1 seat(s)")
    assert lines[2].strip().startswith(f"2. {queue.entries[1].entry_id}  waiting  2 seat(s)")


def test_offer_runs_the_engine_once(queue):
    with lapsed(queue):
        first = run("offer", str(queue.pk))
        second = run("offer", str(queue.pk))
        shown = run("show", str(queue.pk))

    assert first.strip() == f"ticket type {queue.pk}: 1 offers were made (1 seats), 0 lapsed offers were expired"
    assert second.startswith(f"ticket type {queue.pk}: 0 offers were made")
    offer = Purchase.objects.get(waitlist_entry=queue.entries[0])
    assert "offered  1 seat(s)" in shown and f"held by {offer.purchase_id}" in shown


def test_a_dry_run_changes_nothing(queue):
    with lapsed(queue):
        output = run("offer", str(queue.pk), "--dry-run")

    assert "1 offers would be made (1 seats)" in output and "dry run" in output
    assert set(WaitlistEntry.objects.values_list("status", flat=True)) == {"waiting"}
    assert Purchase.objects.count() == 1


def test_offer_all_serves_every_queue_and_closes_ended_ones(queue, make_ticket_type, make_user, join_queue):
    soon = make_ticket_type(quantity=1, days=1)
    with transaction.atomic():
        reserve_tickets(
            buyer=make_user(),
            event=soon.event,
            ticket_type_id=soon.pk,
            quantity=1,
            attendee=Attendee(name="Yaw", email="yaw@example.com"),
        )
    ended = join_queue(make_user(), soon)

    with time_machine.travel(soon.event.starts_at + timedelta(minutes=1), tick=False):  # queue's hold lapsed too
        dry = run("offer", "--all", "--dry-run")
        assert set(WaitlistEntry.objects.values_list("status", flat=True)) == {"waiting"}
        output = run("offer", "--all")

    assert "1 offers made (1 seats)" in dry
    assert "1 entries cancelled (sales over)" in dry and dry.rstrip().endswith("(dry run: nothing changed)")
    assert output.startswith("waiting list: 1 ticket types served, 1 offers made (1 seats)")
    assert WaitlistEntry.objects.get(pk=queue.entries[0].pk).status == "offered"
    assert WaitlistEntry.objects.get(pk=ended.pk).status == "cancelled"


def test_unknown_types_and_bad_arguments_fail(queue):
    with pytest.raises(CommandError, match="No ticket type with id 999999"):
        run("show", "999999")
    with pytest.raises(CommandError, match="not both"):
        run("offer", str(queue.pk), "--all")
    with pytest.raises(CommandError, match="not both"):
        run("offer")


def test_staff_see_promo_codes_with_their_uses_and_can_deactivate_them(admin_client, make_event, make_promo):
    promo = make_promo(make_event(), "STAFF")

    page = admin_client.get("/admin/tickets/promocode/")
    action = admin_client.post(
        "/admin/tickets/promocode/", {"action": "deactivate", "_selected_action": [promo.pk]}, follow=True
    )

    assert page.status_code == 200 and b"STAFF" in page.content
    assert action.status_code == 200 and PromoCode.objects.get().is_active is False
    assert admin_client.get(f"/admin/tickets/promocode/{promo.pk}/change/").status_code == 200
    assert admin_client.get("/admin/tickets/promocode/add/").status_code == 403  # written through the service


def test_staff_see_the_queues_and_can_run_the_engine(admin_client, queue):
    page = admin_client.get("/admin/tickets/waitlistentry/")
    detail = admin_client.get(f"/admin/tickets/waitlistentry/{queue.entries[0].pk}/change/")
    with lapsed(queue):
        admin_client.post(
            "/admin/tickets/waitlistentry/",
            {"action": "offer_freed_seats", "_selected_action": [queue.entries[0].pk]},
            follow=True,
        )

    assert page.status_code == 200 and queue.entries[0].entry_id.encode() in page.content
    assert detail.status_code == 200
    assert WaitlistEntry.objects.get(pk=queue.entries[0].pk).status == "offered"
