"""Staff admin of the tickets app, read-only: purchases with their tickets, promo codes, waiting lists.

Organizer-scoped pages live in tickets/organizer_admin.py (sales), organizer_promo_admin.py (promo codes)
and organizer_waitlist_admin.py (waiting lists).
"""

from django.contrib import admin

from cafa.admin import ReadOnlyAdminMixin, ReadOnlyModelAdmin
from tickets import (  # noqa: F401 (the organizer_* modules register the organizers' pages)
    organizer_admin,
    organizer_promo_admin,
    organizer_waitlist_admin,
    selectors,
)
from tickets.models import PromoCode, Purchase, Ticket, TicketDelivery, WaitlistEntry, WaitlistNotice
from tickets.services import offers, promos


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


@admin.register(PromoCode)
class PromoCodeAdmin(ReadOnlyModelAdmin):
    """Staff look at codes and their uses; organizers change them through the API or their own admin page
    (the service's rules: a used code's discount is frozen, a fixed discount stays under the lowest price)."""

    list_display = [
        "code",
        "event",
        "discount_type",
        "discount_value",
        "uses",
        "max_uses",
        "discount_total",
        "is_active",
        "valid_until",
    ]
    list_filter = ["is_active", "discount_type"]
    search_fields = ["=code", "event__title", "event__slug"]
    list_select_related = ["event"]
    actions = ["deactivate"]

    def get_queryset(self, request):
        return selectors.with_promo_figures(super().get_queryset(request))

    @admin.display(description="uses", ordering="uses")
    def uses(self, promo):
        return promo.uses

    @admin.display(description="discount given", ordering="discount_total")
    def discount_total(self, promo):
        return promo.discount_total

    @admin.action(description="Deactivate the selected codes (existing purchases keep their discount)")
    def deactivate(self, request, queryset):
        for promo in queryset:
            promos.update_promo_code(promo=promo, data={"is_active": False})
        self.message_user(request, f"{queryset.count()} code(s) deactivated.")


class WaitlistNoticeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WaitlistNotice
    fields = ["kind", "created_at", "sent_at", "attempts", "last_error", "claimed_until"]
    readonly_fields = fields
    extra = 0


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyModelAdmin):
    """The queues, read-only (offers are made only by the engine, under the ticket type's lock); an action
    runs the engine for the selected entries' ticket types, as `manage.py waitlist offer` does."""

    list_display = ["entry_id", "attendee_email", "event", "ticket_type", "quantity", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["=entry_id", "attendee_email", "user__email", "event__title"]
    list_select_related = ["event", "ticket_type"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    inlines = [WaitlistNoticeInline]
    actions = ["offer_freed_seats"]

    @admin.action(description="Offer freed seats of these ticket types now")
    def offer_freed_seats(self, request, queryset):
        made = 0
        for ticket_type_id in sorted(set(queryset.values_list("ticket_type_id", flat=True))):
            made += len(offers.offer_freed_seats(ticket_type_id=ticket_type_id).offered)
        self.message_user(request, f"{made} offer(s) made.")
