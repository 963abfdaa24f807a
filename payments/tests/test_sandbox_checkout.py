"""Y11 the sandbox checkout page (CONTRACT.md §6.14): served to any client that accepts HTML, and
its Cancel button recorded as the real provider's failure would be (§14: failed, reason abandoned)."""

import pytest
from rest_framework.test import APIClient

from payments.models import Payment
from tickets.models import Purchase, Ticket

pytestmark = pytest.mark.django_db

INITIATE_URL = "/api/v1/payments/initiate/"
MOBILE_CALLBACK_URL = "/api/v1/payments/mobile-callback/"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def page(reference: str) -> str:
    return f"/api/v1/payments/sandbox/{reference}/"


@pytest.fixture
def initiate(client_for, event, paid_type, django_capture_on_commit_callbacks):
    """POST Y2 as `buyer` for `quantity` paid tickets (through the app's deep link unless told otherwise)."""

    def run(buyer, quantity=1, callback_url="cafatickets://payment-result"):
        body = {
            "event_slug": event.slug,
            "ticket_type_id": paid_type.pk,
            "quantity": quantity,
            "callback_url": callback_url,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(buyer).post(INITIATE_URL, body, format="json")

    return run


@pytest.fixture
def reference(initiate, buyer):
    response = initiate(buyer)
    assert response.status_code == 201, response.json()
    return response.json()["payment_reference"]


# --- the page answers any Accept that admits HTML (item 8) --------------------------------------


@pytest.mark.parametrize(
    "accept", ["text/html", "text/*", "*/*", BROWSER_ACCEPT, "application/xhtml+xml,text/html;q=0.9", None]
)
def test_the_page_is_html_for_every_accept_that_admits_it(reference, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = APIClient().get(page(reference), **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"SANDBOX" in response.content and b"Cancel" in response.content


def test_a_webview_that_accepts_only_html_can_press_the_buttons(reference, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(page(reference), {"outcome": "success"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 302
    assert Payment.objects.get(reference=reference).status == "completed"


def test_an_unknown_reference_is_still_the_json_envelope_for_an_html_client():
    response = APIClient().get(page("CAFA-000000000000000000000000"), HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "Payment not found"


# --- Cancel records the outcome at once (item 11) -------------------------------------------------


def cancel(reference, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(page(reference), {"outcome": "abandoned"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 302
    return response


def test_cancel_fails_the_payment_as_abandoned_and_releases_the_tickets(reference, django_capture_on_commit_callbacks):
    back = cancel(reference, django_capture_on_commit_callbacks)

    assert back["Location"].split("?")[0].endswith(MOBILE_CALLBACK_URL)
    payment = Payment.objects.get(reference=reference)
    assert (payment.status, payment.reason_code) == ("failed", "abandoned")
    assert payment.failed_at is not None
    assert Purchase.objects.get(pk=payment.purchase_id).status == "failed"
    assert set(Ticket.objects.filter(purchase_id=payment.purchase_id).values_list("status", flat=True)) == {"expired"}


def test_after_cancel_the_app_is_sent_back_with_the_failed_status_and_verify_says_so(
    reference, django_capture_on_commit_callbacks
):
    cancel(reference, django_capture_on_commit_callbacks)

    back_to_app = APIClient().get(MOBILE_CALLBACK_URL, {"trxref": reference, "reference": reference})
    assert back_to_app.status_code == 302
    assert back_to_app["Location"] == f"cafatickets://payment-result?status=failed&reference={reference}"

    verified = APIClient().get(f"/api/v1/payments/verify/{reference}/")
    assert verified.status_code == 200
    body = verified.json()
    assert (body["success"], body["status"], body["reason_code"]) == (False, "failed", "abandoned")


def test_the_owner_sees_the_failure_on_the_status_endpoint(reference, buyer_client, django_capture_on_commit_callbacks):
    cancel(reference, django_capture_on_commit_callbacks)
    payment = Payment.objects.get(reference=reference)
    body = buyer_client.get(f"/api/v1/payments/{payment.payment_id}/status/").json()
    assert body["status"] == "failed"
    assert body["failure_reason"] == "The buyer cancelled the payment"


def test_stock_released_by_cancel_can_be_bought_at_once(
    initiate, buyer, make_user, paid_type, django_capture_on_commit_callbacks
):
    paid_type.quantity = 2
    paid_type.max_purchase = 2
    paid_type.save()
    first = initiate(buyer, quantity=2)
    assert first.status_code == 201
    other = make_user(phone_number="+233201112233")
    sold_out = initiate(other, quantity=2)
    assert sold_out.status_code == 400 and sold_out.json()["error"] == "Not enough tickets available"

    cancel(first.json()["payment_reference"], django_capture_on_commit_callbacks)

    second = initiate(other, quantity=2)
    assert second.status_code == 201, second.json()
    assert Payment.objects.get(reference=second.json()["payment_reference"]).status == "pending"


def test_the_web_buyer_is_sent_back_to_the_results_page_with_the_reference(
    initiate, buyer, settings, django_capture_on_commit_callbacks
):
    response = initiate(buyer, callback_url=None)
    reference = response.json()["payment_reference"]
    back = cancel(reference, django_capture_on_commit_callbacks)
    assert back["Location"] == f"{settings.FRONTEND_URL}/payment-results?trxref={reference}&reference={reference}"
    assert Payment.objects.get(reference=reference).status == "failed"


def test_a_charge_nobody_acted_on_stays_pending(reference):
    body = APIClient().get(f"/api/v1/payments/verify/{reference}/").json()
    assert (body["success"], body["status"]) == (False, "pending")


def test_cancel_after_paying_changes_nothing(reference, pay_in_sandbox, django_capture_on_commit_callbacks):
    pay_in_sandbox(reference, "success")
    cancel(reference, django_capture_on_commit_callbacks)
    payment = Payment.objects.get(reference=reference)
    assert payment.status == "completed"
    body = APIClient().get(f"/api/v1/payments/verify/{reference}/").json()
    assert (body["success"], body["status"]) == (True, "completed")


def test_the_fail_button_is_recorded_at_once_too(reference, pay_in_sandbox):
    pay_in_sandbox(reference, "failed")
    payment = Payment.objects.get(reference=reference)
    assert (payment.status, payment.reason_code) == ("failed", "declined")
