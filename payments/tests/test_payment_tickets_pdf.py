"""`GET payments/{payment_id}/tickets.pdf`: every issued ticket of a payment in one PDF, one page each."""

import pypdfium2 as pdfium
import pytest
import zxingcpp

pytestmark = pytest.mark.django_db


def pdf_url(payment_id):
    return f"/api/v1/payments/{payment_id}/tickets.pdf"


def test_the_buyer_downloads_one_page_per_ticket_with_its_qr(paid_purchase, buyer_client):
    payment_id = paid_purchase["payment"]["payment_id"]

    response = buyer_client.get(pdf_url(payment_id))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="tickets-{payment_id}.pdf"'
    document = pdfium.PdfDocument(response.content)
    ticket_ids = [ticket["ticket_id"] for ticket in paid_purchase["tickets"]]
    assert len(document) == len(ticket_ids) == 2
    for index, page in enumerate(document):
        image = page.render(scale=2).to_pil()
        [code] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert ticket_ids[index] in page.get_textpage().get_text_range()
        assert ticket_ids[index] in code.text


def test_an_unpaid_payment_has_no_tickets_pdf(buy, buyer_client, assert_error):
    purchase = buy()
    assert_error(buyer_client.get(pdf_url(purchase["payment"]["payment_id"])), 400, "Payment not completed")


def test_someone_elses_payment_is_404(paid_purchase, make_user, client_for, assert_error):
    response = client_for(make_user()).get(pdf_url(paid_purchase["payment"]["payment_id"]))
    assert_error(response, 404, "Payment not found")
