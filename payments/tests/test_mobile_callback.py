"""Y9 `GET payments/mobile-callback/`: the app's way back from the provider (CONTRACT.md §6.12)."""

import pytest
from rest_framework.test import APIClient

from payments.providers.sandbox import SandboxProvider

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/mobile-callback/"


@pytest.fixture
def mobile_purchase(buyer_client, event, paid_type, django_capture_on_commit_callbacks):
    """A purchase started by the app with its deep link; returns the Y2 body."""
    body = {"event_slug": event.slug, "ticket_type_id": paid_type.pk, "callback_url": "cafatickets://payment-result"}
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post("/api/v1/payments/initiate/", body, format="json")
    assert response.status_code == 201
    return response.json()


def test_the_provider_is_sent_to_the_mobile_callback_and_back_to_the_app(
    mobile_purchase, pay_in_sandbox, django_capture_on_commit_callbacks
):
    reference = mobile_purchase["payment_reference"]
    back = pay_in_sandbox(reference)
    assert back["Location"].split("?")[0].endswith(URL)

    response = APIClient().get(URL, {"trxref": reference, "reference": reference})

    assert response.status_code == 302
    assert response["Location"] == f"cafatickets://payment-result?status=success&reference={reference}"


def test_a_payment_the_webhook_has_not_announced_is_settled_by_the_callback(
    mobile_purchase, django_capture_on_commit_callbacks
):
    reference = mobile_purchase["payment_reference"]
    SandboxProvider().record_outcome(reference, "success")
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().get(URL, {"reference": reference})
    assert response["Location"].endswith(f"?status=success&reference={reference}")
    verified = APIClient().get(f"/api/v1/payments/verify/{reference}/").json()
    assert verified["success"] is True


@pytest.mark.parametrize(("outcome", "status"), [(None, "pending"), ("failed", "failed")])
def test_unfinished_and_failed_payments(mobile_purchase, outcome, status):
    reference = mobile_purchase["payment_reference"]
    if outcome:
        SandboxProvider().record_outcome(reference, outcome)
    response = APIClient().get(URL, {"reference": reference})
    assert response["Location"] == f"cafatickets://payment-result?status={status}&reference={reference}"


def test_without_a_reference():
    response = APIClient().get(URL)
    assert response.status_code == 302
    assert response["Location"] == "cafatickets://payment-result?status=cancelled&error=no_reference"


def test_an_unknown_reference():
    response = APIClient().get(URL, {"reference": "CAFA-0"})
    assert response["Location"] == "cafatickets://payment-result?status=failed&reference=CAFA-0&error=not_found"
