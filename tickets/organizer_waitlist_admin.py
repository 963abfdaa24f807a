"""The organizer's waiting lists in /admin/ (README "Organizers"): the entries of their events in queue order,
read-only, as WL5 shows them (place in the queue, status, seats, offer times, who queues), with WL5's
summary per event above. One action runs the offer engine for the selected entries' ticket types: the
same service as the minute job and `manage.py waitlist offer`, under the type's lock.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters

from cafa.admin import OrganizerAdmin, ReadOnlyAdminMixin
from cafa.api.exceptions import LockTimeout
from tickets import selectors
from tickets.models import QueueEntry, WaitlistStatus
from tickets.services import offers

SHOWN_FIELDS = [
    "entry_id",
    "event_title",
    "ticket_type_name",
    "position",
    "quantity",
    "status",
    "attendee_name",
    "attendee_email",
    "attendee_phone",
    "created_at",
    "offered_at",
    "offer_expires_at",
    "purchase_reference",
    "payment_started_at",
    "closed_at",
]


class TicketTypeFilter(admin.SimpleListFilter):
    """WL5's `ticket_type_id`: the types of the organizer's events that have entries, named with their event."""

    title = "ticket type"
    parameter_name = "ticket_type"

    def lookups(self, request, model_admin):
        types = model_admin.own_entries(request).order_by("event__starts_at", "ticket_type_id")
        rows = types.values_list("ticket_type_id", "event__title", "ticket_type__name").distinct()
        return [(str(pk), f"{event_title}: {name}") for pk, event_title, name in rows]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(ticket_type_id=self.value())


@admin.register(QueueEntry)
class QueueEntryAdmin(ReadOnlyAdminMixin, OrganizerAdmin):
    owner_field = "event__organizer"
    change_list_template = "admin/tickets/queueentry/change_list.html"
    list_display = [
        "entry_id",
        "event_title",
        "ticket_type_name",
        "position",
        "quantity",
        "status",
        "attendee_name",
        "attendee_email",
        "attendee_phone",
        "offered_at",
        "offer_expires_at",
        "purchase_reference",
        "created_at",
    ]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), TicketTypeFilter, "status"]
    search_fields = ["=entry_id", "attendee_name", "attendee_email", "attendee_phone"]
    ordering = ["created_at", "id"]  # queue order, as WL5
    fields = SHOWN_FIELDS
    actions = ["offer_freed_seats"]

    def own_entries(self, request):
        """The organizer's entries, bare (for filters and the summary)."""
        return super().get_queryset(request)

    def get_queryset(self, request):
        rows = self.own_entries(request).select_related("event", "ticket_type", "purchase")
        return selectors.with_queue_position(rows)

    def get_readonly_fields(self, request, obj=None):
        return SHOWN_FIELDS

    @admin.display(description="Event", ordering="event__title")
    def event_title(self, entry):
        return entry.event.title

    @admin.display(description="Ticket type", ordering="ticket_type__name")
    def ticket_type_name(self, entry):
        return entry.ticket_type.name

    @admin.display(description="Place in queue")
    def position(self, entry):
        return entry.queue_ahead + 1 if entry.status == WaitlistStatus.WAITING else "—"

    @admin.display(description="Held purchase")
    def purchase_reference(self, entry):
        purchase = getattr(entry, "purchase", None)
        shown = entry.status in (WaitlistStatus.OFFERED, WaitlistStatus.ACCEPTED)
        return purchase.purchase_id if shown and purchase else "—"

    # WL5's summary of each event, above the list

    def changelist_view(self, request, extra_context=None):
        summaries = None
        if self.has_view_permission(request):
            entries = self.own_entries(request)
            event_id = request.GET.get("event__id__exact", "")
            if event_id.isdigit():
                entries = entries.filter(event_id=event_id)
            summaries = selectors.waitlist_summaries(entries)
        return super().changelist_view(request, {"summaries": summaries, **(extra_context or {})})

    # The offer engine, for the selected entries' ticket types

    def has_offer_permission(self, request):
        return self.is_organizer(request) and request.user.has_perm("tickets.offer_freed_seats")

    @admin.action(description="Offer freed seats of these entries' ticket types now", permissions=["offer"])
    def offer_freed_seats(self, request, queryset):
        """One engine pass per ticket type (expires its lapsed unpaid offers, offers its free seats in order)."""
        types = {entry.ticket_type_id: entry for entry in queryset.order_by()}
        for ticket_type_id, entry in sorted(types.items()):
            name = f"{entry.event.title}: {entry.ticket_type.name}"
            try:
                run = offers.offer_freed_seats(ticket_type_id=ticket_type_id)
            except LockTimeout:
                self.message_user(request, f"{name}: busy with purchases right now; try again.", messages.WARNING)
                continue
            self.message_user(
                request,
                f"{name}: {len(run.offered)} offer(s) made ({run.seats} seat(s)), "
                f"{run.lapsed} lapsed offer(s) expired.",
                messages.SUCCESS if run.offered else messages.INFO,
            )
