"""The organizer's events in /admin/: the API's validation and the events services, nothing else.

Creating, editing, publishing and deleting an event, its ticket types and its images from the admin
obeys every rule O1-O3 and O6-O8 obey; a refusal is shown on the form with the input kept, and
nothing is saved.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events import services
from events.models import Event, EventImage, TicketType
from events.tests.fixtures import image_bytes
from tickets.models import Purchase
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

pytestmark = pytest.mark.django_db

EVENTS = "/admin/events/organizerevent/"


@pytest.fixture
def organizer(make_admin_organizer):
    """The shared organizer, with the admin access verification grants."""
    return make_admin_organizer(full_name="Ama Mensah")


@pytest.fixture
def browser(browser_for, organizer):
    return browser_for(organizer)


def upload(name="poster.png"):
    return SimpleUploadedFile(name, image_bytes(), content_type="image/png")


def new_event_form(music, *, ticket_types=None, images=(), **fields) -> dict:
    ticket_types = ticket_types or [
        {"name": "Regular", "price": "0", "quantity": "100"},
        {"name": "VIP", "price": "0", "quantity": "50"},
    ]
    data = {
        "title": "Highlife Under The Stars",
        "category": music.pk,
        "short_description": "An open-air highlife concert with Accra's finest bands.",
        "description": "Bring a blanket and your dancing shoes: three bands, one long night of highlife music. " * 2,
        "featured_image": upload(),
        "venue_name": "Independence Square",
        "venue_city": "Accra",
        "venue_country": "Ghana",
        "start_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "start_time": "18:30",
        "recurrence_pattern": "null",
        "check_in_policy": "single_entry",
        "max_attendees": "300",
        "is_published": "on",
        "ticket_types-TOTAL_FORMS": len(ticket_types),
        "ticket_types-INITIAL_FORMS": 0,
        "images-TOTAL_FORMS": len(images),
        "images-INITIAL_FORMS": 0,
    }
    for number, row in enumerate(ticket_types):
        data.update({f"ticket_types-{number}-{key}": value for key, value in row.items()})
    for number, image in enumerate(images):
        data[f"images-{number}-image"] = image
    data.update(fields)
    return data


def edit_form(event, *, ticket_types=None, new_ticket_types=(), images=(), new_images=(), **fields) -> dict:
    """The change form as the browser posts it back: every field, every existing row, plus changes."""
    event.refresh_from_db()
    rows = ticket_types if ticket_types is not None else [{} for _ in event.ticket_types.order_by("price", "id")]
    existing = list(event.ticket_types.order_by("price", "id"))
    data = {
        "title": event.title,
        "category": event.category_id,
        "short_description": event.short_description,
        "description": event.description,
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "venue_city": event.venue_city,
        "venue_country": event.venue_country,
        "start_date": event.start_date.isoformat(),
        "start_time": event.start_time.strftime("%H:%M:%S"),
        "end_date": event.end_date.isoformat(),
        "end_time": event.end_time.strftime("%H:%M:%S"),
        "recurrence_pattern": "null",
        "check_in_policy": event.check_in_policy,
        "max_attendees": event.max_attendees,
        "payment_profile": event.payment_profile_id or "",
        "ticket_types-TOTAL_FORMS": len(existing) + len(new_ticket_types),
        "ticket_types-INITIAL_FORMS": len(existing),
        "images-TOTAL_FORMS": len(images) + len(new_images),
        "images-INITIAL_FORMS": len(images),
    }
    if event.is_published:
        data["is_published"] = "on"
    for number, (ticket_type, changes) in enumerate(zip(existing, rows, strict=True)):
        row = {
            "id": ticket_type.pk,
            "event": event.pk,
            "name": ticket_type.name,
            "description": ticket_type.description,
            "price": ticket_type.price,
            "quantity": ticket_type.quantity,
            "min_purchase": ticket_type.min_purchase,
            "max_purchase": ticket_type.max_purchase,
            "available_from_0": "",
            "available_from_1": "",
            "available_until_0": "",
            "available_until_1": "",
            **changes,
        }
        data.update({f"ticket_types-{number}-{key}": value for key, value in row.items()})
    for number, row in enumerate(new_ticket_types, start=len(existing)):
        data.update({f"ticket_types-{number}-{key}": value for key, value in row.items()})
    for number, (image, delete) in enumerate(images):
        data.update({f"images-{number}-id": image.pk, f"images-{number}-event": event.pk})
        if delete:
            data[f"images-{number}-DELETE"] = "on"
    for number, image in enumerate(new_images, start=len(images)):
        data[f"images-{number}-image"] = image
    data.update(fields)
    return data


def form_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def sell(event, quantity=1):
    with_stock = event.ticket_types.order_by("price", "id").first()
    from django.db import transaction

    with transaction.atomic():
        purchase = reserve_tickets(
            buyer=event.organizer,
            event=event,
            ticket_type_id=with_stock.pk,
            quantity=quantity,
            attendee=Attendee(name="Esi Owusu", email="esi@example.com", phone=""),
        )
        issue_tickets(purchase=purchase)
    return Purchase.objects.get(pk=purchase.pk)


# --- Creating -----------------------------------------------------------------------------------


def test_an_event_is_created_with_its_ticket_types_and_images(browser, organizer, music):
    response = browser.post(f"{EVENTS}add/", new_event_form(music, images=[upload("a.jpg")]))

    assert response.status_code == 302
    event = Event.objects.get(organizer=organizer)
    assert event.title == "Highlife Under The Stars"
    assert event.slug == "highlife-under-the-stars"
    assert event.checkin_public_key and event.checkin_private_key  # made by the service's Event.save
    assert sorted(event.ticket_types.values_list("name", "max_purchase")) == [("Regular", 10), ("VIP", 10)]
    assert event.featured_image.name.startswith("events/") and event.featured_image.name.endswith(".png")
    [image] = event.images.all()
    assert image.image.name.endswith(".png")  # re-encoded by cafa/images.py, named by its real format
    assert LogEntry.objects.filter(object_id=str(event.pk), user=organizer).exists()
    assert response["Location"] == EVENTS


def test_a_second_event_with_the_same_title_gets_the_services_next_slug(browser, organizer, music, make_event):
    make_event(title="Highlife Under The Stars", slug="highlife-under-the-stars")
    browser.post(f"{EVENTS}add/", new_event_form(music))
    assert Event.objects.filter(organizer=organizer, slug="highlife-under-the-stars-2").exists()


def test_creation_goes_through_the_event_service(browser, organizer, music, monkeypatch):
    calls = []
    create_event = services.create_event
    monkeypatch.setattr(services, "create_event", lambda **kwargs: calls.append(kwargs) or create_event(**kwargs))

    browser.post(f"{EVENTS}add/", new_event_form(music))

    assert len(calls) == 1 and calls[0]["organizer"] == organizer
    assert [item["name"] for item in calls[0]["data"]["ticket_types"]] == ["Regular", "VIP"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ticket_types": [{"name": "Regular", "price": "0.50", "quantity": "10"}]}, "at least 1.00"),
        (
            {
                "ticket_types": [
                    {"name": "A", "price": "0", "quantity": "200"},
                    {"name": "a", "price": "0", "quantity": "1"},
                ]
            },
            "names must be unique",
        ),
        ({"ticket_types": [{"name": "Crowd", "price": "0", "quantity": "301"}]}, "exceeds max_attendees (300)"),
        ({"start_date": (timezone.localdate() - timedelta(days=1)).isoformat()}, "Start date cannot be in the past."),
        ({"title": "Gig"}, "Ensure this field has at least 5 characters."),
        ({"featured_image": ""}, "A featured image is required."),
        ({"ticket_types": [{"name": "Regular", "price": "50", "quantity": "10"}]}, "verified payment profile"),
        ({"end_date": (timezone.localdate() + timedelta(days=9)).isoformat()}, "The event must end after it starts."),
    ],
)
def test_the_apis_rules_refuse_a_new_event_and_nothing_is_saved(browser, organizer, music, change, message):
    form = new_event_form(music, ticket_types=change.pop("ticket_types", None), **change)

    page = form_errors(browser.post(f"{EVENTS}add/", form))

    assert message in page
    assert not Event.objects.exists() and not TicketType.objects.exists() and not EventImage.objects.exists()
    assert "Highlife Under The Stars" in page or change.get("title")  # the input is kept


def test_a_paid_ticket_type_with_a_verified_profile_is_accepted(browser, organizer, music, make_profile):
    profile = make_profile(organizer, is_default=True)
    form = new_event_form(
        music, ticket_types=[{"name": "Regular", "price": "50", "quantity": "10"}], payment_profile=profile.pk
    )
    assert browser.post(f"{EVENTS}add/", form).status_code == 302
    assert Event.objects.get().payment_profile == profile


def test_a_file_that_is_not_an_image_is_refused(browser, music):
    fake = SimpleUploadedFile("poster.png", b"<?php echo 1; ?>", content_type="image/png")
    page = form_errors(browser.post(f"{EVENTS}add/", new_event_form(music, featured_image=fake)))
    assert "Upload a valid image" in page
    assert not Event.objects.exists()


# --- Editing ------------------------------------------------------------------------------------


@pytest.fixture
def event(make_event, organizer):
    return make_event(organizer=organizer, title="Accra Jazz Night", max_attendees=200, ticket_types=[{"price": "0"}])


def test_an_edit_goes_through_the_update_service_and_keeps_the_slug(browser, event):
    response = browser.post(f"{EVENTS}{event.pk}/change/", edit_form(event, title="Accra Jazz Night, Live"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Accra Jazz Night, Live" and event.slug.startswith("accra-jazz-night")


def test_max_attendees_below_the_tickets_on_offer_is_refused_with_the_input_kept(browser, event):
    page = form_errors(
        browser.post(f"{EVENTS}{event.pk}/change/", edit_form(event, max_attendees=50, title="New Name"))
    )
    assert "max_attendees cannot be lower than the tickets on offer (100)" in page
    assert 'value="New Name"' in page
    event.refresh_from_db()
    assert event.max_attendees == 200 and event.title == "Accra Jazz Night"


def test_a_ticket_type_is_added_changed_and_deleted_through_the_ticket_type_services(browser, event):
    regular = event.ticket_types.get()
    form = edit_form(event, new_ticket_types=[{"name": "Student", "price": "0", "quantity": "40"}])
    assert browser.post(f"{EVENTS}{event.pk}/change/", form).status_code == 302
    student = event.ticket_types.get(name="Student")
    assert student.max_purchase == 10 and student.available_until == event.starts_at  # O6 defaults

    form = edit_form(event, ticket_types=[{"quantity": "60"}, {}])
    assert browser.post(f"{EVENTS}{event.pk}/change/", form).status_code == 302
    regular.refresh_from_db()
    assert regular.quantity == 60

    form = edit_form(event, ticket_types=[{}, {"DELETE": "on"}])
    assert browser.post(f"{EVENTS}{event.pk}/change/", form).status_code == 302
    assert list(event.ticket_types.values_list("name", flat=True)) == ["Regular 1"]


@pytest.mark.parametrize(
    ("rows", "new", "message"),
    [
        ([{"quantity": "0"}], [], "Ensure this value is greater than or equal to 1."),
        ([{}], [{"name": "Crowd", "price": "0", "quantity": "150"}], "Capacity exceeded"),
        ([{}], [{"name": "regular 1", "price": "0", "quantity": "1"}], "already exists for this event"),
        ([{"DELETE": "on"}], [], "An event needs at least one ticket type."),
        ([{}], [{"name": "Paid", "price": "20", "quantity": "1"}], "Payment profile required"),
    ],
)
def test_ticket_type_rules_refuse_and_nothing_changes(browser, event, rows, new, message):
    page = form_errors(
        browser.post(f"{EVENTS}{event.pk}/change/", edit_form(event, ticket_types=rows, new_ticket_types=new))
    )
    assert message in page
    assert list(event.ticket_types.values_list("name", "quantity")) == [("Regular 1", 100)]


def test_sold_tickets_keep_their_ticket_type(browser, event):
    sell(event, 3)
    form = edit_form(event, ticket_types=[{"quantity": "2"}])
    assert "Invalid quantity" in form_errors(browser.post(f"{EVENTS}{event.pk}/change/", form))
    assert event.ticket_types.get().quantity == 100


def test_images_are_added_and_removed_through_the_update_service(browser, event):
    form = edit_form(event, new_images=[upload("one.png"), upload("two.png")])
    assert browser.post(f"{EVENTS}{event.pk}/change/", form).status_code == 302
    first, second = event.images.order_by("position")
    assert (first.position, second.position) == (0, 1)

    form = edit_form(event, images=[(first, True), (second, False)])
    assert browser.post(f"{EVENTS}{event.pk}/change/", form).status_code == 302
    assert list(event.images.all()) == [second]


# --- Publishing and deleting --------------------------------------------------------------------


def test_publish_and_unpublish_actions(browser, event, make_event, organizer):
    hidden = make_event(organizer=organizer, is_published=False)
    action = {"_selected_action": [event.pk, hidden.pk], "index": 0}

    browser.post(EVENTS, {"action": "unpublish", **action})
    assert not Event.objects.filter(pk__in=[event.pk, hidden.pk], is_published=True).exists()
    browser.post(EVENTS, {"action": "publish", **action})
    assert Event.objects.filter(pk__in=[event.pk, hidden.pk], is_published=True).count() == 2


def test_a_started_event_is_not_unpublished(browser, event):
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    response = browser.post(EVENTS, {"action": "unpublish", "_selected_action": [event.pk], "index": 0}, follow=True)
    assert "already started" in response.content.decode()
    assert Event.objects.get(pk=event.pk).is_published


def test_an_event_without_sales_is_deleted(browser, event):
    response = browser.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()


def test_an_event_with_sales_is_not_deleted(browser, event):
    sell(event)
    response = browser.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}, follow=True)
    assert Event.objects.filter(pk=event.pk).exists()
    assert "Cannot delete event" in response.content.decode()


def test_a_started_event_is_not_deleted(browser, event):
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    response = browser.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}, follow=True)
    assert Event.objects.filter(pk=event.pk).exists()
    assert "This event has already started and can no longer be deleted." in response.content.decode()
