"""The organizer's waiting lists in /admin/: WL5's entries and summary, read-only, and the offer engine's action."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from cafa.api.exceptions import LockTimeout
from payouts.tests.fixtures import lapsed_queue_entry
from tickets import selectors
from tickets.models import Purchase, PurchaseStatus, WaitlistEntry, WaitlistStatus
from tickets.services import offers
from tickets.services.reservations import Attendee, reserve_tickets

pytestmark = pytest.mark.django_db

QUEUES = "/admin/tickets/queueentry/"


@pytest.fixture
def seller(make_admin_organizer):
    """The sellers of make_ticket_type's events, with the admin access verification grants."""
    return make_admin_organizer(full_name="Kofi Boateng")


@pytest.fixture
def browser(browser_for, seller):
    return browser_for(seller)


@pytest.fixture
def queue(make_ticket_type, make_user, join_queue):
    """One seat, held by a public reservation; Ama (1 seat), Kojo (2) and Esi (1) queue for it, in that order."""
    ticket_type = make_ticket_type(quantity=1, max_purchase=4, name="VIP")
    with transaction.atomic():
        ticket_type.hold = reserve_tickets(
            buyer=make_user(),
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=1,
            attendee=Attendee(name="Public Buyer", email="public@example.com"),
        )
    ticket_type.entries = []
    for index, (name, quantity) in enumerate([("Ama Serwaa", 1), ("Kojo Antwi", 2), ("Esi Owusu", 1)]):
        with time_machine.travel(timezone.now() + timedelta(seconds=index), tick=False):
            user = make_user(full_name=name, email=f"{name.split()[0].lower()}@example.com", phone_number="")
            ticket_type.entries.append(join_queue(user, ticket_type, quantity))
    return ticket_type


def lapsed(queue):
    return time_machine.travel(queue.hold.reservation_expires_at + timedelta(seconds=1), tick=False)


def rows(page: str, marker: str = 'class="field-entry_id"') -> list[str]:
    """The result rows of a change list, as text."""
    return [row for row in page.split("<tr")[1:] if marker in row]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_entries_are_listed_in_queue_order_with_their_place_and_contact(browser, queue):
    page = browser.get(QUEUES).content.decode()

    listed = rows(page)
    assert len(listed) == 3
    for row, entry, email in zip(listed, queue.entries, ["ama", "kojo", "esi"], strict=True):
        assert entry.entry_id in row and f"{email}@example.com" in row and "Waiting" in row
    places = [row.split('class="field-position">')[1].split("<")[0] for row in listed]
    assert places == ["1", "2", "3"]
    assert "Ama Serwaa" in listed[0] and "public@example.com" not in page  # queuing people only


def test_the_summary_is_wl5s_for_each_event(browser, queue, make_ticket_type, make_user, join_queue):
    WaitlistEntry.objects.filter(pk=queue.entries[2].pk).update(status=WaitlistStatus.EXPIRED)
    other = make_ticket_type(quantity=1, name="Regular", event_fields={"title": "Another Night"})
    lapsed_queue_entry(other, make_user())

    page = browser.get(QUEUES).content.decode()
    one_event = browser.get(QUEUES, {"event__id__exact": queue.event_id}).content.decode()

    summary = selectors.event_waitlist_summary(queue.event)
    assert summary == {"waiting": 2, "offered": 0, "accepted": 0, "expired": 1, "cancelled": 0, "seats_waiting": 3}
    row = page.split(f'<tr class="event-{queue.event_id}">')[1].split("</tr>")[0]
    for figure in ("waiting", "offered", "accepted", "expired", "cancelled"):
        assert f'<td class="{figure}">{summary[figure]}</td>' in row
    assert '<td class="seats-waiting">3</td>' in row
    assert f'<tr class="event-{other.event_id}">' in page
    assert f'<tr class="event-{other.event_id}">' not in one_event


def test_filters_by_event_ticket_type_and_status(browser, queue, make_ticket_type, make_user):
    other = make_ticket_type(quantity=1, name="Regular", event_fields={"title": "Another Night"})
    elsewhere = lapsed_queue_entry(other, make_user())

    by_type = browser.get(QUEUES, {"ticket_type": other.pk}).content.decode()
    by_event = browser.get(QUEUES, {"event__id__exact": queue.event_id}).content.decode()
    by_status = browser.get(QUEUES, {"status__exact": "expired"}).content.decode()
    page = browser.get(QUEUES).content.decode()

    assert len(rows(by_type)) == 1 and elsewhere.entry_id in by_type
    assert len(rows(by_event)) == 3 and elsewhere.entry_id not in by_event
    assert len(rows(by_status)) == 1 and elsewhere.entry_id in by_status
    assert f"{queue.event.title}: VIP" in page and "Another Night: Regular" in page  # the type filter's choices
    assert browser.get(QUEUES, {"ticket_type": "VIP"}).status_code == 302  # Django's "bad filter" answer


def test_an_entry_is_read_only(browser, queue):
    entry = queue.entries[0]
    page = browser.get(f"{QUEUES}{entry.pk}/change/").content.decode()

    assert entry.entry_id in page and "ama@example.com" in page and 'name="_save"' not in page
    assert browser.get(f"{QUEUES}add/").status_code == 404
    assert browser.post(f"{QUEUES}{entry.pk}/change/", {"quantity": 4}).status_code == 404
    assert browser.post(f"{QUEUES}{entry.pk}/delete/", {"post": "yes"}).status_code == 404
    assert WaitlistEntry.objects.get(pk=entry.pk).quantity == 1


def test_the_action_runs_the_offer_engine_once_per_ticket_type(browser, queue, monkeypatch):
    runs = []
    engine = offers.offer_freed_seats
    monkeypatch.setattr(offers, "offer_freed_seats", lambda **kwargs: runs.append(kwargs) or engine(**kwargs))
    selected = [entry.pk for entry in queue.entries]

    with lapsed(queue):
        response = browser.post(
            QUEUES, {"action": "offer_freed_seats", "_selected_action": selected, "index": 0}, follow=True
        )
        again = browser.post(
            QUEUES, {"action": "offer_freed_seats", "_selected_action": selected, "index": 0}, follow=True
        )
        entry_page = browser.get(f"{QUEUES}{queue.entries[0].pk}/change/").content.decode()

    assert runs == [{"ticket_type_id": queue.pk}] * 2
    title = f"{queue.event.title}: VIP"
    assert f"{title}: 1 offer(s) made (1 seat(s)), 0 lapsed offer(s) expired." in messages_of(response)
    assert f"{title}: 0 offer(s) made (0 seat(s)), 0 lapsed offer(s) expired." in messages_of(again)
    offer = Purchase.objects.get(waitlist_entry=queue.entries[0])
    assert offer.status == PurchaseStatus.RESERVED and offer.purchase_id in entry_page
    statuses = dict(WaitlistEntry.objects.values_list("pk", "status"))
    assert [statuses[entry.pk] for entry in queue.entries] == ["offered", "waiting", "waiting"]


def test_a_busy_ticket_type_is_said_and_nothing_changes(browser, queue, monkeypatch):
    def busy(**kwargs):
        raise LockTimeout()

    monkeypatch.setattr(offers, "offer_freed_seats", busy)
    response = browser.post(
        QUEUES, {"action": "offer_freed_seats", "_selected_action": [queue.entries[0].pk], "index": 0}, follow=True
    )

    assert f"{queue.event.title}: VIP: busy with purchases right now; try again." in messages_of(response)
    assert set(WaitlistEntry.objects.values_list("status", flat=True)) == {"waiting"}


def test_staff_keep_their_page_and_do_not_get_the_organizers(browser_for, make_user, queue):
    staff = browser_for(make_user(is_staff=True, is_superuser=True))

    assert queue.entries[0].entry_id in staff.get("/admin/tickets/waitlistentry/").content.decode()
    assert staff.get(QUEUES).status_code == 403  # Django's answer to staff on a page they may not use
