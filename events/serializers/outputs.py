"""Response shapes of CONTRACT.md §1.12, §4 and §5. Stock figures come from the selectors' annotations.

Over 300 lines on purpose: the public and the organizer shapes extend one another (card -> public detail,
card -> my event -> my event detail), and keeping that chain in one module keeps each shape's fields
in one place.
"""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import serializers

from cafa.api.fields import AbsoluteFileUrlField, MoneyField, absolute_media_url
from events import selectors
from events.models import Category, Event, TicketType


def share_urls(slug: str, title: str) -> dict:
    url = f"{settings.FRONTEND_URL}/events/{slug}"
    return {
        "facebook": f"https://www.facebook.com/sharer/sharer.php?{urlencode({'u': url})}",
        "twitter": f"https://twitter.com/intent/tweet?{urlencode({'url': url, 'text': title})}",
        "whatsapp": f"https://wa.me/?{urlencode({'text': f'{title} {url}'})}",
        "email": f"mailto:?subject={quote(title)}&body={quote(url, safe='')}",
    }


def google_maps_url(latitude, longitude, venue_name: str, venue_city: str) -> str | None:
    if latitude is not None and longitude is not None:
        query = f"{latitude},{longitude}"
    elif venue_name or venue_city:
        query = ", ".join(part for part in (venue_name, venue_city) if part)
    else:
        return None
    return f"https://www.google.com/maps/search/?{urlencode({'api': 1, 'query': query})}"


def recurrence_info(is_recurring: bool, pattern) -> dict | None:
    if not is_recurring or not isinstance(pattern, dict):
        return None
    return {
        "frequency": pattern.get("frequency"),
        "interval": pattern.get("interval", 1),
        "end_date": pattern.get("end_date"),
        "total_occurrences": pattern.get("occurrences"),
    }


def _coordinate(value):
    return float(value) if value is not None else None


class CategoryMiniSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "icon"]


class CategorySerializer(CategoryMiniSerializer):
    event_count = serializers.IntegerField(read_only=True)

    class Meta(CategoryMiniSerializer.Meta):
        fields = [*CategoryMiniSerializer.Meta.fields, "event_count"]


class OrganizerMiniSerializer(serializers.ModelSerializer):
    profile_image = AbsoluteFileUrlField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "profile_image"]


class TicketTypePublicSerializer(serializers.ModelSerializer):
    price = MoneyField()
    tickets_sold = serializers.IntegerField(read_only=True)
    tickets_remaining = serializers.IntegerField(read_only=True)
    status = serializers.SerializerMethodField()
    is_available = serializers.SerializerMethodField()
    waitlist_open = serializers.SerializerMethodField()
    waiting_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TicketType
        fields = [
            "id",
            "name",
            "description",
            "price",
            "quantity",
            "tickets_sold",
            "tickets_remaining",
            "min_purchase",
            "max_purchase",
            "available_from",
            "available_until",
            "status",
            "is_available",
            "sold_out_at",
            "waitlist_open",
            "waiting_count",
        ]

    def get_status(self, ticket_type) -> str:
        return selectors.ticket_type_status(ticket_type)

    def get_is_available(self, ticket_type) -> bool:
        return selectors.ticket_type_is_available(ticket_type)

    def get_waitlist_open(self, ticket_type) -> bool:
        return selectors.ticket_type_waitlist_open(ticket_type)


class TicketTypeOrganizerSerializer(TicketTypePublicSerializer):
    tickets_reserved = serializers.IntegerField(read_only=True)
    revenue = MoneyField(read_only=True)
    sales_percentage = serializers.SerializerMethodField()

    class Meta(TicketTypePublicSerializer.Meta):
        fields = [*TicketTypePublicSerializer.Meta.fields, "tickets_reserved", "revenue", "sales_percentage"]

    def get_sales_percentage(self, ticket_type) -> float:
        return selectors.percentage(ticket_type.tickets_sold, ticket_type.quantity)


class EventCardSerializer(serializers.ModelSerializer):
    """Items of `events/` and `events/past/`; the base of every other event shape."""

    organizer = OrganizerMiniSerializer(read_only=True)
    category = CategoryMiniSerializer(read_only=True)
    featured_image = AbsoluteFileUrlField()
    tickets_sold = serializers.IntegerField(read_only=True)
    tickets_available = serializers.IntegerField(read_only=True)
    total_tickets = serializers.IntegerField(read_only=True)
    lowest_price = MoneyField(read_only=True)
    highest_price = MoneyField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "slug",
            "organizer",
            "category",
            "short_description",
            "featured_image",
            "venue_name",
            "venue_city",
            "venue_country",
            "start_date",
            "end_date",
            "start_time",
            "end_time",
            "max_attendees",
            "tickets_sold",
            "tickets_available",
            "total_tickets",
            "lowest_price",
            "highest_price",
            "status",
            "is_recurring",
            "is_published",
            "created_at",
            "updated_at",
        ]


class PublicOrganizerSerializer(OrganizerMiniSerializer):
    """The organizer block of P4; the stats come from `selectors.public_event_page`."""

    events_organized = serializers.SerializerMethodField()
    total_tickets_sold = serializers.SerializerMethodField()
    member_since = serializers.SerializerMethodField()

    class Meta(OrganizerMiniSerializer.Meta):
        fields = [
            "id",
            "username",
            "email",
            "full_name",
            "profile_image",
            "bio",
            "events_organized",
            "total_tickets_sold",
            "member_since",
        ]

    def get_events_organized(self, user) -> int:
        return self.context["organizer_stats"]["events_organized"]

    def get_total_tickets_sold(self, user) -> int:
        return self.context["organizer_stats"]["total_tickets_sold"]

    def get_member_since(self, user) -> str:
        return user.date_joined.date().isoformat()


class SimilarEventSerializer(serializers.ModelSerializer):
    featured_image = AbsoluteFileUrlField()
    lowest_price = MoneyField(read_only=True)

    class Meta:
        model = Event
        fields = ["id", "title", "slug", "featured_image", "start_date", "venue_city", "lowest_price"]


class PublicEventDetailSerializer(EventCardSerializer):
    """P4. Context: `organizer_stats`, `similar_events` (from the selectors)."""

    organizer = serializers.SerializerMethodField()
    additional_images = serializers.SerializerMethodField()
    venue = serializers.SerializerMethodField()
    recurrence_info = serializers.SerializerMethodField()
    ticket_types = TicketTypePublicSerializer(many=True, read_only=True)
    similar_events = serializers.SerializerMethodField()
    share_urls = serializers.SerializerMethodField()

    class Meta(EventCardSerializer.Meta):
        fields = [
            *EventCardSerializer.Meta.fields,
            "description",
            "additional_images",
            "venue",
            "timezone",
            "recurrence_info",
            "check_in_policy",
            "ticket_types",
            "similar_events",
            "share_urls",
        ]

    def get_organizer(self, event) -> dict:
        return PublicOrganizerSerializer(event.organizer, context=self.context).data

    def get_additional_images(self, event) -> list[str]:
        request = self.context.get("request")
        return [absolute_media_url(request, image.image) for image in event.images.all()]

    def get_venue(self, event) -> dict:
        return {
            "name": event.venue_name,
            "address": event.venue_address,
            "city": event.venue_city,
            "country": event.venue_country,
            "latitude": _coordinate(event.latitude),
            "longitude": _coordinate(event.longitude),
            "google_maps_url": google_maps_url(event.latitude, event.longitude, event.venue_name, event.venue_city),
        }

    def get_recurrence_info(self, event) -> dict | None:
        return recurrence_info(event.is_recurring, event.recurrence_pattern)

    def get_similar_events(self, event) -> list[dict]:
        return SimilarEventSerializer(self.context["similar_events"], many=True, context=self.context).data

    def get_share_urls(self, event) -> dict:
        return share_urls(event.slug, event.title)


class AnalyticsSerializer(serializers.Serializer):
    total_tickets = serializers.IntegerField()
    tickets_sold = serializers.IntegerField()
    tickets_remaining = serializers.IntegerField()
    tickets_checked_in = serializers.IntegerField()
    sales_percentage = serializers.FloatField()
    gross_revenue = MoneyField()
    net_revenue = MoneyField()
    platform_fee = MoneyField()
    page_views = serializers.IntegerField()
    unique_visitors = serializers.IntegerField()
    conversion_rate = serializers.FloatField()
    last_sale_date = serializers.DateTimeField(allow_null=True)


class MyEventSerializer(EventCardSerializer):
    """O4 items: EventCard + `analytics` + `ticket_types` (TicketTypeOrganizer)."""

    analytics = serializers.SerializerMethodField()
    ticket_types = TicketTypeOrganizerSerializer(many=True, read_only=True)

    class Meta(EventCardSerializer.Meta):
        fields = [*EventCardSerializer.Meta.fields, "analytics", "ticket_types"]

    def get_analytics(self, event) -> dict:
        return AnalyticsSerializer(selectors.sales_analytics(event)).data


class OwnerOrganizerSerializer(serializers.ModelSerializer):
    profile_image = AbsoluteFileUrlField()
    phone = serializers.CharField(source="phone_number", allow_null=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "email", "phone", "profile_image"]


class PaymentProfileMiniSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    method = serializers.CharField()
    status = serializers.CharField()
    is_default = serializers.BooleanField()


class MyEventDetailSerializer(MyEventSerializer):
    """O5 (also the `event` of the O2 response)."""

    organizer = OwnerOrganizerSerializer(read_only=True)
    additional_images = serializers.SerializerMethodField()
    venue_location = serializers.DictField(read_only=True, allow_null=True)
    payment_profile = PaymentProfileMiniSerializer(read_only=True, allow_null=True)
    share_urls = serializers.SerializerMethodField()

    class Meta(MyEventSerializer.Meta):
        fields = [
            *MyEventSerializer.Meta.fields,
            "description",
            "venue_address",
            "additional_images",
            "venue_location",
            "recurrence_pattern",
            "check_in_policy",
            "timezone",
            "payment_profile",
            "checkin_public_key",
            "share_urls",
        ]

    get_additional_images = PublicEventDetailSerializer.get_additional_images
    get_share_urls = PublicEventDetailSerializer.get_share_urls


class EventCreatedSerializer(serializers.ModelSerializer):
    """`data` of the O1 response."""

    ticket_types_created = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "title", "slug", "is_published", "created_at", "ticket_types_created"]

    def get_ticket_types_created(self, event) -> int:
        return event.ticket_types.count()


class OrganizerSummarySerializer(serializers.Serializer):
    """`summary` of O4."""

    total_events = serializers.IntegerField()
    upcoming_events = serializers.IntegerField()
    ongoing_events = serializers.IntegerField()
    past_events = serializers.IntegerField()
    total_revenue = MoneyField()
    total_tickets_sold = serializers.IntegerField()
