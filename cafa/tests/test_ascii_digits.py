"""Numbers in paths and query parameters are ASCII digits only (issue 10, item 6).

`str.isdigit()` also holds for "3³" (which `int()` refuses: a 500) and for other scripts' digits such
as "٣" (which `int()` reads as 3: the wrong row). Each place that reads a number from a client is
checked here with both.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.conftest import assert_envelope, image_bytes
from cafa.api.parsing import is_ascii_digits
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

pytestmark = pytest.mark.django_db
SUPERSCRIPT = "3\u00b3"  # "3³": isdigit() is true, int() raises
ARABIC_INDIC_ZERO, FULLWIDTH_ZERO = 0x0660, 0xFF10


def in_script(text, zero: int = ARABIC_INDIC_ZERO) -> str:
    """`text` with its ASCII digits written in another script's: isdigit() holds and int() reads them."""
    return "".join(chr(zero + int(c)) if c in "0123456789" else c for c in str(text))


def arabic(number: int) -> str:
    return in_script(number)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", True),
        ("42", True),
        ("", False),
        (SUPERSCRIPT, False),
        (arabic(3), False),
        (in_script(42, FULLWIDTH_ZERO), False),
        ("-1", False),
    ],
)
def test_only_ascii_digits_count_as_digits(text, expected):
    assert is_ascii_digits(text) is expected


@pytest.mark.parametrize("suffix", ["", "checkin-history/", "analytics/", "attendees/", "attendees/export/"])
def test_an_event_path_with_a_superscript_digit_is_a_404_envelope(organizer_client, make_event, suffix):
    make_event()  # an event exists, so only the lookup can fail

    response = organizer_client.get(f"/api/v1/events/{SUPERSCRIPT}/{suffix}")

    assert_envelope(response, 404)


@pytest.mark.parametrize("suffix", ["", "checkin-history/"])
def test_an_event_id_in_another_script_names_no_event(organizer_client, make_event, suffix):
    event = make_event()
    assert organizer_client.get(f"/api/v1/events/{event.pk}/{suffix}").status_code == 200

    response = organizer_client.get(f"/api/v1/events/{arabic(event.pk)}/{suffix}")

    assert_envelope(response, 404)


@pytest.mark.parametrize("spelling", ["superscript", "arabic"])
def test_the_catalogue_category_filter_reads_ascii_ids_only(api_client, make_event, music, spelling):
    make_event()
    value = SUPERSCRIPT if spelling == "superscript" else arabic(music.pk)
    assert api_client.get("/api/v1/events/", {"category": str(music.pk)}).json()["count"] == 1

    response = api_client.get("/api/v1/events/", {"category": value})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("parameter", ["event", "category"])
@pytest.mark.parametrize("spelling", ["superscript", "arabic"])
def test_my_tickets_filters_read_ascii_ids_only(client_for, make_user, make_event, parameter, spelling):
    buyer = make_user()
    event = make_event()
    purchase = reserve_tickets(
        buyer=buyer,
        event=event,
        ticket_type_id=event.ticket_types.get().pk,
        quantity=1,
        attendee=Attendee(name="Esi Owusu", email="esi@example.com", phone=""),
    )
    issue_tickets(purchase=purchase)
    target = event.pk if parameter == "event" else event.category_id
    client = client_for(buyer)
    assert client.get("/api/v1/tickets/my-tickets/", {parameter: str(target)}).json()["count"] == 1

    value = SUPERSCRIPT if spelling == "superscript" else arabic(target)
    response = client.get("/api/v1/tickets/my-tickets/", {parameter: value})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("spelling", ["superscript", "arabic"])
def test_staff_identity_file_lookup_reads_ascii_ids_only(client_for, make_user, spelling):
    owner = make_user()
    owner.id_document = SimpleUploadedFile("id.png", image_bytes(), content_type="image/png")
    owner.save()
    staff = client_for(make_user(is_staff=True))
    url = "/api/v1/auth/verification/files/id_document/"
    assert staff.get(url, {"user_id": str(owner.pk)}).status_code == 200

    response = staff.get(url, {"user_id": SUPERSCRIPT if spelling == "superscript" else arabic(owner.pk)})

    assert_envelope(response, 404, message="File not found.")


@pytest.mark.parametrize(
    "spelling", [arabic("0241234567"), arabic("+233241234567"), in_script("0241234567", FULLWIDTH_ZERO)]
)
def test_a_phone_number_in_other_digits_is_refused(auth_client, user, spelling):
    response = auth_client.patch("/api/v1/auth/profile/", {"phone_number": spelling})

    body = assert_envelope(response, 400, error="Validation Error")
    assert "phone_number" in body["details"]
    user.refresh_from_db()
    assert user.phone_number is None
