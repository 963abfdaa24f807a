"""The reference of the on-sale benchmark: a purchase doing only the work no implementation can skip.

`POST bench/reference/purchase/` with `{ticket_type_id, quantity}` and the buyer's access token. Behind the
same middleware and gunicorn as the API, it
  1. reads the buyer from the bearer token (signature and expiry checked; no database query),
  2. in one transaction: locks the ticket type row (SELECT ... FOR UPDATE), counts the tickets holding its
     stock (issued, plus reservations whose deadline has not passed), and, when the quantity fits, inserts
     the purchase row and its `quantity` ticket rows,
  3. answers 201 with the purchase and ticket ids (or 400 when the stock is short).
No throttle, serializer, idempotency record, payment row, promo code, waiting list or provider call: the
floor a purchase path can approach, not a path the API could ship. Routed only by bench/urls.py.
"""

import json
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from events.models import TicketType
from tickets.models import Purchase, Ticket

FEE = Decimal("0.05")


@csrf_exempt
@require_POST
def reference_purchase(request):
    try:
        buyer_id = int(AccessToken(request.headers.get("Authorization", "").removeprefix("Bearer "))["user_id"])
        body = json.loads(request.body)
        ticket_type_id, quantity = int(body["ticket_type_id"]), int(body["quantity"])
    except (TokenError, KeyError, TypeError, ValueError):
        return JsonResponse({"error": "Bad request"}, status=400)
    with transaction.atomic():
        ticket_type = TicketType.objects.select_for_update().filter(pk=ticket_type_id).first()
        if ticket_type is None:
            return JsonResponse({"error": "Ticket type not found"}, status=404)
        now = timezone.now()
        held = Ticket.objects.holding_stock(now).filter(ticket_type_id=ticket_type_id).count()
        if held + quantity > ticket_type.quantity:
            return JsonResponse({"error": "Not enough tickets available"}, status=400)
        subtotal = ticket_type.price * quantity
        fee = (subtotal * FEE).quantize(Decimal("0.01"))
        purchase = Purchase.objects.create(
            buyer_id=buyer_id,
            event_id=ticket_type.event_id,
            ticket_type=ticket_type,
            quantity=quantity,
            unit_price=ticket_type.price,
            subtotal=subtotal,
            service_fee=fee,
            total=subtotal + fee,
            attendee_name="Reference buyer",
            attendee_email="reference@bench.invalid",
            reserved_at=now,
            reservation_expires_at=now + timedelta(minutes=settings.RESERVATION_MINUTES),
        )
        tickets = Ticket.objects.bulk_create(
            Ticket(
                purchase=purchase,
                event_id=ticket_type.event_id,
                ticket_type=ticket_type,
                reserved_until=purchase.reservation_expires_at,
                attendee_name=purchase.attendee_name,
                attendee_email=purchase.attendee_email,
                price_paid=ticket_type.price,
            )
            for _ in range(quantity)
        )
    return JsonResponse(
        {"purchase_id": purchase.purchase_id, "ticket_ids": [ticket.ticket_id for ticket in tickets]}, status=201
    )
