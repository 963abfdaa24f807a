"""PC1-PC4: an organizer's promo codes (CONTRACT.md §16), scoped like every event-owner resource."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tickets.models import PromoCode, Purchase
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

pytestmark = pytest.mark.django_db

TYPES = [
    {"name": "Regular", "price": "50.00", "quantity": 100},
    {"name": "VIP", "price": "200.00", "quantity": 10},
    {"name": "Community", "price": "0", "quantity": 20},
]


@pytest.fixture
def event(make_event):
    return make_event(ticket_types=TYPES)


def pct(code, value, **fields):
    """A PC2 body for a percentage code."""
    return {"code": code, "discount_type": "percentage", "discount_value": value, **fields}


def url(event, promo=None):
    base = f"/api/v1/events/{event.slug}/promo-codes/"
    return f"{base}{promo.pk}/" if promo else base


def redeem(promo, ticket_type, buyer, *, paid=True):
    """A purchase with the code, through the reservation service (paid = issued)."""
    with transaction.atomic():
        purchase = reserve_tickets(
            buyer=buyer,
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=1,
            attendee=Attendee(name="Esi", email=buyer.email),
            promo_code=promo.code,
        )
        if paid:
            issue_tickets(purchase=purchase)
    return purchase


def test_an_organizer_creates_a_code_and_sees_it(organizer_client, event):
    vip = event.ticket_types.get(name="VIP")
    body = {
        "code": "early-Bird_26",
        "discount_type": "percentage",
        "discount_value": 15,
        "ticket_type_ids": [vip.pk],
        "max_uses": 50,
        "valid_until": (timezone.now() + timedelta(days=3)).isoformat(),
    }

    response = organizer_client.post(url(event), body, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["success"], created["message"]) == (True, "Promo code created")
    promo = created["promo_code"]
    assert promo == {
        "id": promo["id"],
        "code": "EARLY-BIRD_26",
        "discount_type": "percentage",
        "discount_value": 15,
        "ticket_type_ids": [vip.pk],
        "max_uses": 50,
        "max_uses_per_user": 1,
        "valid_from": None,
        "valid_until": promo["valid_until"],
        "is_active": True,
        "uses": 0,
        "discount_total": 0,
        "created_at": promo["created_at"],
    }
    assert promo["valid_until"].endswith("Z") and promo["created_at"].endswith("Z")


def test_the_list_is_newest_first_with_uses_and_discount_totals(organizer_client, event, make_promo, buyer, make_user):
    regular = event.ticket_types.get(name="Regular")
    older = make_promo(event, "OLDER", percent=10, max_uses_per_user=5)
    newer = make_promo(event, "NEWER", fixed="5.00")
    redeem(older, regular, buyer)  # completed: counts, 5.00 off
    redeem(older, regular, make_user(), paid=False)  # a live reservation: counts, no discount total yet
    lapsed = redeem(older, regular, make_user(), paid=False)
    Purchase.objects.filter(pk=lapsed.pk).update(reservation_expires_at=timezone.now() - timedelta(seconds=1))

    body = organizer_client.get(url(event)).json()

    assert [item["code"] for item in body["results"]] == ["NEWER", "OLDER"]
    assert (body["count"], body["current_page"], body["total_pages"]) == (2, 1, 1)
    figures = {item["code"]: (item["uses"], item["discount_total"]) for item in body["results"]}
    assert figures == {"OLDER": (2, 5.0), "NEWER": (0, 0)}
    assert newer.pk in {item["id"] for item in body["results"]}


def test_the_list_costs_a_fixed_number_of_queries(organizer_client, event, make_promo, django_assert_max_num_queries):
    for number in range(15):
        make_promo(event, f"CODE{number}", ticket_types=list(event.ticket_types.all()[:2]))

    with django_assert_max_num_queries(5):  # user, event, count, page, ticket types
        response = organizer_client.get(url(event))

    assert len(response.json()["results"]) == 15


def test_codes_are_unique_per_event_whatever_their_case(organizer_client, event, make_event, make_promo):
    make_promo(event, "SUMMER")
    make_promo(make_event(), "WINTER")

    clash = organizer_client.post(url(event), pct("summer", 5))
    elsewhere = organizer_client.post(url(event), pct("winter", 5))

    assert clash.status_code == 400 and clash.json()["details"]["code"]
    assert elsewhere.status_code == 201  # another event's code does not clash


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "AB", "discount_type": "percentage", "discount_value": 10}, "code"),
        ({"code": "NO SPACES", "discount_type": "percentage", "discount_value": 10}, "code"),
        ({"code": "X" * 33, "discount_type": "percentage", "discount_value": 10}, "code"),
        ({"code": "HALF", "discount_type": "percentage", "discount_value": 101}, "discount_value"),
        ({"code": "HALF", "discount_type": "percentage", "discount_value": 0.5}, "discount_value"),
        ({"code": "HALF", "discount_type": "bogof", "discount_value": 10}, "discount_type"),
        ({"code": "TOOBIG", "discount_type": "fixed", "discount_value": "50.01"}, "discount_value"),  # Regular: 50
        ({"code": "NEG", "discount_type": "fixed", "discount_value": -1}, "discount_value"),
        (pct("LIMIT", 10, max_uses=0), "max_uses"),
        (pct("LIMIT", 10, max_uses_per_user=0), "max_uses_per_user"),
        (pct("TYPES", 10, ticket_type_ids=[999999]), "ticket_type_ids"),
        (
            {"code": "DATES", "discount_type": "percentage", "discount_value": 10,
             "valid_from": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"},
            "valid_until",
        ),
        ({"discount_type": "percentage", "discount_value": 10}, "code"),
    ],
)  # fmt: skip
def test_bad_codes_are_refused_field_by_field(organizer_client, event, assert_error, body, field):
    response = organizer_client.post(url(event), body, format="json")

    assert_error(response, 400, "Validation Error")
    assert field in response.json()["details"]
    assert not PromoCode.objects.exists()


def test_a_fixed_discount_is_capped_by_the_lowest_price_of_the_types_it_applies_to(organizer_client, event):
    vip = event.ticket_types.get(name="VIP")
    for_vip = {"code": "VIP150", "discount_type": "fixed", "discount_value": 150, "ticket_type_ids": [vip.pk]}
    community = event.ticket_types.get(name="Community")
    for_free = {"code": "FREEBIE", "discount_type": "fixed", "discount_value": 1, "ticket_type_ids": [community.pk]}

    assert organizer_client.post(url(event), for_vip, format="json").status_code == 201  # VIP costs 200
    assert organizer_client.post(url(event), for_free, format="json").json()["details"]["discount_value"]


def test_another_users_event_and_code_are_not_found(client_for, make_organizer, event, make_promo, assert_error):
    promo = make_promo(event)
    stranger = client_for(make_organizer())
    body = {"code": "MINE", "discount_type": "percentage", "discount_value": 10}

    assert_error(stranger.get(url(event)), 404, "Event not found")
    assert_error(stranger.post(url(event), body), 404, "Event not found")
    assert_error(stranger.patch(url(event, promo), {"is_active": False}), 404, "Event not found")
    assert_error(stranger.delete(url(event, promo)), 404, "Event not found")
    assert PromoCode.objects.get().is_active


def test_a_code_of_another_event_is_not_found_here(organizer_client, event, make_event, make_promo, assert_error):
    other = make_promo(make_event(), "OTHER")

    assert_error(organizer_client.patch(url(event, other), {"is_active": False}), 404, "Promo code not found")
    assert_error(organizer_client.delete(url(event, other)), 404, "Promo code not found")


def test_anonymous_callers_are_refused(api_client, event, assert_error):
    assert_error(api_client.get(url(event)), 401, "Authentication Failed")


def test_an_unused_code_can_be_changed_entirely(organizer_client, event, make_promo):
    promo = make_promo(event, "SPRING", percent=10)
    regular = event.ticket_types.get(name="Regular")
    change = {"code": "spring2", "discount_type": "fixed", "discount_value": 5, "ticket_type_ids": [regular.pk]}

    response = organizer_client.patch(url(event, promo), change, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["success"], body["message"]) == (True, "Promo code updated")
    assert body["promo_code"]["code"] == "SPRING2" and body["promo_code"]["discount_value"] == 5
    assert body["promo_code"]["ticket_type_ids"] == [regular.pk]


def test_a_used_codes_code_and_discount_are_frozen(organizer_client, event, make_promo, buyer, assert_error):
    promo = make_promo(event, "USED", percent=10, max_uses=10)
    redeem(promo, event.ticket_types.get(name="Regular"), buyer, paid=False)  # a live reservation is a use

    for change in ({"code": "RENAMED"}, {"discount_value": 20}, {"discount_type": "fixed"}):
        assert_error(organizer_client.patch(url(event, promo), change), 400, "Promo code in use")
    limits = organizer_client.patch(url(event, promo), {"max_uses": 20, "is_active": False, "code": "used"})

    assert limits.status_code == 200  # the same code in another case is no change
    assert (limits.json()["promo_code"]["max_uses"], limits.json()["promo_code"]["is_active"]) == (20, False)
    promo.refresh_from_db()
    assert (promo.code, promo.discount_value) == ("USED", 10)


def test_max_uses_cannot_drop_below_the_uses_so_far(organizer_client, event, make_promo, buyer, make_user):
    promo = make_promo(event, "POPULAR", percent=10, max_uses=5)
    regular = event.ticket_types.get(name="Regular")
    redeem(promo, regular, buyer)
    redeem(promo, regular, make_user())

    too_low = organizer_client.patch(url(event, promo), {"max_uses": 1})
    just_right = organizer_client.patch(url(event, promo), {"max_uses": 2})

    assert too_low.status_code == 400 and too_low.json()["details"]["max_uses"]
    assert just_right.status_code == 200


def test_deleting_an_unused_code_removes_it(organizer_client, event, make_promo, buyer):
    promo = make_promo(event, "GONE")
    lapsed = redeem(promo, event.ticket_types.get(name="Regular"), buyer, paid=False)
    Purchase.objects.filter(pk=lapsed.pk).update(status="expired")  # a lapsed reservation gave its use back

    response = organizer_client.delete(url(event, promo))

    assert response.json() == {"success": True, "message": "Promo code deleted"}
    assert not PromoCode.objects.exists()
    lapsed.refresh_from_db()
    assert lapsed.promo_code is None and lapsed.discount == 5  # the old purchase keeps what it was priced at


def test_deleting_a_used_code_deactivates_it(organizer_client, event, make_promo, buyer):
    promo = make_promo(event, "KEEP")
    redeem(promo, event.ticket_types.get(name="Regular"), buyer)

    response = organizer_client.delete(url(event, promo))

    body = response.json()
    assert response.status_code == 200 and body["success"] is True
    assert "deactivated" in body["message"]
    assert body["promo_code"]["is_active"] is False and body["promo_code"]["uses"] == 1
    assert PromoCode.objects.get().is_active is False
