"""The organizer's door and dashboard in /admin/ (README "Organizers"): attendees with search, filters, a
check-in action (the tickets check-in service) and the CSV export (the C2 export's writer), the check-in
log, and the dashboard of upcoming and ongoing events on the admin index.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import Http404, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone

from analytics.charts import sales_chart
from analytics.exports import attendees_csv_response
from analytics.models import Attendee, CheckInRecord
from analytics.selectors.attendees import PAYMENT_STATUSES, payment_status_conditions
from analytics.selectors.common import local_zone
from analytics.selectors.organizer_dashboard import organizer_dashboard
from analytics.serializers.dashboards import AttendeeQuerySerializer
from cafa.admin import OrganizerAdmin, ReadOnlyAdminMixin
from events.models import Event
from tickets.exceptions import CheckInRefused
from tickets.services import checkin

# The attendees page's filters, by the C2 export's parameter names (the export link carries them over).
EXPORT_PARAMETERS = {
    "payment_status": "payment_status",
    "check_in_status": "check_in_status",
    "ticket_type__id__exact": "ticket_type_id",
    "q": "search",
}


class PaymentStatusFilter(admin.SimpleListFilter):
    """C2's `payment_status`, paid (issued tickets) unless asked otherwise."""

    title = "payment status"
    parameter_name = "payment_status"

    def lookups(self, request, model_admin):
        return [(status, status.capitalize()) for status in PAYMENT_STATUSES]

    def queryset(self, request, queryset):
        status = self.value() or "paid"
        if status == "all":
            return queryset
        conditions = payment_status_conditions(timezone.now())
        if status not in conditions:
            raise IncorrectLookupParameters(status)
        return queryset.filter(conditions[status])

    def choices(self, changelist):
        for status, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "paid") == status,
                "query_string": changelist.get_query_string({self.parameter_name: status}),
                "display": title,
            }


class CheckInStatusFilter(admin.SimpleListFilter):
    title = "check-in"
    parameter_name = "check_in_status"

    def lookups(self, request, model_admin):
        return [("checked_in", "Checked in"), ("not_checked_in", "Not checked in")]

    def queryset(self, request, queryset):
        if self.value() in ("checked_in", "not_checked_in"):
            return queryset.filter(checked_in_at__isnull=self.value() == "not_checked_in")
        return queryset


@admin.register(Attendee)
class AttendeeAdmin(ReadOnlyAdminMixin, OrganizerAdmin):
    owner_field = "event__organizer"
    list_display = [
        "ticket_id",
        "attendee_name",
        "attendee_email",
        "attendee_phone",
        "event_title",
        "ticket_type_name",
        "status",
        "checked_in_at",
        "check_in_count",
    ]
    list_filter = [
        PaymentStatusFilter,
        CheckInStatusFilter,
        ("event", admin.RelatedOnlyFieldListFilter),
        ("ticket_type", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["attendee_name", "attendee_email", "attendee_phone", "ticket_id"]  # C2's `search`
    list_select_related = ["event", "ticket_type"]
    ordering = ["-created_at", "-id"]
    fields = [
        "ticket_id",
        "event_title",
        "ticket_type_name",
        "status",
        "attendee_name",
        "attendee_email",
        "attendee_phone",
        "price_paid",
        "issued_at",
        "checked_in_at",
        "check_in_count",
    ]
    actions = ["check_in"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="Event", ordering="event__title")
    def event_title(self, ticket):
        return ticket.event.title

    @admin.display(description="Ticket type", ordering="ticket_type__name")
    def ticket_type_name(self, ticket):
        return ticket.ticket_type.name

    def has_check_in_permission(self, request):
        return self.is_organizer(request) and request.user.has_perm("analytics.check_in_attendee")

    @admin.action(description="Check in the selected attendees", permissions=["check_in"])
    def check_in(self, request, queryset):
        """One admission per ticket through the door's own service (C3): the same rules, the same log."""
        admitted = 0
        for ticket in queryset.select_related("event"):
            try:
                checkin.check_in(event=ticket.event, scanned_value=ticket.ticket_id, scanner=request.user)
                admitted += 1
            except CheckInRefused as refusal:
                self.message_user(request, f"{ticket.ticket_id}: {refusal.error}. {refusal.detail}", messages.WARNING)
        if admitted:
            self.message_user(request, f"{admitted} attendee(s) checked in.", messages.SUCCESS)

    # The CSV export: C2's rows, one of the organizer's events, the attendees page's filters.

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/<int:event_id>/", export, name="analytics_attendee_export"), *super().get_urls()]

    def export_view(self, request, event_id):
        event = self._own_event(request, event_id)
        query = AttendeeQuerySerializer(data=request.GET)
        if not query.is_valid():
            return HttpResponseBadRequest("Unknown export filter.")
        return attendees_csv_response(event, query.filters())

    def _own_event(self, request, event_id) -> Event:
        event = Event.objects.filter(pk=event_id, organizer=request.user).first()
        if event is None or not self.has_view_permission(request):
            raise Http404("The requested admin page does not exist.")
        return event

    def changelist_view(self, request, extra_context=None):
        event_id = request.GET.get("event__id__exact", "")
        export_url = None
        if event_id.isdigit() and Event.objects.filter(pk=event_id, organizer=request.user).exists():
            query = {EXPORT_PARAMETERS[key]: value for key, value in request.GET.items() if key in EXPORT_PARAMETERS}
            export_url = _with_query(reverse("admin:analytics_attendee_export", args=[event_id]), query)
        return super().changelist_view(request, {"export_url": export_url, **(extra_context or {})})


@admin.register(CheckInRecord)
class CheckInRecordAdmin(ReadOnlyAdminMixin, OrganizerAdmin):
    """Every scan at the organizer's doors, admitted or refused, newest first."""

    owner_field = "event__organizer"
    list_display = ["created_at", "event_title", "ticket_label", "attendee", "outcome", "reason", "scanned_by_name"]
    list_filter = ["outcome", ("event", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["scanned_value", "ticket__ticket_id", "ticket__attendee_name", "ticket__attendee_email"]
    list_select_related = ["event", "ticket", "scanned_by"]
    date_hierarchy = "created_at"
    fields = ["created_at", "event_title", "ticket_label", "attendee", "outcome", "reason", "scanned_by_name"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="Event", ordering="event__title")
    def event_title(self, record):
        return record.event.title

    @admin.display(description="Ticket")
    def ticket_label(self, record):
        return record.ticket.ticket_id if record.ticket else record.scanned_value[:60]

    @admin.display(description="Attendee")
    def attendee(self, record):
        return record.ticket.attendee_name if record.ticket else "—"

    @admin.display(description="Scanned by")
    def scanned_by_name(self, record):
        return checkin.checker_name(record.scanned_by)


# --- The dashboard on the admin index -----------------------------------------------------------


def organizer_dashboard_panel(request) -> str:
    """Each upcoming or ongoing event of the signed-in organizer: sales, revenue, check-ins, sales over time."""
    user = request.user
    if not getattr(user, "is_organizer", False) or not user.has_perm("events.view_organizerevent"):
        return ""
    today = timezone.localtime(timezone.now(), local_zone()).date()
    cards = [(event, sales_chart(event.sales, today=today)) for event in organizer_dashboard(user)]
    return render_to_string("analytics/admin/dashboard.html", {"cards": cards}, request=request)


admin.site.register_index_panel(organizer_dashboard_panel)


def _with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query)}" if query else url
