"""The organizer's promo codes in /admin/: PC2-PC4's serializer and services, with PC1's figures.

Creating, editing, deactivating and deleting a code from the admin obeys every rule the API obeys (code
shape and uniqueness, percentage range, a fixed discount at most the lowest price, the event's own
ticket types, a used code's code and discount frozen, `max_uses` never below the uses, a used code
deactivated rather than deleted); a refusal is shown on the form and nothing is saved.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import transaction
from django.db.models import DecimalField, Value
from django.utils import timezone

from tickets.models import PromoCode, Purchase
from tickets.services import promos
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

pytestmark = pytest.mark.django_db

CODES = "/admin/tickets/organizerpromocode/"
TYPES = [
    {"name": "Regular", "price": "50.00", "quantity": 100},
    {"name": "VIP", "price": "200.00", "quantity": 10},
    {"name": "Community", "price": "0", "quantity": 20},
]


@pytest.fixture
def organizer(make_admin_organizer):
    """The shared organizer (make_event's default), with the admin access verification grants."""
    return make_admin_organizer(full_name="Ama Mensah")


@pytest.fixture
def browser(browser_for, organizer):
    return browser_for(organizer)


@pytest.fixture
def event(make_event):
    return make_event(title="Highlife Night", ticket_types=TYPES)


def code_form(event, **fields) -> dict:
    """The add form as a browser posts it: a 10 % code for every type, no limits."""
    data = {
        "event": event.pk,
        "code": "early-bird",
        "discount_type": "percentage",
        "discount_value": "10",
        "max_uses": "",
        "max_uses_per_user": "1",
        "is_active": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def change_form(promo, **fields) -> dict:
    """The change form of a code, as it is shown, with `fields` changed."""
    data = {
        "code": promo.code,
        "discount_type": promo.discount_type,
        "discount_value": str(promo.discount_value),
        "ticket_types": [ticket_type.pk for ticket_type in promo.ticket_types.all()],
        "max_uses": promo.max_uses or "",
        "max_uses_per_user": promo.max_uses_per_user,
        "is_active": "on" if promo.is_active else None,
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def redeem(promo, buyer, *, name="Regular", paid=True):
    ticket_type = promo.event.ticket_types.get(name=name)
    with transaction.atomic():
        purchase = reserve_tickets(
            buyer=buyer,
            event=promo.event,
            ticket_type_id=ticket_type.pk,
            quantity=1,
            attendee=Attendee(name="Esi", email=buyer.email),
            promo_code=promo.code,
        )
        if paid:
            issue_tickets(purchase=purchase)
    return purchase


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Creating: PC2 -------------------------------------------------------------------------------


def test_a_code_is_created_through_the_promo_service(browser, organizer, event, monkeypatch):
    calls = []
    create = promos.create_promo_code
    monkeypatch.setattr(promos, "create_promo_code", lambda **kwargs: calls.append(kwargs) or create(**kwargs))
    vip = event.ticket_types.get(name="VIP")
    until = timezone.localtime() + timedelta(days=3)

    response = browser.post(
        f"{CODES}add/",
        code_form(
            event,
            ticket_types=[vip.pk],
            max_uses="50",
            valid_until_0=until.date().isoformat(),
            valid_until_1=until.strftime("%H:%M:%S"),
        ),
    )

    assert response.status_code == 302, response.content.decode()[-3000:]
    promo = PromoCode.objects.get()
    assert (promo.event, promo.code, promo.discount_type, promo.discount_value) == (
        event,
        "EARLY-BIRD",
        "percentage",
        Decimal("10"),
    )
    assert list(promo.ticket_types.all()) == [vip] and promo.max_uses == 50 and promo.valid_until is not None
    assert len(calls) == 1 and calls[0]["event"] == event
    assert LogEntry.objects.get(object_id=str(promo.pk)).action_flag == ADDITION


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "ab"}, "Use 3 to 32 letters, digits, &#x27;-&#x27; or &#x27;_&#x27;."),
        ({"code": "two words"}, "Use 3 to 32 letters, digits"),
        ({"discount_value": "150"}, "A percentage is between 1 and 100."),
        ({"discount_type": "fixed", "discount_value": "60"}, "at most the lowest ticket price (50.00)"),
        ({"max_uses_per_user": "0"}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_the_apis_rules_refuse_a_new_code_and_nothing_is_saved(browser, event, fields, message):
    response = browser.post(f"{CODES}add/", code_form(event, **fields))

    assert response.status_code == 200 and message in response.content.decode()
    assert not PromoCode.objects.exists()


def test_a_fixed_discount_counts_only_the_types_it_applies_to(browser, event):
    vip = event.ticket_types.get(name="VIP")
    response = browser.post(
        f"{CODES}add/", code_form(event, discount_type="fixed", discount_value="60", ticket_types=[vip.pk])
    )
    assert response.status_code == 302
    assert PromoCode.objects.get().discount_value == Decimal("60")


def test_a_code_is_unique_in_its_event_whatever_its_case(browser, event, make_promo):
    make_promo(event, "EARLY-BIRD")
    response = browser.post(f"{CODES}add/", code_form(event))
    assert "This event already has a promo code with this code." in response.content.decode()
    assert PromoCode.objects.count() == 1


def test_a_code_applies_only_to_its_own_events_ticket_types(browser, organizer, event, make_event, make_organizer):
    other_event = make_event(title="Jazz Night")
    strangers_event = make_event(organizer=make_organizer(), title="Someone Else's Gala")
    mine_elsewhere = other_event.ticket_types.first()

    wrong_event = browser.post(f"{CODES}add/", code_form(event, ticket_types=[mine_elsewhere.pk]))
    strangers_type = browser.post(
        f"{CODES}add/", code_form(event, ticket_types=[strangers_event.ticket_types.first().pk])
    )
    strangers = browser.post(f"{CODES}add/", code_form(strangers_event))

    assert f"Not ticket types of this event: {mine_elsewhere.pk}." in wrong_event.content.decode()
    assert "Select a valid choice" in strangers_type.content.decode()  # as for an id that does not exist
    assert "Select a valid choice" in strangers.content.decode()
    assert not PromoCode.objects.exists()


def test_the_form_offers_only_the_organizers_events_and_types(browser, event, make_event, make_organizer):
    make_event(organizer=make_organizer(), title="Someone Else's Gala")
    page = browser.get(f"{CODES}add/").content.decode()
    assert "Highlife Night: VIP" in page and "Highlife Night" in page
    assert "Someone Else" not in page


# --- The list: PC1's figures -----------------------------------------------------------------------


def test_the_list_shows_uses_and_the_discount_given(browser, event, make_promo, buyer, make_user):
    promo = make_promo(event, "HALF", percent=50, max_uses=10)
    make_promo(event, "UNUSED", fixed="5.00")
    redeem(promo, buyer)  # paid: a use, GHS 25.00 off
    redeem(promo, make_user(), paid=False)  # a live reservation: a use, nothing given yet
    lapsed = redeem(promo, make_user(), paid=False)
    Purchase.objects.filter(pk=lapsed.pk).update(status="expired")  # gave its use back

    page = browser.get(CODES).content.decode()

    assert "HALF" in page and "50 % off" in page and "2 / 10" in page and "25.00" in page
    assert "UNUSED" in page and "GHS 5.00 off each ticket" in page and "0 / unlimited" in page


# --- Editing: PC3 ----------------------------------------------------------------------------------


def test_an_unused_code_is_changed_through_the_update_service(browser, event, make_promo, monkeypatch):
    calls = []
    update = promos.update_promo_code
    monkeypatch.setattr(promos, "update_promo_code", lambda **kwargs: calls.append(kwargs) or update(**kwargs))
    promo = make_promo(event, "SPRING", percent=10)
    regular = event.ticket_types.get(name="Regular")

    response = browser.post(
        f"{CODES}{promo.pk}/change/",
        change_form(promo, code="spring2", discount_type="fixed", discount_value="5", ticket_types=[regular.pk]),
    )

    assert response.status_code == 302
    promo.refresh_from_db()
    assert (promo.code, promo.discount_type, promo.discount_value) == ("SPRING2", "fixed", Decimal("5.00"))
    assert list(promo.ticket_types.all()) == [regular]
    assert len(calls) == 1 and set(calls[0]["data"]) >= {"code", "discount_type", "discount_value"}
    assert LogEntry.objects.get(object_id=str(promo.pk)).action_flag == CHANGE


def test_a_used_codes_code_and_discount_are_shown_but_not_changed(browser, event, make_promo, buyer):
    promo = make_promo(event, "USED", percent=10, max_uses=10)
    redeem(promo, buyer, paid=False)  # a live reservation is a use

    page = browser.get(f"{CODES}{promo.pk}/change/").content.decode()
    response = browser.post(
        f"{CODES}{promo.pk}/change/", change_form(promo, code="RENAMED", discount_value="90", max_uses="20")
    )

    assert 'name="code"' not in page and 'name="discount_value"' not in page and 'name="max_uses"' in page
    assert response.status_code == 302
    promo.refresh_from_db()
    assert (promo.code, promo.discount_value, promo.max_uses) == ("USED", Decimal("10"), 20)


def test_a_code_used_while_the_form_was_open_keeps_its_discount(browser, event, make_promo, buyer):
    promo = make_promo(event, "RUSH", percent=10)
    form = change_form(promo, discount_value="50")
    redeem(promo, buyer)  # between showing the form and saving it

    response = browser.post(f"{CODES}{promo.pk}/change/", form)

    assert response.status_code == 302  # the field is read-only now: the posted value is not taken
    promo.refresh_from_db()
    assert promo.discount_value == Decimal("10")


def test_the_service_refuses_a_pricing_change_of_a_used_code(browser, event, make_promo, buyer, monkeypatch):
    """Redeemed between the page's read and the service's lock: the service's own check answers."""
    promo = make_promo(event, "LATE", percent=10)
    redeem(promo, buyer)
    monkeypatch.setattr("tickets.selectors.with_promo_figures", _as_before_its_first_use)

    response = browser.post(f"{CODES}{promo.pk}/change/", change_form(promo, discount_value="50"))

    assert response.status_code == 200
    assert "Promo code in use: This code has been used 1 time: discount_value can no longer change." in (
        response.content.decode()
    )
    promo.refresh_from_db()
    assert promo.discount_value == Decimal("10")


def _as_before_its_first_use(codes, now=None):
    """The admin's read of a code that nobody had used yet."""
    return codes.annotate(uses=Value(0), discount_total=Value(Decimal("0.00"), output_field=DecimalField()))


def test_max_uses_cannot_drop_below_the_uses_so_far(browser, event, make_promo, buyer, make_user):
    promo = make_promo(event, "POPULAR", percent=10, max_uses=5)
    redeem(promo, buyer)
    redeem(promo, make_user())

    too_low = browser.post(f"{CODES}{promo.pk}/change/", change_form(promo, max_uses="1"))

    assert too_low.status_code == 200 and "The code has already been used 2 times." in too_low.content.decode()
    promo.refresh_from_db()
    assert promo.max_uses == 5


def test_a_change_keeps_to_the_codes_own_event(browser, event, make_event, make_promo):
    promo = make_promo(event, "MINE")
    other = make_event(title="Jazz Night")
    page = browser.get(f"{CODES}{promo.pk}/change/").content.decode()
    response = browser.post(
        f"{CODES}{promo.pk}/change/", change_form(promo, ticket_types=[other.ticket_types.first().pk])
    )

    assert "Jazz Night" not in page and "Highlife Night: VIP" in page
    assert "Select a valid choice" in response.content.decode()
    assert not promo.ticket_types.exists()


# --- Deactivating and deleting: PC4 ----------------------------------------------------------------


def test_the_deactivate_action_goes_through_the_update_service(browser, event, make_promo, buyer):
    used, unused = make_promo(event, "USED"), make_promo(event, "FRESH")
    redeem(used, buyer)

    response = browser.post(
        CODES, {"action": "deactivate", "_selected_action": [used.pk, unused.pk], "index": 0}, follow=True
    )

    assert "2 code(s) deactivated." in messages_of(response)
    assert set(PromoCode.objects.values_list("is_active", flat=True)) == {False}
    assert Purchase.objects.get().discount == Decimal("5.00")  # the purchase keeps its discount


def test_an_unused_code_is_deleted(browser, event, make_promo):
    promo = make_promo(event, "GONE", ticket_types=[event.ticket_types.get(name="VIP")])
    page = browser.get(f"{CODES}{promo.pk}/delete/").content.decode()

    response = browser.post(f"{CODES}{promo.pk}/delete/", {"post": "yes"}, follow=True)

    assert "Are you sure you want to delete" in page
    assert not PromoCode.objects.exists()
    assert any("was deleted successfully" in message for message in messages_of(response))
    assert LogEntry.objects.get(object_id=str(promo.pk)).action_flag == DELETION


def test_a_used_code_is_deactivated_instead_of_deleted(browser, event, make_promo, buyer):
    promo = make_promo(event, "KEEP")
    redeem(promo, buyer)
    page = browser.get(f"{CODES}{promo.pk}/delete/").content.decode()

    response = browser.post(f"{CODES}{promo.pk}/delete/", {"post": "yes"}, follow=True)

    assert "has been used 1 time, so it cannot be deleted: it will be deactivated instead" in page
    assert response.redirect_chain[-1][0] == f"{CODES}{promo.pk}/change/"
    assert "KEEP has been used, so it was deactivated instead of deleted." in messages_of(response)
    assert PromoCode.objects.get().is_active is False
    assert Purchase.objects.get().promo_code == promo
    entry = LogEntry.objects.get(object_id=str(promo.pk))
    assert entry.action_flag == CHANGE and "Deactivated instead of deleted" in entry.change_message


# --- Staff -----------------------------------------------------------------------------------------


def test_staff_keep_their_read_only_page_and_do_not_get_the_organizers(browser_for, make_user, event, make_promo):
    make_promo(event, "STAFFVIEW")
    staff = browser_for(make_user(is_staff=True, is_superuser=True))

    assert "STAFFVIEW" in staff.get("/admin/tickets/promocode/").content.decode()
    assert staff.get(CODES).status_code == 403  # Django's answer to staff on a page they may not use
