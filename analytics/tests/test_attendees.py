"""C2 attendees and their CSV export (CONTRACT.md §8.2), C4 check-in history (§8.4)."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from payments.models import Payment
from tickets.exceptions import CheckInRefused
from tickets.models import Ticket
from tickets.services.checkin import check_in

pytestmark = pytest.mark.django_db


def attendees_url(event, suffix=""):
    return f"/api/v1/events/{event.slug}/attendees/{suffix}"


@pytest.fixture
def gig(make_event, sell, reserve, refund, organizer):
    """Paid, pending, failed, cancelled and refunded tickets; one paid ticket checked in."""
    event = make_event(days=5, ticket_types=[{"name": "Regular", "price": 50}, {"name": "VIP", "price": 150}])
    regular, vip = event.ticket_types.get(name="Regular"), event.ticket_types.get(name="VIP")
    base = timezone.now() - timedelta(hours=5)
    ama = sell(regular, 1, at=base, name="Ama Serwaa", email="ama@example.com", phone="+233241111111")
    kojo = sell(vip, 2, at=base + timedelta(hours=1), name="Kojo Antwi", email="kojo@example.com")
    Payment.objects.create(purchase=kojo, user=kojo.buyer, provider="sandbox", amount=kojo.total, status="completed")
    pending = reserve(regular, 1, name="Pending Person")
    failed = reserve(regular, 1, name="Failed Person")
    Ticket.objects.filter(purchase=failed).update(status="expired")
    cancelled = reserve(regular, 1, name="Cancelled Person")
    Ticket.objects.filter(purchase=cancelled).update(status="cancelled")
    refunded = refund(sell(regular, 1, name="Refunded Person"))
    admitted = kojo.tickets.order_by("id").first()
    check_in(event=event, scanned_value=admitted.ticket_id, scanner=organizer)
    return {
        "event": event,
        "ama": ama,
        "kojo": kojo,
        "admitted": admitted,
        "pending": pending,
        "refunded": refunded,
        "regular": regular,
    }


def names(body):
    return [item["attendee_name"] for item in body["results"]]


def test_paid_attendees_by_default_with_item_shape_and_summary(organizer_client, gig, organizer):
    body = organizer_client.get(attendees_url(gig["event"])).json()

    assert body["count"] == 3 and body["current_page"] == 1 and body["total_pages"] == 1 and body["page_size"] == 20
    assert names(body) == ["Kojo Antwi", "Kojo Antwi", "Ama Serwaa"]  # newest purchase first
    assert body["summary"] == {"total_attendees": 3, "checked_in": 1, "not_checked_in": 2, "check_in_percentage": 33.33}
    admitted = next(item for item in body["results"] if item["ticket_id"] == gig["admitted"].ticket_id)
    vip = gig["kojo"].ticket_type
    assert admitted == {
        "ticket_id": gig["admitted"].ticket_id,
        "attendee_name": "Kojo Antwi",
        "attendee_email": "kojo@example.com",
        "attendee_phone": None,
        "ticket_type": {"id": vip.pk, "name": "VIP", "price": 150.0},
        "purchase_id": gig["kojo"].purchase_id,
        "purchase_date": admitted["purchase_date"],
        "payment_status": "paid",
        "payment_reference": gig["kojo"].payment.reference,
        "amount_paid": 150.0,
        "is_checked_in": True,
        "checked_in_at": admitted["checked_in_at"],
        "check_in_count": 1,
        "checked_in_by": {"id": organizer.pk, "username": organizer.username, "full_name": "Ama Mensah"},
    }
    ama = body["results"][-1]
    assert ama["attendee_phone"] == "+233241111111" and ama["payment_reference"] is None
    assert ama["is_checked_in"] is False and ama["checked_in_by"] is None and ama["checked_in_at"] is None


@pytest.mark.parametrize(
    ("payment_status", "expected"),
    [
        ("pending", ["Pending Person"]),
        ("failed", ["Failed Person"]),
        ("cancelled", ["Cancelled Person"]),
        ("refunded", ["Refunded Person"]),
    ],
)
def test_payment_status_filter(organizer_client, gig, payment_status, expected):
    body = organizer_client.get(attendees_url(gig["event"]), {"payment_status": payment_status}).json()
    assert names(body) == expected
    assert {item["payment_status"] for item in body["results"]} == {payment_status}
    assert body["summary"]["total_attendees"] == 3  # the summary ignores filters


def test_a_lapsed_reservation_is_failed_not_pending(organizer_client, gig):
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        pending = organizer_client.get(attendees_url(gig["event"]), {"payment_status": "pending"}).json()
        failed = organizer_client.get(attendees_url(gig["event"]), {"payment_status": "failed"}).json()
    assert pending["count"] == 0
    assert sorted(names(failed)) == ["Failed Person", "Pending Person"]


def test_all_statuses_and_the_other_filters(organizer_client, gig):
    url = attendees_url(gig["event"])
    assert organizer_client.get(url, {"payment_status": "all"}).json()["count"] == 7
    assert names(organizer_client.get(url, {"check_in_status": "checked_in"}).json()) == ["Kojo Antwi"]
    assert organizer_client.get(url, {"check_in_status": "not_checked_in"}).json()["count"] == 2
    by_type = organizer_client.get(url, {"ticket_type_id": gig["regular"].pk}).json()
    assert names(by_type) == ["Ama Serwaa"]
    for term in ("serwaa", "AMA@EXAMPLE", "241111111", gig["ama"].tickets.get().ticket_id[4:14].lower()):
        assert names(organizer_client.get(url, {"search": term}).json()) == ["Ama Serwaa"], term


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        ("purchase_date", ["Ama Serwaa", "Kojo Antwi", "Kojo Antwi"]),
        ("attendee_name", ["Ama Serwaa", "Kojo Antwi", "Kojo Antwi"]),
        ("-attendee_name", ["Kojo Antwi", "Kojo Antwi", "Ama Serwaa"]),
        ("ticket_type", ["Ama Serwaa", "Kojo Antwi", "Kojo Antwi"]),
        ("-ticket_type", ["Kojo Antwi", "Kojo Antwi", "Ama Serwaa"]),
    ],
)
def test_sorting(organizer_client, gig, sort_by, expected):
    assert names(organizer_client.get(attendees_url(gig["event"]), {"sort_by": sort_by}).json()) == expected


def test_check_in_time_sorting_puts_the_admitted_ticket_first_either_way(organizer_client, gig):
    for sort_by in ("check_in_time", "-check_in_time"):
        body = organizer_client.get(attendees_url(gig["event"]), {"sort_by": sort_by}).json()
        assert body["results"][0]["ticket_id"] == gig["admitted"].ticket_id


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("payment_status", "bogus"),
        ("check_in_status", "maybe"),
        ("ticket_type_id", "abc"),
        ("sort_by", "price"),
    ],
)
def test_malformed_filters_are_400_keyed_by_the_parameter(organizer_client, gig, param, value):
    response = organizer_client.get(attendees_url(gig["event"]), {param: value})
    assert response.status_code == 400
    assert response.json()["error"] == "Validation Error" and param in response.json()["details"]


def test_pagination_defaults_to_20_and_clamps_at_100(organizer_client, make_event, sell):
    event = make_event(ticket_types=[{"quantity": 200, "max_purchase": 10}])
    ticket_type = event.ticket_types.get()
    for _ in range(11):
        sell(ticket_type, 10)

    first = organizer_client.get(attendees_url(event)).json()
    clamped = organizer_client.get(attendees_url(event), {"page_size": 500}).json()
    beyond = organizer_client.get(attendees_url(event), {"page": 9})

    assert first["count"] == 110 and len(first["results"]) == 20 and first["total_pages"] == 6
    assert "payment_status" not in first["next"] and "page=2" in first["next"]
    assert clamped["page_size"] == 100 and len(clamped["results"]) == 100
    assert beyond.status_code == 404 and beyond.json()["message"] == "Invalid page."


def test_csv_export_has_a_header_and_honours_filters(organizer_client, gig):
    response = organizer_client.get(attendees_url(gig["event"], "export/"), {"payment_status": "all"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith(f'attachment; filename="attendees-{gig["event"].slug}-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 7
    admitted = next(row for row in rows if row["ticket_id"] == gig["admitted"].ticket_id)
    assert admitted["attendee_name"] == "Kojo Antwi" and admitted["ticket_type"] == "VIP"
    assert admitted["is_checked_in"] == "yes" and admitted["checked_in_by"] == "Ama Mensah"
    assert admitted["payment_reference"] == gig["kojo"].payment.reference

    paid_only = organizer_client.get(attendees_url(gig["event"], "export/"), {"check_in_status": "checked_in"})
    assert len(list(csv.DictReader(io.StringIO(paid_only.content.decode())))) == 1


def test_csv_export_neutralises_spreadsheet_formulas(organizer_client, make_event, sell):
    event = make_event()
    sell(event.ticket_types.get(), name='=HYPERLINK("http://evil")', phone="+233241111111")

    rows = list(csv.DictReader(io.StringIO(organizer_client.get(attendees_url(event, "export/")).content.decode())))

    assert rows[0]["attendee_name"].startswith("'=")
    assert rows[0]["attendee_phone"] == "+233241111111"


@pytest.mark.parametrize("name", ["-1²", "+٣"])
def test_csv_export_reads_only_ascii_digits_as_a_number(organizer_client, make_event, sell, name):
    event = make_event()
    sell(event.ticket_types.get(), name=name)

    rows = list(csv.DictReader(io.StringIO(organizer_client.get(attendees_url(event, "export/")).content.decode())))

    assert rows[0]["attendee_name"] == "'" + name


def test_check_in_history_is_a_bare_array_of_admissions_newest_first(organizer_client, gig, organizer):
    other = gig["kojo"].tickets.order_by("id").last()
    check_in(event=gig["event"], scanned_value=other.ticket_id, scanner=organizer)

    body = organizer_client.get(f"/api/v1/events/{gig['event'].slug}/checkin-history/").json()

    assert isinstance(body, list)
    assert [entry["ticket_id"] for entry in body] == [other.ticket_id, gig["admitted"].ticket_id]
    assert body[0] == {
        "ticket_id": other.ticket_id,
        "attendee_name": "Kojo Antwi",
        "attendee_email": "kojo@example.com",
        "ticket_type": {"id": other.ticket_type_id, "name": "VIP", "price": 150.0},
        "checked_in_at": body[0]["checked_in_at"],
        "checked_in_by": {"id": organizer.pk, "username": organizer.username, "full_name": "Ama Mensah"},
    }


def test_check_in_history_keeps_the_last_50_and_skips_refusals(organizer_client, make_event, sell, organizer):
    event = make_event(check_in_policy="multiple_entry")
    ticket = sell(event.ticket_types.get()).tickets.get()
    for _ in range(52):
        check_in(event=event, scanned_value=ticket.ticket_id, scanner=organizer)
    with pytest.raises(CheckInRefused):  # a refusal never appears in the history
        check_in(event=event, scanned_value="TKT-NOPE", scanner=organizer)

    body = organizer_client.get(f"/api/v1/events/{event.slug}/checkin-history/").json()

    assert len(body) == 50


def test_check_in_history_is_empty_without_admissions(organizer_client, make_event):
    assert organizer_client.get(f"/api/v1/events/{make_event().slug}/checkin-history/").json() == []


# --- `manage.py export_attendees`: the same CSV for operators ---------------------------------------


def test_the_export_command_writes_the_same_csv_as_the_api_export(organizer_client, gig, tmp_path):
    event = gig["event"]
    api = organizer_client.get(attendees_url(event, "export/"), {"payment_status": "all"})
    target, out = tmp_path / "attendees.csv", io.StringIO()

    call_command(
        "export_attendees", event.slug, "--payment-status", "all", "--output", str(target), stdout=out, stderr=out
    )

    assert target.read_bytes() == api.content
    assert out.getvalue().strip() == f"attendees: 7 rows of event {event.pk} ({event.slug}) written to {target}"


def test_the_export_command_writes_to_stdout_with_the_default_filters(organizer_client, gig):
    event = gig["event"]
    api = organizer_client.get(attendees_url(event, "export/"), {"check_in_status": "checked_in"})
    out, err = io.StringIO(), io.StringIO()
    call_command("export_attendees", str(event.pk), "--check-in-status", "checked_in", stdout=out, stderr=err)
    assert out.getvalue().replace("\n", "") == api.content.decode().replace("\n", "")
    assert err.getvalue().strip().startswith("attendees: 1 rows")


def test_the_export_command_refuses_bad_arguments_clearly(gig, tmp_path):
    event = gig["event"]
    with pytest.raises(CommandError, match="No event with id or slug 'nope'"):
        call_command("export_attendees", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"--payment-status: .*not a valid choice"):
        call_command("export_attendees", event.slug, "--payment-status", "owed", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_attendees", event.slug, "--output", str(tmp_path / "no" / "x.csv"), stdout=io.StringIO())
