"""Waiting list shapes (CONTRACT.md §17): the WaitlistEntry object, WL1's body, WL2/WL5 filters."""

from rest_framework import serializers

from accounts.serializers.fields import PhoneField
from cafa.api.fields import MoneyField
from tickets.models import WaitlistStatus


class EntryEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


class EntryTicketTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = MoneyField()


class WaitlistEntrySerializer(serializers.Serializer):
    """Reads entries loaded by the waiting-list selectors (`queue_ahead` annotated, purchase joined)."""

    entry_id = serializers.CharField()
    event = EntryEventSerializer()
    ticket_type = EntryTicketTypeSerializer()
    quantity = serializers.IntegerField()
    status = serializers.CharField()
    position = serializers.SerializerMethodField()
    offered_at = serializers.DateTimeField()
    offer_expires_at = serializers.DateTimeField()
    purchase_id = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_position(self, entry) -> int | None:
        return entry.queue_ahead + 1 if entry.status == WaitlistStatus.WAITING else None

    def get_purchase_id(self, entry) -> str | None:
        if entry.status not in (WaitlistStatus.OFFERED, WaitlistStatus.ACCEPTED):
            return None
        purchase = getattr(entry, "purchase", None)
        return purchase.purchase_id if purchase else None


class OrganizerWaitlistEntrySerializer(WaitlistEntrySerializer):
    """WL5 items: the entry and who queues (the organizer sees attendees' contacts in C2 too)."""

    attendee = serializers.SerializerMethodField()

    def get_attendee(self, entry) -> dict:
        return {"name": entry.attendee_name, "email": entry.attendee_email, "phone": entry.attendee_phone or None}


class WaitlistAttendeeSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    phone = PhoneField()


class WaitlistJoinSerializer(serializers.Serializer):
    """WL1 body. The quantity's upper bound is the type's `max_purchase` (checked by the service)."""

    ticket_type_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.IntegerField(min_value=1, default=1)
    attendee_info = WaitlistAttendeeSerializer(required=False, allow_null=True)


class WaitlistQuerySerializer(serializers.Serializer):
    """WL2 and WL5 filters; a malformed value is a 400 keyed by the parameter."""

    status = serializers.ChoiceField(choices=WaitlistStatus.choices, required=False)
    ticket_type_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class WaitlistSummarySerializer(serializers.Serializer):
    waiting = serializers.IntegerField()
    offered = serializers.IntegerField()
    accepted = serializers.IntegerField()
    expired = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    seats_waiting = serializers.IntegerField()
