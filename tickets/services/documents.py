"""Ticket PDFs (CONTRACT.md §7.3): one A4 page per ticket, the same generator for downloads and e-mails.

Each page carries the event, venue, date and time, the ticket and its holder, the purchase, the
organizer and the QR code drawn large (7 cm) from the ticket's signed `qr_payload`.
"""

import io
from decimal import Decimal

from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from tickets import qr
from tickets.models import ISSUED_TICKET_STATUSES, Purchase, Ticket

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 2 * cm
QR_SIZE = 7 * cm
BRAND = HexColor("#1F2A44")
MUTED = HexColor("#5B6478")
LABEL_WIDTH = 3.2 * cm
TEXT_COLUMN_WIDTH = PAGE_WIDTH - 2 * MARGIN - QR_SIZE - 1 * cm


def render_ticket_pdf(ticket: Ticket) -> bytes:
    """One A4 page for one ticket. Expects `event__organizer`, `ticket_type` and `purchase` loaded."""
    return _render([ticket], title=f"Ticket {ticket.ticket_id}")


def render_purchase_pdf(purchase: Purchase) -> bytes:
    """One page per issued ticket of the purchase (an empty purchase gives an empty document)."""
    tickets = list(
        purchase.tickets.filter(status__in=ISSUED_TICKET_STATUSES).select_related("event__organizer", "ticket_type")
    )
    for ticket in tickets:
        ticket.purchase = purchase
    return _render(tickets, title=f"Tickets {purchase.purchase_id}")


def _render(tickets, *, title: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(title)
    canvas.setAuthor("Cafa Tickets")
    canvas.setCreator("Cafa Tickets")
    for ticket in tickets:
        _draw_ticket_page(canvas, ticket)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def format_money(amount) -> str:
    amount = Decimal(amount)
    return "Free" if amount == 0 else f"GHS {amount:,.2f}"


def format_event_date(event) -> str:
    start = event.start_date
    text = f"{start:%A}, {start.day} {start:%B %Y}"
    if event.end_date and event.end_date != start:
        end = event.end_date
        text += f" to {end:%A}, {end.day} {end:%B %Y}"
    return text


def format_event_time(event) -> str:
    text = f"{event.start_time:%H:%M}"
    if event.end_time:
        text += f" \u2013 {event.end_time:%H:%M}"
    return f"{text} (Africa/Accra)"


def _venue(event) -> str:
    parts = [event.venue_name, event.venue_address, event.venue_city]
    return ", ".join(part for part in parts if part)


def _organizer(event) -> str:
    organizer = event.organizer
    return organizer.full_name or organizer.username


def _rows(ticket: Ticket) -> list[tuple[str, str]]:
    event = ticket.event
    rows = [
        ("Date", format_event_date(event)),
        ("Time", format_event_time(event)),
        ("Venue", _venue(event)),
        ("Organizer", _organizer(event)),
        ("Ticket type", ticket.ticket_type.name),
        ("Price paid", format_money(ticket.price_paid)),
        ("Attendee", ticket.attendee_name),
        ("E-mail", ticket.attendee_email),
        ("Purchase ID", ticket.purchase.purchase_id),
        ("Ticket ID", ticket.ticket_id),
    ]
    purchase = ticket.purchase
    if purchase.discount and purchase.promo_code_id:  # the price paid is already the discounted one
        rows.insert(6, ("Promo code", purchase.promo_code.code))
    return rows


def _draw_ticket_page(canvas: Canvas, ticket: Ticket) -> None:
    top = _draw_header(canvas)
    top = _draw_title(canvas, ticket.event.title, top - 1.2 * cm)
    _draw_qr(canvas, ticket, top)
    _draw_details(canvas, ticket, top)
    _draw_footer(canvas)


def _draw_header(canvas: Canvas) -> float:
    band = 2.2 * cm
    canvas.setFillColor(BRAND)
    canvas.rect(0, PAGE_HEIGHT - band, PAGE_WIDTH, band, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(MARGIN, PAGE_HEIGHT - 1.35 * cm, "Cafa Tickets")
    canvas.setFont("Helvetica", 11)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 1.3 * cm, "Admission ticket")
    return PAGE_HEIGHT - band


def _draw_title(canvas: Canvas, title: str, baseline: float) -> float:
    canvas.setFillColor(BRAND)
    canvas.setFont("Helvetica-Bold", 20)
    lines = simpleSplit(title, "Helvetica-Bold", 20, PAGE_WIDTH - 2 * MARGIN)[:3]
    for line in lines:
        canvas.drawString(MARGIN, baseline, line)
        baseline -= 0.9 * cm
    return baseline - 0.4 * cm


def _draw_qr(canvas: Canvas, ticket: Ticket, top: float) -> None:
    x = PAGE_WIDTH - MARGIN - QR_SIZE
    payload = ticket.qr_payload
    if payload:
        canvas.drawImage(ImageReader(qr.qr_image(payload, box_size=10)), x, top - QR_SIZE, QR_SIZE, QR_SIZE)
    canvas.setFillColor(MUTED)
    canvas.setFont("Courier", 8.5)
    canvas.drawCentredString(x + QR_SIZE / 2, top - QR_SIZE - 0.5 * cm, ticket.ticket_id)
    canvas.setFont("Helvetica", 9)
    canvas.drawCentredString(x + QR_SIZE / 2, top - QR_SIZE - 1.0 * cm, "Scan at the entrance")


def _draw_details(canvas: Canvas, ticket: Ticket, top: float) -> None:
    y = top - 0.4 * cm
    value_width = TEXT_COLUMN_WIDTH - LABEL_WIDTH
    for label, value in _rows(ticket):
        canvas.setFillColor(MUTED)
        canvas.setFont("Helvetica", 9)
        canvas.drawString(MARGIN, y, label.upper())
        canvas.setFillColor(BRAND)
        font = "Courier-Bold" if label == "Ticket ID" else "Helvetica-Bold"
        size = 8.5 if label == "Ticket ID" else 11
        canvas.setFont(font, size)
        for line in simpleSplit(value or "-", font, size, value_width)[:3] or ["-"]:
            canvas.drawString(MARGIN + LABEL_WIDTH, y, line)
            y -= 0.5 * cm
        y -= 0.3 * cm


def _draw_footer(canvas: Canvas) -> None:
    canvas.setStrokeColor(MUTED)
    canvas.line(MARGIN, 3 * cm, PAGE_WIDTH - MARGIN, 3 * cm)
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(MARGIN, 2.4 * cm, "One admission per QR code. Keep this ticket private: anyone holding the code")
    canvas.drawString(MARGIN, 2.0 * cm, "can use it. Manage your tickets at Cafa Tickets > Dashboard > My tickets.")
