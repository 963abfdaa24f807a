"""Fixtures for the tickets tests: purchases made straight through the services, PDF reading helpers."""

from decimal import Decimal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from django.db import transaction
from PIL import Image

from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets


@pytest.fixture
def buy_tickets(make_event):
    """Reserve and issue tickets straight through the tickets services (no payment involved).

    `buy_tickets(buyer, quantity=1, event=None, **attendee)` -> the completed purchase.
    """

    def buy(buyer, quantity=1, event=None, ticket_type=None, name="Kofi Boateng", email=None, phone=""):
        event = event or make_event()
        ticket_type = ticket_type or event.ticket_types.first()
        with transaction.atomic():  # reserve_tickets runs in its caller's transaction
            purchase = reserve_tickets(
                buyer=buyer,
                event=event,
                ticket_type_id=ticket_type.pk,
                quantity=quantity,
                attendee=Attendee(name=name, email=email or buyer.email, phone=phone),
            )
            issue_tickets(purchase=purchase)
        return purchase

    return buy


@pytest.fixture
def reserve_only(make_event):
    """A purchase whose tickets are still `reserved` (never paid)."""

    def reserve(buyer, quantity=1, event=None, promo_code=None):
        event = event or make_event()
        with transaction.atomic():  # reserve_tickets runs in its caller's transaction
            return reserve_tickets(
                buyer=buyer,
                event=event,
                ticket_type_id=event.ticket_types.first().pk,
                quantity=quantity,
                attendee=Attendee(name="Esi Owusu", email=buyer.email),
                promo_code=promo_code,
            )

    return reserve


@pytest.fixture
def pay_through_sandbox(client, django_capture_on_commit_callbacks):
    """Checkout + the sandbox page's Pay button, exactly as a buyer does it; returns the payment."""
    from payments.services.checkout import start_checkout  # tests may use payments; tickets code may not

    def pay(buyer, event, quantity=1, email=None):
        ticket_type = event.ticket_types.first()
        with django_capture_on_commit_callbacks(execute=True):
            checkout = start_checkout(
                buyer=buyer,
                event=event,
                ticket_type_id=ticket_type.pk,
                quantity=quantity,
                attendee=Attendee(name="Ama Serwaa", email=email or buyer.email),
            )
        payment = checkout.payment
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/payments/sandbox/{payment.reference}/", {"outcome": "success"})
        assert response.status_code == 302
        payment.refresh_from_db()
        return payment

    return pay


# --- Reading PDFs: pypdfium2 opens, measures, extracts and renders them -----------------------


class ParsedPdf:
    """A PDF as a reader sees it: its pages, their size and text, the images drawn and the rendering."""

    def __init__(self, content: bytes):
        assert content.startswith(b"%PDF-"), "not a PDF"
        self.document = pdfium.PdfDocument(content)

    @property
    def page_count(self) -> int:
        return len(self.document)

    def page_size_pt(self, index: int = 0) -> tuple[float, float]:
        return self.document[index].get_size()

    @property
    def text(self) -> str:
        return "\n".join(page.get_textpage().get_text_range() for page in self.document)

    def image_boxes_pt(self, index: int = 0) -> list[tuple[float, float]]:
        """Width and height, in points, of every image drawn on a page."""
        boxes = []
        for image in self.document[index].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            left, bottom, right, top = image.get_bounds()
            boxes.append((right - left, top - bottom))
        return boxes

    def render(self, index: int = 0, scale: float = 2.0) -> Image.Image:
        """The page rasterised the way a screen or a printer shows it."""
        return self.document[index].render(scale=scale).to_pil()


@pytest.fixture
def parse_pdf():
    return ParsedPdf


def money(value) -> Decimal:
    return Decimal(str(value))
