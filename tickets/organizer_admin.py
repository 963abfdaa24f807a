"""The organizer's sales in /admin/ (README "Organizers"): the purchases of their events and the tickets
in each, read-only. Buyers' accounts are never shown, only what the buyer entered for the attendee
(as in C2); related rows appear as text, never as links to pages an organizer cannot open.
"""

from django.contrib import admin

from cafa.admin import OrganizerAdmin, ReadOnlyAdminMixin
from tickets.models import Sale, Ticket


class SaleTicketInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Ticket
    fk_name = "purchase"
    fields = ["ticket_id", "status", "attendee_name", "attendee_email", "price_paid", "issued_at", "checked_in_at"]
    readonly_fields = fields
    extra = 0

    def has_view_permission(self, request, obj=None):
        return self.admin_site._registry[self.parent_model].has_view_permission(request, obj)


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdminMixin, OrganizerAdmin):
    owner_field = "event__organizer"
    list_display = [
        "purchase_id",
        "event_title",
        "ticket_type_name",
        "quantity",
        "subtotal",
        "status",
        "attendee_name",
        "attendee_email",
        "completed_at",
    ]
    list_filter = ["status", ("event", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["=purchase_id", "attendee_name", "attendee_email", "attendee_phone", "=tickets__ticket_id"]
    list_select_related = ["event", "ticket_type"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    inlines = [SaleTicketInline]
    fields = [
        "purchase_id",
        "event_title",
        "ticket_type_name",
        "quantity",
        "unit_price",
        "subtotal",
        "service_fee",
        "total",
        "currency",
        "status",
        "attendee_name",
        "attendee_email",
        "attendee_phone",
        "reserved_at",
        "completed_at",
        "closed_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="Event", ordering="event__title")
    def event_title(self, sale):
        return sale.event.title

    @admin.display(description="Ticket type", ordering="ticket_type__name")
    def ticket_type_name(self, sale):
        return sale.ticket_type.name
