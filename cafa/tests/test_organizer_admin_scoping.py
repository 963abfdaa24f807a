"""An organizer in /admin/ sees and changes only their own objects; everything else does not exist.

Every registered admin page is checked (the list is read from the admin site, so a page added later is
checked too): another organizer's object, and anything on a staff page, is a 404 on change, delete and
history; the organizer pages list only the organizer's own rows; forged ids in actions, inline rows,
exports, pop-up lookups, autocomplete and "view on site" are 404s as well.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from events.models import Category, TicketType
from payments.tests.fixtures import buy
from payouts.models import EventCancellation, VerificationTransfer, Withdrawal
from tickets.models import PromoCode, Ticket, TicketStatus, WaitlistEntry

pytestmark = pytest.mark.django_db

MODELS = {f"{model._meta.app_label}.{model._meta.model_name}": model for model in admin.site._registry}
REGISTERED = sorted(MODELS)
ORGANIZER_PAGES = {
    "accounts.organizerpaymentprofile",
    "events.organizerevent",
    "tickets.sale",
    "tickets.organizerpromocode",
    "tickets.queueentry",
    "analytics.attendee",
    "analytics.checkinrecord",
    "payouts.organizerwithdrawal",
    "payouts.revenueentry",
}
ACTIONS = [
    ("events.organizerevent", "unpublish"),
    ("analytics.attendee", "check_in"),
    ("payouts.organizerwithdrawal", "cancel"),
    ("accounts.organizerpaymentprofile", "make_default"),
    ("tickets.organizerpromocode", "deactivate"),
    ("tickets.queueentry", "offer_freed_seats"),
]


def admin_url(label: str, suffix: str = "") -> str:
    app_label, model_name = label.split(".")
    return f"/admin/{app_label}/{model_name}/{suffix}"


@pytest.fixture
def mine(make_organizer_world):
    return make_organizer_world(full_name="Ama Mensah")


@pytest.fixture
def theirs(make_organizer_world, mine):
    return make_organizer_world(full_name="Kojo Antwi")


@pytest.fixture
def browser(browser_for, mine):
    return browser_for(mine.organizer)


def their_object(label: str, world):
    """Their row of the page's model, or a row of a staff page's model (one exists for every page)."""
    rows = {
        "accounts.organizerpaymentprofile": world.profile,
        "events.organizerevent": world.event,
        "tickets.sale": world.purchase,
        "tickets.organizerpromocode": world.promo,
        "tickets.queueentry": world.queue_entry,
        "analytics.attendee": world.ticket,
        "analytics.checkinrecord": world.check_in,
        "payouts.organizerwithdrawal": world.withdrawal,
        "payouts.revenueentry": world.ledger_entry,
        "accounts.user": world.organizer,
        "accounts.verificationrequest": world.organizer,
        "accounts.paymentprofile": world.profile,
        "events.event": world.event,
        "tickets.purchase": world.purchase,
        "tickets.promocode": world.promo,
        "tickets.waitlistentry": world.queue_entry,
        "payouts.ledgerentry": world.ledger_entry,
        "payouts.withdrawal": world.withdrawal,
    }
    return rows.get(label) or MODELS[label]._default_manager.order_by("pk").first()


@pytest.fixture
def staff_rows(theirs, buyer, make_event):
    """A row on every staff page that the organizer worlds do not fill."""
    Category.objects.get_or_create(slug="music", defaults={"name": "Music"})
    Group.objects.get_or_create(name="Organizers")
    RefreshToken.for_user(buyer).blacklist()
    AccessAttempt.objects.create(username="kojo", ip_address="10.0.0.1", failures_since_start=1)
    AccessLog.objects.create(username="kojo", ip_address="10.0.0.1")
    AccessFailureLog.objects.create(username="kojo", ip_address="10.0.0.1", locked_out=False)
    VerificationTransfer.objects.create(payment_profile=theirs.profile)
    EventCancellation.objects.create(event=make_event(organizer=theirs.organizer), reason="The venue flooded.")
    buy(buyer, theirs.ticket_type)  # a payment


def test_every_registered_page_is_covered_by_these_tests(browser, staff_rows, theirs):
    """A page registered later gets checked here too: it needs a row to try (and a place in ORGANIZER_PAGES
    when organizers may use it)."""
    assert all(their_object(label, theirs) is not None for label in REGISTERED)
    index = browser.get("/admin/").content.decode()
    reachable = {label for label in REGISTERED if f'href="{admin_url(label)}"' in index}
    assert reachable == ORGANIZER_PAGES


@pytest.mark.parametrize("label", REGISTERED)
def test_another_organizers_object_is_a_404_on_change_delete_and_history(browser, staff_rows, theirs, label):
    obj = their_object(label, theirs)
    for suffix in ("change/", "delete/", "history/"):
        response = browser.get(admin_url(label, f"{obj.pk}/{suffix}"))
        assert response.status_code == 404, (label, suffix, response.status_code)
    assert browser.post(admin_url(label, f"{obj.pk}/change/"), {}).status_code == 404
    assert browser.post(admin_url(label, f"{obj.pk}/delete/"), {"post": "yes"}).status_code == 404
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("label", sorted(set(REGISTERED) - ORGANIZER_PAGES))
def test_staff_pages_do_not_exist_for_an_organizer(browser, mine, label):
    for suffix in ("", "add/", "1/change/"):
        assert browser.get(admin_url(label, suffix)).status_code == 404
    app_label = label.split(".")[0]
    app_page = browser.get(f"/admin/{app_label}/")
    if any(page.startswith(f"{app_label}.") for page in ORGANIZER_PAGES):
        assert app_page.status_code == 200 and f'href="{admin_url(label)}"' not in app_page.content.decode()
    else:
        assert app_page.status_code == 404


def marker(label: str, world) -> str:
    """Text that names the world's row on the page's list."""
    return {
        "accounts.organizerpaymentprofile": world.profile.name,
        "events.organizerevent": world.event.title,
        "tickets.sale": world.purchase.purchase_id,
        "tickets.organizerpromocode": world.promo.code,
        "tickets.queueentry": world.queue_entry.entry_id,
        "analytics.attendee": world.ticket.ticket_id,
        "analytics.checkinrecord": world.ticket.ticket_id,
        "payouts.organizerwithdrawal": world.withdrawal.withdrawal_id,
        "payouts.revenueentry": world.purchase.purchase_id,
    }[label]


@pytest.mark.parametrize("label", sorted(ORGANIZER_PAGES))
def test_organizer_pages_list_and_open_only_the_organizers_own_rows(browser, mine, theirs, label):
    page = browser.get(admin_url(label))
    assert page.status_code == 200
    body = page.content.decode()
    assert marker(label, mine) in body
    assert marker(label, theirs) not in body
    assert theirs.event.title not in body  # not even in a filter's choices
    own = their_object(label, mine)
    assert browser.get(admin_url(label, f"{own.pk}/change/")).status_code == 200
    assert browser.get(admin_url(label, f"{own.pk}/history/")).status_code == 200


@pytest.mark.parametrize("label", sorted(ORGANIZER_PAGES))
def test_a_search_finds_nothing_of_another_organizer(browser, mine, theirs, label):
    body = browser.get(admin_url(label), {"q": marker(label, theirs)}).content.decode()
    assert "0 results" in body


@pytest.mark.parametrize(("label", "action"), ACTIONS)
def test_an_action_on_another_organizers_id_is_a_404_and_changes_nothing(browser, mine, theirs, label, action):
    obj = their_object(label, theirs)
    before = _state(obj)
    response = browser.post(admin_url(label), {"action": action, ACTION_CHECKBOX_NAME: [obj.pk], "index": 0})
    assert response.status_code == 404
    own = their_object(label, mine)
    mixed = browser.post(admin_url(label), {"action": action, ACTION_CHECKBOX_NAME: [own.pk, obj.pk], "index": 0})
    assert mixed.status_code == 404
    assert _state(obj) == before


@pytest.mark.parametrize(("label", "action"), ACTIONS)
def test_an_action_on_a_malformed_id_is_a_404(browser, label, action):
    response = browser.post(admin_url(label), {"action": action, ACTION_CHECKBOX_NAME: ["not-an-id"], "index": 0})
    assert response.status_code == 404


def _state(obj):
    obj.refresh_from_db()
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_a_forged_ticket_type_row_in_the_event_form_is_a_404(browser, mine, theirs):
    own, foreign = mine.ticket_type, theirs.ticket_type
    form = _event_form_data(mine.event, [{"id": foreign.pk, "name": "Hijacked", "price": "1.00", "quantity": "5"}])
    response = browser.post(admin_url("events.organizerevent", f"{mine.event.pk}/change/"), form)
    assert response.status_code == 404
    foreign.refresh_from_db()
    own.refresh_from_db()
    assert foreign.name != "Hijacked" and own.name != "Hijacked"


def _event_form_data(event, ticket_types) -> dict:
    data = {
        "title": event.title,
        "category": event.category_id,
        "short_description": event.short_description,
        "description": event.description,
        "venue_name": event.venue_name,
        "venue_city": event.venue_city,
        "venue_country": event.venue_country,
        "start_date": event.start_date.isoformat(),
        "start_time": event.start_time.strftime("%H:%M"),
        "end_date": event.end_date.isoformat(),
        "end_time": event.end_time.strftime("%H:%M:%S"),
        "recurrence_pattern": "null",
        "check_in_policy": event.check_in_policy,
        "max_attendees": event.max_attendees,
        "is_published": "on",
        "ticket_types-TOTAL_FORMS": len(ticket_types),
        "ticket_types-INITIAL_FORMS": len(ticket_types),
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
    }
    for number, row in enumerate(ticket_types):
        data.update({f"ticket_types-{number}-{key}": value for key, value in row.items()})
        data[f"ticket_types-{number}-event"] = event.pk
    return data


def test_the_csv_export_of_another_organizers_event_is_a_404(browser, mine, theirs):
    assert browser.get(f"/admin/analytics/attendee/export/{theirs.event.pk}/").status_code == 404
    assert browser.get("/admin/analytics/attendee/export/999999/").status_code == 404
    own = browser.get(f"/admin/analytics/attendee/export/{mine.event.pk}/")
    assert own.status_code == 200 and mine.ticket.ticket_id in own.content.decode()


def test_pop_up_lookups_show_only_the_organizers_rows(browser, mine, theirs):
    own_list = browser.get("/admin/accounts/organizerpaymentprofile/", {"_to_field": "id", "_popup": 1})
    assert own_list.status_code == 200
    body = own_list.content.decode()
    assert mine.profile.name in body and theirs.profile.name not in body
    assert browser.get("/admin/accounts/paymentprofile/", {"_to_field": "id", "_popup": 1}).status_code == 404
    assert browser.get("/admin/accounts/user/", {"_to_field": "id", "_popup": 1}).status_code == 404


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"),
    [
        ("events", "organizerevent", "category"),
        ("events", "organizerevent", "payment_profile"),
        ("events", "event", "organizer"),
        ("payouts", "organizerwithdrawal", "payment_profile"),
        ("tickets", "organizerpromocode", "event"),
        ("tickets", "organizerpromocode", "ticket_types"),
        ("tickets", "queueentry", "ticket_type"),
        ("accounts", "paymentprofile", "user"),
    ],
)
def test_autocomplete_answers_an_organizer_nothing(browser, theirs, app_label, model_name, field_name):
    query = {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": "a"}
    assert browser.get("/admin/autocomplete/", query).status_code == 404


def test_view_on_site_cannot_tell_another_organizers_object_from_a_missing_one(browser, theirs):
    content_type = ContentType.objects.get_for_model(theirs.event)
    existing = browser.get(f"/admin/r/{content_type.pk}/{theirs.event.pk}/")
    missing = browser.get(f"/admin/r/{content_type.pk}/999999/")
    assert existing.status_code == missing.status_code == 404
    assert existing.content == missing.content


def test_the_event_form_offers_only_the_organizers_own_payment_profiles(browser, mine, theirs):
    body = browser.get("/admin/events/organizerevent/add/").content.decode()
    assert str(mine.profile.pk) in body and str(theirs.profile.pk) not in body


def test_a_started_event_is_shown_but_cannot_be_changed(browser, mine):
    type(mine.event).objects.filter(pk=mine.event.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), start_date=timezone.localdate() - timedelta(days=1)
    )
    page = browser.get(admin_url("events.organizerevent", f"{mine.event.pk}/change/"))
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    form = _event_form_data(mine.event, [])
    assert browser.post(admin_url("events.organizerevent", f"{mine.event.pk}/change/"), form).status_code == 404


def test_sales_and_tickets_are_read_only(browser, mine):
    sale_page = browser.get(admin_url("tickets.sale", f"{mine.purchase.pk}/change/")).content.decode()
    assert mine.ticket.ticket_id in sale_page  # its tickets, inline
    assert 'name="_save"' not in sale_page
    assert browser.get(admin_url("tickets.sale", "add/")).status_code == 404
    ticket_page = browser.get(admin_url("analytics.attendee", f"{mine.ticket.pk}/change/")).content.decode()
    assert 'name="_save"' not in ticket_page
    assert Ticket.objects.get(pk=mine.ticket.pk).status == TicketStatus.USED


def test_nothing_is_deleted_in_bulk(browser, mine):
    for label in ORGANIZER_PAGES:
        response = browser.post(
            admin_url(label),
            {"action": "delete_selected", ACTION_CHECKBOX_NAME: [their_object(label, mine).pk], "index": 0},
        )
        assert response.status_code in (200, 302)
    assert TicketType.objects.filter(pk=mine.ticket_type.pk).exists()
    assert Withdrawal.objects.filter(pk=mine.withdrawal.pk).exists()
    assert type(mine.profile).objects.filter(pk=mine.profile.pk, deleted_at__isnull=True).exists()
    assert PromoCode.objects.filter(pk=mine.promo.pk).exists()
    assert WaitlistEntry.objects.filter(pk=mine.queue_entry.pk).exists()
