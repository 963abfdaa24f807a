"""§9.1 stats: the user's dashboard and the User object's `stats` block, checked by hand."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.selectors import user_stats

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def test_a_buyers_dashboard(client_for, world, buyer):
    body = client_for(buyer).get("/api/v1/auth/stats/").json()

    assert body["user_id"] == buyer.pk and body["username"] == buyer.username
    assert body["overview"] == {
        "tickets_purchased": 3,  # 2 active + 1 used; the refunded and the reserved ones do not count
        "events_organized": 0,
        "events_attended": 1,
        "total_spent": 157.5,  # 105.00 + 52.50 (totals of completed purchases)
        "total_revenue": 0.0,
        "account_age_days": 45,
        "account_age_display": "45 days",
    }
    assert body["purchasing_stats"] == {
        "active_tickets": 2,
        "used_tickets": 1,
        "upcoming_events": 1,
        "past_events": 1,
        "total_spent": 157.5,
        "tickets_by_category": [{"category": "Music", "count": 3, "total_spent": 157.5}],
    }
    assert [(a["type"], a["event_title"], a["amount"]) for a in body["recent_activity"]] == [
        ("ticket_purchase", "Upcoming Gig", 105.0),
        ("ticket_purchase", "Past Gig", 52.5),
    ]


def test_an_organizers_dashboard(client_for, world, organizer):
    body = client_for(organizer).get("/api/v1/auth/users/stats/").json()

    upcoming = world["upcoming"]
    assert body["organizing_stats"] == {
        "total_events_created": 3,
        "active_events": 1,  # the hidden event is not published, the past one is over
        "past_events": 1,
        "total_tickets_sold": 3,
        "total_revenue": 150.0,  # subtotals 100 + 50
        "total_attendees": 1,
        "average_tickets_per_event": 1.0,
        "best_selling_event": {"id": upcoming.pk, "title": "Upcoming Gig", "slug": upcoming.slug, "tickets_sold": 2},
        "revenue_by_month": [
            {"month": "2025-10", "revenue": 0.0, "tickets_sold": 0},
            {"month": "2025-11", "revenue": 0.0, "tickets_sold": 0},
            {"month": "2025-12", "revenue": 0.0, "tickets_sold": 0},
            {"month": "2026-01", "revenue": 50.0, "tickets_sold": 1},
            {"month": "2026-02", "revenue": 0.0, "tickets_sold": 0},
            {"month": "2026-03", "revenue": 100.0, "tickets_sold": 2},
        ],
    }
    assert body["overview"]["events_organized"] == 3 and body["overview"]["total_revenue"] == 150.0
    activity = body["recent_activity"]
    assert [(a["type"], a["event_title"]) for a in activity] == [
        ("ticket_sale", "Upcoming Gig"),
        ("ticket_sale", "Past Gig"),
        ("event_created", "Past Gig"),
        ("event_created", "Hidden Gig"),
        ("event_created", "Upcoming Gig"),
    ]
    assert activity[0]["amount"] == 100.0 and activity[0]["date"] == "2026-03-14T09:00:00Z"
    assert "amount" not in activity[2]


def test_recent_activity_is_capped_at_ten(client_for, make_event, organizer):
    for _ in range(12):
        make_event()
    assert len(client_for(organizer).get("/api/v1/auth/stats/").json()["recent_activity"]) == 10


def test_a_new_account_has_zeros_and_no_best_seller(client_for, make_user):
    body = client_for(make_user()).get("/api/v1/auth/stats/").json()
    assert body["overview"]["account_age_display"] == "Just now"
    assert body["organizing_stats"]["best_selling_event"] is None
    assert body["organizing_stats"]["average_tickets_per_event"] == 0
    assert [month["month"] for month in body["organizing_stats"]["revenue_by_month"]][-1] == "2026-03"
    assert body["recent_activity"] == []


def test_stats_need_a_token(api_client):
    assert api_client.get("/api/v1/auth/stats/").status_code == 401


def test_the_user_object_stats_block_is_real_in_three_queries(world, buyer, organizer, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        stats = user_stats(buyer)
    assert stats == {
        "total_tickets_purchased": 3,
        "total_events_attended": 1,
        "events_organized": 0,
        "total_spent": 157.5,
        "account_age_days": 45,
    }
    assert user_stats(organizer)["events_organized"] == 3


def test_the_profile_shows_the_stats_block(client_for, world, buyer):
    body = client_for(buyer).get("/api/v1/auth/users/me/").json()
    assert body["stats"]["total_tickets_purchased"] == 3 and body["stats"]["total_spent"] == 157.5


def test_the_stats_block_counts_money_in_decimal_and_shows_a_json_number(client_for, world, buyer):
    assert user_stats(buyer)["total_spent"] == Decimal("157.50")
    assert isinstance(user_stats(buyer)["total_spent"], Decimal)
    response = client_for(buyer).get("/api/v1/auth/users/me/")
    assert b'"total_spent":157.5,' in response.content  # the same JSON number as ever


def test_the_dashboard_answers_in_a_fixed_number_of_queries(client_for, world, buyer, organizer, make_event, sell):
    for _ in range(3):
        sell(make_event(days=4).ticket_types.get(), 2)
    with CaptureQueriesContext(connection) as few:
        client_for(organizer).get("/api/v1/auth/stats/")
    for _ in range(6):
        sell(make_event(days=4).ticket_types.get(), 3)
    with CaptureQueriesContext(connection) as many:
        client_for(organizer).get("/api/v1/auth/stats/")
    assert len(few) == len(many) <= 10
