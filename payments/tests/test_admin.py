"""Staff admin for payments and purchases: read-only, searchable, with a verification re-run."""

import pytest
from django.test import Client

from payments.models import Payment
from payments.providers.sandbox import SandboxProvider
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PAYMENTS = "/admin/payments/payment/"
PURCHASES = "/admin/tickets/purchase/"


@pytest.fixture
def staff(make_user):
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_payments_are_found_by_reference_id_email_and_ticket_id(staff, paid_purchase, make_payment, make_user):
    make_payment(make_user(email="someone@example.com"))
    payment = Payment.objects.get(payment_id=paid_purchase["payment"]["payment_id"])
    ticket_id = paid_purchase["tickets"][0]["ticket_id"]

    for query in (payment.reference, payment.payment_id, "kwame@example.com", "esi@example.com", ticket_id.lower()):
        page = staff.get(PAYMENTS, {"q": query})
        assert page.status_code == 200
        assert page.context["cl"].result_count == 1, query
        assert payment.payment_id in page.content.decode()


def test_payments_are_read_only(staff, paid_purchase):
    payment = Payment.objects.get()
    assert staff.get(f"{PAYMENTS}add/").status_code == 403
    page = staff.get(f"{PAYMENTS}{payment.pk}/change/")
    assert page.status_code == 200
    staff.post(f"{PAYMENTS}{payment.pk}/change/", {"status": "refunded"})
    payment.refresh_from_db()
    assert payment.status == "completed"
    assert staff.get(PAYMENTS, {"status__exact": "completed"}).context["cl"].result_count == 1


def test_re_running_verification_completes_a_paid_payment(staff, buy, django_capture_on_commit_callbacks):
    purchase = buy()
    SandboxProvider().record_outcome(purchase["payment"]["reference"], "success")
    payment = Payment.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(PAYMENTS, {"action": "rerun_verification", "_selected_action": [payment.pk]}, follow=True)

    assert response.status_code == 200
    assert "1 changed status" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == "completed"
    assert set(Ticket.objects.values_list("status", flat=True)) == {"active"}


def test_purchases_show_their_tickets_and_are_found_by_ticket_id(staff, paid_purchase, make_payment, make_user):
    make_payment(make_user())
    ticket_id = paid_purchase["tickets"][0]["ticket_id"]
    for query in (paid_purchase["purchase_id"], "esi@example.com", ticket_id):
        assert staff.get(PURCHASES, {"q": query}).context["cl"].result_count == 1, query

    purchase_pk = Payment.objects.get(payment_id=paid_purchase["payment"]["payment_id"]).purchase_id
    page = staff.get(f"{PURCHASES}{purchase_pk}/change/")
    assert page.status_code == 200
    assert ticket_id in page.content.decode()
    assert staff.get(f"{PURCHASES}add/").status_code == 403
