"""Admin for purchases: read-only, with their tickets, found by purchase id, attendee e-mail or ticket id."""

from django.contrib import admin

from cafa.admin import ReadOnlyAdminMixin, ReadOnlyModelAdmin
from tickets.models import Purchase, Ticket, TicketDelivery


class TicketInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Ticket
    fields = ["ticket_id", "status", "attendee_name", "attendee_email", "price_paid", "issued_at", "checked_in_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = False


class TicketDeliveryInline(ReadOnlyAdminMixin, admin.StackedInline):
    """The ticket e-mail's state: due, sent or cancelled, with its attempts and last error."""

    model = TicketDelivery
    fields = ["status", "due_since", "sent_at", "attempts", "last_error", "claimed_until", "retry_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyModelAdmin):
    list_display = [
        "purchase_id",
        "attendee_email",
        "event",
        "ticket_type",
        "quantity",
        "total",
        "status",
        "created_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["=purchase_id", "attendee_email", "buyer__email", "=tickets__ticket_id"]
    list_select_related = ["event", "ticket_type"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    inlines = [TicketInline, TicketDeliveryInline]
