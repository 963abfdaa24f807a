"""The organizer's attendees, check-in, CSV export, check-in log and dashboard in /admin/."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from analytics.charts import sales_chart
from analytics.selectors.organizer_dashboard import SalesDay, organizer_dashboard
from tickets.models import CheckIn, CheckInOutcome, Ticket, TicketStatus

pytestmark = pytest.mark.django_db

ATTENDEES = "/admin/analytics/attendee/"
CHECK_INS = "/admin/analytics/checkinrecord/"


@pytest.fixture
def organizer(make_admin_organizer):
    return make_admin_organizer(full_name="Ama Mensah")


@pytest.fixture
def browser(browser_for, organizer):
    return browser_for(organizer)


@pytest.fixture
def gig(make_event):
    return make_event(title="Accra Jazz Night", ticket_types=[{"name": "Regular", "price": "50.00"}])


@pytest.fixture
def crowd(gig, sell, reserve):
    """Kofi (2 tickets) and Efua (1) paid; Yaw only reserved."""
    regular = gig.ticket_types.get()
    kofi = sell(regular, 2, name="Kofi Mensah", email="kofi@example.com", phone="+233241111111")
    efua = sell(regular, 1, name="Efua Asante", email="efua@example.com")
    reserve(regular, 1, name="Yaw Boateng", email="yaw@example.com")
    return {"kofi": list(kofi.tickets.order_by("pk")), "efua": efua.tickets.get()}


def listed(browser, **query) -> str:
    response = browser.get(ATTENDEES, query)
    assert response.status_code == 200
    return response.content.decode()


# --- Attendees -----------------------------------------------------------------------------------


def test_attendees_are_the_paid_tickets_unless_asked_otherwise(browser, crowd):
    page = listed(browser)
    assert "Kofi Mensah" in page and "Efua Asante" in page and "Yaw Boateng" not in page
    pending = listed(browser, payment_status="pending")
    assert "Yaw Boateng" in pending and "Kofi Mensah" not in pending
    assert "Yaw Boateng" in listed(browser, payment_status="all")


def test_attendees_are_searched_by_name_email_phone_and_ticket_id(browser, crowd):
    assert "Efua Asante" not in listed(browser, q="kofi@example")
    assert "Kofi Mensah" in listed(browser, q="241111111")
    assert "Efua Asante" in listed(browser, q=crowd["efua"].ticket_id)


def test_an_unknown_payment_status_is_refused_not_a_crash(browser, crowd):
    response = browser.get(ATTENDEES, {"payment_status": "maybe"})
    assert response.status_code == 302 and "e=1" in response["Location"]  # Django's "bad filter" answer


def test_the_check_in_action_admits_through_the_door_service(browser, organizer, crowd):
    first, second = crowd["kofi"]
    response = browser.post(ATTENDEES, {"action": "check_in", "_selected_action": [first.pk], "index": 0}, follow=True)

    assert "1 attendee(s) checked in." in response.content.decode()
    first.refresh_from_db()
    assert first.status == TicketStatus.USED and first.checked_in_by == organizer and first.check_in_count == 1
    assert CheckIn.objects.get(ticket=first).outcome == CheckInOutcome.ADMITTED
    assert "Kofi Mensah" in listed(browser, check_in_status="checked_in")
    assert second.ticket_id not in listed(browser, check_in_status="checked_in")


def test_the_door_rules_apply_to_the_check_in_action(browser, crowd, refund):
    first, _ = crowd["kofi"]
    browser.post(ATTENDEES, {"action": "check_in", "_selected_action": [first.pk], "index": 0})
    again = browser.post(ATTENDEES, {"action": "check_in", "_selected_action": [first.pk], "index": 0}, follow=True)

    assert "Already checked in" in again.content.decode()
    assert Ticket.objects.get(pk=first.pk).check_in_count == 1
    refused = CheckIn.objects.filter(ticket=first, outcome=CheckInOutcome.REFUSED).get()
    assert refused.reason == "Already checked in"


def test_the_csv_export_is_the_apis_export(browser, organizer_client, gig, crowd):
    admin_csv = browser.get(f"/admin/analytics/attendee/export/{gig.pk}/", {"payment_status": "all"})
    api_csv = organizer_client.get(f"/api/v1/events/{gig.slug}/attendees/export/", {"payment_status": "all"})

    assert admin_csv.status_code == 200 and admin_csv["Content-Type"] == api_csv["Content-Type"]
    assert admin_csv.content == api_csv.content
    rows = list(csv.DictReader(io.StringIO(admin_csv.content.decode())))
    assert {row["attendee_name"] for row in rows} == {"Kofi Mensah", "Efua Asante", "Yaw Boateng"}


def test_the_attendees_page_links_the_export_of_the_event_it_shows(browser, gig, crowd):
    page = listed(browser, event__id__exact=gig.pk, check_in_status="not_checked_in", q="kofi")
    link = f"/admin/analytics/attendee/export/{gig.pk}/?check_in_status=not_checked_in&amp;search=kofi"
    assert link in page
    assert "Filter by an event to export" in listed(browser)


def test_a_bad_export_filter_is_a_400(browser, gig):
    assert browser.get(f"/admin/analytics/attendee/export/{gig.pk}/", {"payment_status": "maybe"}).status_code == 400


# --- The check-in log ---------------------------------------------------------------------------


def test_the_check_in_log_shows_admissions_and_refusals(browser, crowd):
    first, _ = crowd["kofi"]
    for _ in range(2):
        browser.post(ATTENDEES, {"action": "check_in", "_selected_action": [first.pk], "index": 0})
    page = browser.get(CHECK_INS).content.decode()
    assert page.count(first.ticket_id) >= 2
    assert "admitted" in page and "Already checked in" in page
    assert "refused" in browser.get(CHECK_INS, {"outcome__exact": "refused"}).content.decode()


# --- The dashboard ------------------------------------------------------------------------------

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def season(make_event, sell, make_organizer):
    """At NOW: a gig in 5 days with sales on two days (one checked in), a past gig and a stranger's gig."""
    with time_machine.travel(NOW, tick=False):
        gig = make_event(title="Accra Jazz Night", days=5, ticket_types=[{"name": "Regular", "price": "50.00"}])
        make_event(title="Old Gig", days=-30)
        make_event(title="Called-Off Gig", days=7, cancelled_at=NOW)
        make_event(title="Someone Else's Gig", organizer=make_organizer())
    regular = gig.ticket_types.get()
    sell(regular, 2, at=NOW - timedelta(days=3))
    sold = sell(regular, 1, at=NOW - timedelta(days=1))
    Ticket.objects.filter(purchase=sold).update(status="used", checked_in_at=NOW - timedelta(hours=1))
    return gig


def test_the_dashboard_shows_each_upcoming_events_sales_revenue_check_ins_and_chart(browser, season):
    with time_machine.travel(NOW, tick=False):
        page = browser.get("/admin/").content.decode()

    dashboard = page[page.index('id="organizer-dashboard"') :]
    assert "Accra Jazz Night" in dashboard
    assert "Old Gig" not in dashboard and "Someone Else&#x27;s Gig" not in dashboard
    assert "Called-Off Gig" not in dashboard
    assert '<dd class="tickets-sold">3 / 100</dd>' in dashboard
    assert '<dd class="gross-revenue">GHS 150.00</dd>' in dashboard
    assert '<dd class="net-revenue">GHS 142.50</dd>' in dashboard
    assert '<dd class="checked-in">1 / 3</dd>' in dashboard
    assert '<svg class="sales-chart"' in dashboard and "3 tickets sold from 07 Mar to 10 Mar" in dashboard
    assert "/static/analytics/admin/dashboard.css" in page
    assert f"/admin/analytics/attendee/export/{season.pk}/" in dashboard


def test_the_dashboard_reads_in_two_queries_whatever_the_number_of_events(
    organizer, make_event, sell, django_assert_num_queries
):
    for number in range(4):
        sell(make_event(title=f"Gig {number}").ticket_types.get(), 1)
    with django_assert_num_queries(2):
        events = organizer_dashboard(organizer)
    assert len(events) == 4 and all(event.tickets_sold == 1 for event in events)


def test_staff_who_organize_nothing_see_no_dashboard(browser_for, make_user):
    page = browser_for(make_user(is_staff=True, is_superuser=True)).get("/admin/").content.decode()
    assert "organizer-dashboard" not in page


def test_an_organizer_without_events_is_invited_to_create_one(browser):
    page = browser.get("/admin/").content.decode()
    assert "No upcoming events." in page and "/admin/events/organizerevent/add/" in page


def test_the_chart_is_a_cumulative_step_line_carried_to_today():
    days = [
        SalesDay(date=datetime(2026, 3, 1).date(), tickets_sold=2, cumulative_tickets=2),
        SalesDay(date=datetime(2026, 3, 3).date(), tickets_sold=2, cumulative_tickets=4),
    ]
    chart = sales_chart(days, today=datetime(2026, 3, 5).date())
    points = [tuple(map(float, point.split(","))) for point in chart.line.split()]
    xs, ys = zip(*points, strict=True)
    assert xs == tuple(sorted(xs)) and xs[0] == 6 and xs[-1] == 314  # first sale day to today, left to right
    assert ys[0] == 84 and min(ys) == 6 and ys[-1] == 6  # from nothing up to all 4 tickets, then flat
    assert [dot.label for dot in chart.dots] == ["01 Mar: 2 sold (2 in all)", "03 Mar: 2 sold (4 in all)"]
    assert sales_chart([], today=timezone.localdate()) is None
