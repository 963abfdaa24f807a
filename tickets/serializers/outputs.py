"""The Ticket shapes of T1/T2 and the attended-event items of T4 (CONTRACT.md §7)."""

from django.urls import reverse
from rest_framework import serializers

from cafa.api.fields import AbsoluteFileUrlField, MoneyField, absolute_media_url
from events.models import Category, Event, EventStatus
from events.serializers.outputs import OrganizerMiniSerializer
from tickets.models import Ticket, TicketStatus


def reported_status(ticket: Ticket) -> str:
    """The status clients see (§1.11): an `active` ticket of a past event is `expired`."""
    if ticket.status == TicketStatus.ACTIVE and ticket.event.status == EventStatus.PAST:
        return TicketStatus.EXPIRED
    return ticket.status


def payment_of(ticket: Ticket):
    """The purchase's payment through the reverse one-to-one (`purchase.payment`), or None."""
    return getattr(ticket.purchase, "payment", None)


class TicketCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class TicketEventSerializer(serializers.ModelSerializer):
    category = TicketCategorySerializer(read_only=True)
    featured_image = AbsoluteFileUrlField()
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "slug",
            "featured_image",
            "category",
            "venue_name",
            "venue_city",
            "start_date",
            "start_time",
            "end_date",
            "end_time",
            "status",
        ]


class TicketEventDetailSerializer(TicketEventSerializer):
    organizer = OrganizerMiniSerializer(read_only=True)
    venue_location = serializers.DictField(read_only=True, allow_null=True)

    class Meta(TicketEventSerializer.Meta):
        fields = [
            "id",
            "title",
            "slug",
            "featured_image",
            "description",
            "category",
            "venue_name",
            "venue_address",
            "venue_city",
            "venue_country",
            "venue_location",
            "start_date",
            "start_time",
            "end_date",
            "end_time",
            "status",
            "organizer",
        ]


class TicketTypeMiniSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = MoneyField()


class TicketTypeDetailSerializer(TicketTypeMiniSerializer):
    description = serializers.CharField()


class TicketSerializer(serializers.ModelSerializer):
    """T1 items: one ticket with its event, type, holder, purchase and credential."""

    qr_code = serializers.SerializerMethodField()
    qr_payload = serializers.SerializerMethodField()
    event = TicketEventSerializer(read_only=True)
    ticket_type = TicketTypeMiniSerializer(read_only=True)
    attendee_info = serializers.SerializerMethodField()
    purchase_id = serializers.CharField(source="purchase.purchase_id", read_only=True)
    purchase_date = serializers.SerializerMethodField()
    payment_reference = serializers.SerializerMethodField()
    amount_paid = MoneyField(source="price_paid", read_only=True)
    status = serializers.SerializerMethodField()
    is_checked_in = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "ticket_id",
            "qr_code",
            "qr_payload",
            "event",
            "ticket_type",
            "attendee_info",
            "purchase_id",
            "purchase_date",
            "payment_reference",
            "amount_paid",
            "status",
            "is_checked_in",
            "checked_in_at",
            "check_in_count",
            "download_url",
        ]

    def get_qr_code(self, ticket) -> str | None:
        return (ticket.qr_code or None) if ticket.is_issued else None

    def get_qr_payload(self, ticket) -> str | None:
        return (ticket.qr_payload or None) if ticket.is_issued else None

    def get_attendee_info(self, ticket) -> dict:
        return {"name": ticket.attendee_name, "email": ticket.attendee_email, "phone": ticket.attendee_phone or None}

    def get_purchase_date(self, ticket) -> str:
        purchase = ticket.purchase
        value = getattr(ticket, "purchase_date", None) or purchase.completed_at or purchase.created_at
        return serializers.DateTimeField().to_representation(value)

    def get_payment_reference(self, ticket) -> str | None:
        payment = payment_of(ticket)
        return payment.reference if payment is not None else None

    def get_status(self, ticket) -> str:
        return reported_status(ticket)

    def get_is_checked_in(self, ticket) -> bool:
        return ticket.checked_in_at is not None or ticket.check_in_count > 0

    def get_download_url(self, ticket) -> str:
        path = reverse("ticket-download", kwargs={"ticket_id": ticket.ticket_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class TicketDetailSerializer(TicketSerializer):
    """T2: the Ticket shape with a richer event, the type's description and `purchase_info`."""

    event = TicketEventDetailSerializer(read_only=True)
    ticket_type = TicketTypeDetailSerializer(read_only=True)
    purchase_info = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "purchase_info"]

    def get_purchase_info(self, ticket) -> dict:
        purchase, payment = ticket.purchase, payment_of(ticket)
        fallback_method = "free" if purchase.is_free else "card"
        money = MoneyField()
        return {
            "purchase_id": purchase.purchase_id,
            "purchase_date": self.get_purchase_date(ticket),
            "payment_reference": payment.reference if payment is not None else None,
            "payment_method": (payment.payment_method if payment is not None else "") or fallback_method,
            "amount_paid": money.to_representation(ticket.price_paid),
            "service_fee": money.to_representation(purchase.service_fee),
            "currency": purchase.currency,
            "payment_status": payment.status if payment is not None else None,
        }


class AttendedEventSerializer(serializers.Serializer):
    """T4 items: an event the caller attended, seen through the checked-in ticket."""

    event = serializers.SerializerMethodField()
    ticket_id = serializers.CharField()
    ticket_type = serializers.CharField(source="ticket_type.name")
    attended_date = serializers.DateTimeField(source="checked_in_at")
    amount_paid = MoneyField(source="price_paid")

    def get_event(self, ticket) -> dict:
        event = ticket.event
        return {
            "id": event.id,
            "title": event.title,
            "slug": event.slug,
            "featured_image": absolute_media_url(self.context.get("request"), event.featured_image),
            "category": event.category.name,
            "venue_name": event.venue_name,
            "venue_city": event.venue_city,
            "event_date": event.start_date.isoformat(),
        }
