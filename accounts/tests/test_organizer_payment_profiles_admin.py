"""The organizer's payment profiles in /admin/: M2's serializer and the payment-profile services."""

import pytest

from accounts.models import PaymentProfile

pytestmark = pytest.mark.django_db

PROFILES = "/admin/accounts/organizerpaymentprofile/"
MOMO = {"method": "mobile_money", "name": "My MoMo", "account_number": "0241234567", "network": "vodafone"}
BANK = {
    "method": "bank_transfer",
    "name": "Cal Bank",
    "account_number": "1234567890",
    "account_name": "Ama Mensah",
    "bank_name": "CAL Bank",
    "bank_code": "140100",
}


@pytest.fixture
def organizer(make_admin_organizer):
    return make_admin_organizer(full_name="Ama Mensah")


@pytest.fixture
def browser(browser_for, organizer):
    return browser_for(organizer)


def add(browser, **fields):
    return browser.post(f"{PROFILES}add/", {"description": "", "branch": "", "account_name": "Ama Mensah", **fields})


def test_a_mobile_money_profile_is_created_by_the_service_and_shown_masked(browser, organizer):
    response = add(browser, **MOMO)

    assert response.status_code == 302
    profile = PaymentProfile.objects.get(user=organizer)
    assert (profile.account_number, profile.network, profile.is_default) == ("+233241234567", "Telecel", True)
    page = browser.get(PROFILES).content.decode()
    assert "+233****4567" in page and "+233241234567" not in page


def test_a_bank_profile_needs_a_valid_account_number(browser, organizer):
    response = add(browser, **{**BANK, "account_number": "12ab"})
    assert response.status_code == 200 and "Enter 8 to 20 digits." in response.content.decode()
    assert not PaymentProfile.objects.exists()
    assert add(browser, **BANK).status_code == 302


def test_a_duplicate_account_is_refused_as_in_the_api(browser, organizer):
    add(browser, **BANK)
    response = add(browser, **{**BANK, "name": "Same again"})
    assert "This account is already one of your payment profiles." in response.content.decode()
    assert PaymentProfile.objects.count() == 1


def test_a_profile_is_renamed_but_its_account_never_changes(browser, organizer, make_profile):
    profile = make_profile(organizer, is_default=True)
    form = {"name": "Renamed", "description": "Main", "account_number": "999999999"}
    assert browser.post(f"{PROFILES}{profile.pk}/change/", form).status_code == 302
    profile.refresh_from_db()
    assert (profile.name, profile.description) == ("Renamed", "Main")
    assert profile.account_number != "999999999"


def test_only_a_verified_profile_becomes_the_default(browser, organizer, make_profile):
    current = make_profile(organizer, is_default=True)
    pending = make_profile(organizer, status="pending")
    verified = make_profile(organizer)

    refused = browser.post(
        PROFILES, {"action": "make_default", "_selected_action": [pending.pk], "index": 0}, follow=True
    )
    assert "Only a verified profile can be the default." in refused.content.decode()
    browser.post(PROFILES, {"action": "make_default", "_selected_action": [verified.pk], "index": 0})

    assert PaymentProfile.objects.get(is_default=True) == verified
    current.refresh_from_db()
    assert not current.is_default


def test_deleting_is_the_services_soft_delete_with_its_refusals(browser, organizer, make_profile):
    default = make_profile(organizer, is_default=True)
    other = make_profile(organizer)

    refused = browser.post(f"{PROFILES}{default.pk}/delete/", {"post": "yes"}, follow=True)
    assert "Make another profile the default before deleting this one." in refused.content.decode()
    deleted = browser.post(f"{PROFILES}{other.pk}/delete/", {"post": "yes"}, follow=True)
    assert "was deleted successfully" in deleted.content.decode()

    other.refresh_from_db()
    assert other.deleted_at is not None  # kept for history, gone from the list
    assert other.name not in browser.get(PROFILES).content.decode()
    assert browser.get(f"{PROFILES}{other.pk}/change/").status_code == 404
