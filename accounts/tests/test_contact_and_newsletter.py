"""§12 contact form and newsletter: stored, staff e-mailed after commit, case-insensitive, throttled."""

import pytest
from django.core import mail

from accounts.models import ContactMessage, NewsletterSubscription

pytestmark = pytest.mark.django_db

CONTACT = "/api/v1/contact/"
SUBSCRIBE = "/api/v1/newsletter/subscribe/"
UNSUBSCRIBE = "/api/v1/newsletter/unsubscribe/"


def contact_body(**overrides):
    body = {
        "name": "Efua Mensah",
        "email": "efua@example.com",
        "phone": "0241234567",
        "subject": "Refund question",
        "message": "I bought two tickets but can only attend with one friend.",
    }
    body.update(overrides)
    return body


def post_contact(client, capture, body):
    with capture(execute=True):
        return client.post(CONTACT, body, format="json")


def test_a_contact_message_is_stored_and_staff_are_emailed(api_client, django_capture_on_commit_callbacks, settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["support@cafaticket.com"]

    response = post_contact(api_client, django_capture_on_commit_callbacks, contact_body())

    assert response.status_code == 201
    body = response.json()
    stored = ContactMessage.objects.get()
    assert body == {
        "success": True,
        "message": "Thank you for contacting us. We'll get back to you soon.",
        "data": {"id": stored.pk, "reference": f"MSG-{stored.pk:06d}", "created_at": body["data"]["created_at"]},
    }
    assert stored.phone == "+233241234567"
    (email,) = mail.outbox
    assert email.to == ["support@cafaticket.com"] and email.reply_to == ["efua@example.com"]
    assert email.subject == f"[MSG-{stored.pk:06d}] Refund question"
    assert "I bought two tickets" in email.body and "Efua Mensah" in email.body


def test_without_configured_addresses_active_staff_are_emailed(
    api_client, django_capture_on_commit_callbacks, make_user
):
    make_user(email="staff@example.com", is_staff=True)
    make_user(email="former@example.com", is_staff=True, is_active=False)
    make_user(email="plain@example.com")

    post_contact(api_client, django_capture_on_commit_callbacks, contact_body(subject="Line\nbreak subject"))

    (email,) = mail.outbox
    assert email.to == ["staff@example.com"]
    assert "\n" not in email.subject


def test_nothing_is_emailed_before_the_commit(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert api_client.post(CONTACT, contact_body(), format="json").status_code == 201
    assert len(callbacks) == 1 and mail.outbox == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "E"),
        ("email", "not-an-email"),
        ("phone", "12ab"),
        ("subject", "Hi"),
        ("message", "Too short"),
        ("message", "x" * 5001),
    ],
)
def test_invalid_contact_messages_are_400(api_client, field, value):
    response = api_client.post(CONTACT, contact_body(**{field: value}), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["error"] == "Validation Error"
    assert field in body["details"] and body["message"].startswith(f"{field}: ")
    assert not ContactMessage.objects.exists()


def test_the_phone_is_optional(api_client):
    body = contact_body()
    del body["phone"]
    assert api_client.post(CONTACT, body, format="json").status_code == 201


def test_the_sixth_contact_message_within_an_hour_is_throttled(api_client):
    for _ in range(5):
        assert api_client.post(CONTACT, contact_body(), format="json").status_code == 201

    response = api_client.post(CONTACT, contact_body(), format="json")

    assert response.status_code == 429
    assert response.json()["error"] == "Too Many Requests" and response.json()["success"] is False
    assert int(response["Retry-After"]) > 0
    assert ContactMessage.objects.count() == 5


def test_a_spoofed_forwarded_for_header_does_not_escape_the_limit(api_client):
    for number in range(5):
        api_client.post(CONTACT, contact_body(), format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    response = api_client.post(CONTACT, contact_body(), format="json", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429


# --- newsletter -------------------------------------------------------------------------------


def test_subscribing_creates_then_reports_already_subscribed(api_client):
    created = api_client.post(SUBSCRIBE, {"email": "Kofi@Example.com", "source": "homepage"}, format="json")
    again = api_client.post(SUBSCRIBE, {"email": "kofi@example.COM"}, format="json")

    assert created.status_code == 201
    assert created.json()["message"] == "Successfully subscribed to the newsletter"
    assert created.json()["data"]["email"] == "kofi@example.com" and created.json()["data"]["subscribed_at"]
    assert again.status_code == 200
    assert again.json() == {"success": True, "message": "You are already subscribed", "data": created.json()["data"]}
    subscription = NewsletterSubscription.objects.get()
    assert subscription.source == "homepage" and subscription.is_active


def test_the_default_source_is_footer(api_client):
    api_client.post(SUBSCRIBE, {"email": "ama@example.com"}, format="json")
    assert NewsletterSubscription.objects.get().source == "footer"


def test_unsubscribing_then_subscribing_again_reactivates(api_client):
    api_client.post(SUBSCRIBE, {"email": "ama@example.com"}, format="json")

    gone = api_client.post(UNSUBSCRIBE, {"email": "AMA@example.com"}, format="json")
    subscription = NewsletterSubscription.objects.get()
    assert gone.status_code == 200
    assert gone.json() == {"success": True, "message": "You have been unsubscribed"}
    assert subscription.is_active is False and subscription.unsubscribed_at is not None

    back = api_client.post(SUBSCRIBE, {"email": "ama@example.com", "source": "checkout"}, format="json")
    subscription.refresh_from_db()
    assert back.status_code == 200 and back.json()["message"] == "Successfully subscribed to the newsletter"
    assert subscription.is_active and subscription.unsubscribed_at is None and subscription.source == "checkout"
    assert NewsletterSubscription.objects.count() == 1


def test_unsubscribing_an_unknown_address_is_still_200(api_client):
    response = api_client.post(UNSUBSCRIBE, {"email": "nobody@example.com"}, format="json")
    assert response.status_code == 200 and response.json()["success"] is True


@pytest.mark.parametrize("path", [SUBSCRIBE, UNSUBSCRIBE])
def test_a_malformed_email_is_400_with_the_field_mirrored(api_client, path):
    response = api_client.post(path, {"email": "nope"}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["success"] is False
    assert body["email"] == body["details"]["email"]


def test_an_unknown_source_is_400(api_client):
    response = api_client.post(SUBSCRIBE, {"email": "ama@example.com", "source": "billboard"}, format="json")
    assert response.status_code == 400 and "source" in response.json()["details"]


def test_the_newsletter_allows_ten_requests_an_hour_per_address(api_client):
    for number in range(10):
        path = SUBSCRIBE if number % 2 else UNSUBSCRIBE
        assert api_client.post(path, {"email": f"n{number}@example.com"}, format="json").status_code in (200, 201)

    response = api_client.post(SUBSCRIBE, {"email": "late@example.com"}, format="json")

    assert response.status_code == 429 and response.json()["success"] is False
    assert not NewsletterSubscription.objects.filter(email="late@example.com").exists()
