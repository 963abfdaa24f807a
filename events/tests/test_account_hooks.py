"""Events keep payout profiles and organizer accounts that live events still need."""

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_profile_used_by_an_upcoming_event_cannot_be_deleted(organizer_client, verified_profile, make_event):
    event = make_event(payment_profile=verified_profile)
    response = organizer_client.delete(f"/api/v1/auth/payment-profile/{verified_profile.pk}/")
    assert response.status_code == 400
    assert response.json()["error"] == "Cannot delete payment profile"
    assert response.json()["active_events"] == [{"id": event.pk, "title": event.title}]
    verified_profile.refresh_from_db()
    assert verified_profile.deleted_at is None


def test_a_profile_used_only_by_past_events_can_be_deleted(organizer_client, verified_profile, make_event):
    make_event(payment_profile=verified_profile, days=-30)
    response = organizer_client.delete(f"/api/v1/auth/payment-profile/{verified_profile.pk}/")
    assert response.status_code == 200


def test_an_organizer_of_a_live_published_event_cannot_delete_the_account(organizer, organizer_client, make_event):
    make_event()
    response = organizer_client.delete(
        "/api/v1/auth/delete/", {"password": PASSWORD, "confirmation": "DELETE MY ACCOUNT"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Cannot delete account"
    organizer.refresh_from_db()
    assert organizer.is_active is True


def test_an_unpublished_draft_does_not_block_account_deletion(organizer, organizer_client, make_event):
    make_event(is_published=False)
    response = organizer_client.delete(
        "/api/v1/auth/delete/", {"password": PASSWORD, "confirmation": "DELETE MY ACCOUNT"}, format="json"
    )
    assert response.status_code == 200
