"""C1 event analytics (CONTRACT.md §8.1): every figure checked against numbers worked out by hand."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from events.models import Event
from payouts.models import LedgerEntry, LedgerKind
from payouts.services import ledger
from tickets.services.checkin import check_in

pytestmark = pytest.mark.django_db

ACCRA = ZoneInfo("Africa/Accra")
TYPES = [
    {"name": "VIP", "price": "200.00", "quantity": 10},
    {"name": "Regular", "price": "50.00", "quantity": 100},
    {"name": "Free", "price": "0", "quantity": 20},
]


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=ACCRA)


@pytest.fixture
def festival(make_event, sell, reserve, refund, organizer):
    """Sales over two days, a refund, a live reservation, two check-ins and page traffic."""
    event = make_event(days=5, title="Chale Wote Live", ticket_types=TYPES)
    vip, regular, free = (event.ticket_types.get(name=name) for name in ("VIP", "Regular", "Free"))
    day_one = timezone.localdate() - timedelta(days=2)
    day_two = day_one + timedelta(days=1)
    first = sell(vip, 2, at=at(day_one, 10, 15), name="Akosua")  # 400.00 + fee 20.00
    second = sell(regular, 3, at=at(day_one, 22, 40), name="Yaw")  # 150.00 + fee 7.50
    sell(regular, 1, at=at(day_two, 10, 5), name="Abena")  # 50.00 + fee 2.50
    sell(free, 2, at=at(day_two, 14, 0), name="Kofi")  # free: no fee
    refund(sell(vip, 1, at=at(day_two, 10, 30), name="Refunded"))  # never counts
    reserve(regular, 2)  # a live reservation: held, not sold
    check_in(event=event, scanned_value=first.tickets.first().ticket_id, scanner=organizer)
    check_in(event=event, scanned_value=second.tickets.first().ticket_id, scanner=organizer)
    Event.objects.filter(pk=event.pk).update(page_views=200, unique_visitors=80)
    return {"event": event, "day_one": day_one, "day_two": day_two}


def test_overview_figures(organizer_client, festival):
    body = organizer_client.get(f"/api/v1/events/{festival['event'].slug}/analytics/").json()

    assert body["event_title"] == "Chale Wote Live" and body["event_status"] == "upcoming"
    assert body["overview"] == {
        "total_tickets": 130,
        "tickets_sold": 8,  # 2 VIP + 4 Regular + 2 Free; the refunded VIP does not count, checked-in ones do
        "tickets_remaining": 120,  # 130 - 8 sold - 2 reserved
        "tickets_reserved": 2,
        "tickets_checked_in": 2,
        "sales_percentage": 6.15,  # 8 / 130
        "check_in_percentage": 25.0,  # 2 / 8
        "gross_revenue": 600.0,  # 400 + 150 + 50 + 0
        "platform_fee": 30.0,
        "platform_fee_percentage": 5.0,
        "net_revenue": 570.0,
        "service_fees_collected": 30.0,  # 20 + 7.50 + 2.50
        "discounts_given": 0.0,
        "average_ticket_price": 75.0,  # 600 / 8
        "projected_revenue": 7000.0,  # 200 x 10 + 50 x 100 + 0 x 20
    }
    assert body["traffic"] == {"page_views": 200, "unique_visitors": 80, "conversion_rate": 5.0}  # 4 purchases / 80


def test_sales_by_ticket_type(organizer_client, festival):
    body = organizer_client.get(f"/api/v1/events/{festival['event'].pk}/analytics/").json()

    rows = {row["ticket_type"]: row for row in body["sales_by_ticket_type"]}
    assert [row["ticket_type"] for row in body["sales_by_ticket_type"]] == ["Free", "Regular", "VIP"]
    assert {name: (r["tickets_sold"], r["total_quantity"], r["revenue"], r["price"]) for name, r in rows.items()} == {
        "Free": (2, 20, 0.0, 0.0),
        "Regular": (4, 100, 200.0, 50.0),
        "VIP": (2, 10, 400.0, 200.0),
    }
    assert {name: r["percentage_of_total_sales"] for name, r in rows.items()} == {
        "Free": 25.0,
        "Regular": 50.0,
        "VIP": 25.0,
    }
    assert {name: r["percentage_of_quantity_sold"] for name, r in rows.items()} == {
        "Free": 10.0,
        "Regular": 4.0,
        "VIP": 20.0,
    }


def test_sales_timeline_and_hours(organizer_client, festival):
    body = organizer_client.get(f"/api/v1/events/my-events/{festival['event'].slug}/analytics/").json()

    assert body["sales_timeline"] == [
        {
            "date": festival["day_one"].isoformat(),
            "tickets_sold": 5,
            "revenue": 550.0,
            "cumulative_tickets": 5,
            "cumulative_revenue": 550.0,
        },
        {
            "date": festival["day_two"].isoformat(),
            "tickets_sold": 3,
            "revenue": 50.0,
            "cumulative_tickets": 8,
            "cumulative_revenue": 600.0,
        },
    ]
    hours = body["sales_by_hour"]
    assert [entry["hour"] for entry in hours] == [f"{hour:02d}:00" for hour in range(24)]
    busy = {entry["hour"]: (entry["tickets_sold"], entry["revenue"]) for entry in hours if entry["tickets_sold"]}
    assert busy == {"10:00": (3, 450.0), "14:00": (2, 0.0), "22:00": (3, 150.0)}


def test_recent_sales_newest_first(organizer_client, festival):
    body = organizer_client.get(f"/api/v1/events/{festival['event'].slug}/analytics/").json()

    recent = body["recent_sales"]
    assert [sale["buyer_name"] for sale in recent] == ["Kofi"] * 2 + ["Abena"] + ["Yaw"] * 3 + ["Akosua"] * 2
    assert recent[0]["ticket_type"] == "Free" and recent[0]["amount"] == 0.0
    assert recent[-1] == {
        "ticket_id": recent[-1]["ticket_id"],
        "ticket_type": "VIP",
        "amount": 200.0,
        "buyer_name": "Akosua",
        "purchase_date": f"{festival['day_one'].isoformat()}T10:15:00Z",
    }


def test_days_and_hours_follow_the_event_time_zone(organizer_client, make_event, sell, settings):
    settings.EVENT_TIME_ZONE = "Asia/Tokyo"  # UTC+9: a sale at 20:00 UTC lands on the next local day at 05:00
    event = make_event(days=5)
    sale_day = timezone.localdate() - timedelta(days=1)
    sell(event.ticket_types.get(), 1, at=datetime.combine(sale_day, time(20, 0), tzinfo=ZoneInfo("UTC")))

    body = organizer_client.get(f"/api/v1/events/{event.slug}/analytics/").json()

    assert [day["date"] for day in body["sales_timeline"]] == [(sale_day + timedelta(days=1)).isoformat()]
    assert [hour["hour"] for hour in body["sales_by_hour"] if hour["tickets_sold"]] == ["05:00"]


def test_an_event_without_sales_has_zeroes_not_errors(organizer_client, make_event):
    event = make_event(ticket_types=[])

    body = organizer_client.get(f"/api/v1/events/{event.slug}/analytics/").json()

    assert body["overview"]["average_ticket_price"] == 0 and body["overview"]["sales_percentage"] == 0
    assert body["sales_by_ticket_type"] == [] and body["sales_timeline"] == [] and body["recent_sales"] == []
    assert body["traffic"]["conversion_rate"] == 0
    assert len(body["sales_by_hour"]) == 24


def test_a_sale_after_the_clock_moves_appears_in_the_figures(organizer_client, make_event, sell):
    event = make_event(days=5)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        sell(event.ticket_types.get(), 2)
        body = organizer_client.get(f"/api/v1/events/{event.slug}/analytics/").json()
    assert body["overview"]["tickets_sold"] == 2 and body["overview"]["gross_revenue"] == 100.0


def test_the_platform_fee_is_one_rule_for_the_dashboards_and_the_ledger(organizer_client, make_event, sell, settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("7.5")
    event = make_event(days=5, ticket_types=[{"name": "Regular", "price": "50.00", "quantity": 10}])
    purchase = sell(event.ticket_types.get(), 3)  # 150.00 of sales: 11.25 to the platform
    ledger.record_sale(purchase=purchase)

    analytics = organizer_client.get(f"/api/v1/events/{event.slug}/analytics/").json()["overview"]
    managed = organizer_client.get(f"/api/v1/events/my-events/{event.slug}/").json()["analytics"]
    credited = LedgerEntry.objects.get(purchase=purchase, kind=LedgerKind.PLATFORM_FEE).amount

    assert (analytics["platform_fee"], analytics["net_revenue"]) == (11.25, 138.75)
    assert (managed["platform_fee"], managed["net_revenue"]) == (11.25, 138.75)
    assert credited == Decimal("-11.25")
