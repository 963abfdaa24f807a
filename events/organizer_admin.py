"""The organizer's events in /admin/ (README "Organizers"): create, edit, publish, delete, with ticket types
and images, through the same input serializers and services as the API (O1-O3, O6-O8). Nothing here
writes a row itself: the form and its inlines become the API's payloads (events/organizer_forms.py),
the serializers judge them and the services write; a refusal is shown on the form and nothing is saved.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from rest_framework.exceptions import APIException

from accounts.models import PaymentProfile, PaymentProfileStatus
from cafa.admin import (
    OrganizerAdmin,
    OwnRowsInlineFormSet,
    ServiceFormAdminMixin,
    SubmissionRefused,
    adopt,
    refusal,
    refused_formset,
)
from events import selectors, services
from events.models import Category, EventImage, OrganizerEvent, TicketType
from events.organizer_forms import (
    FORM_NAMES,
    TICKET_TYPE_FIELDS,
    EventForm,
    EventImageForm,
    TicketTypeForm,
    edited_rows,
    event_payload,
    mark_saved,
    ticket_type_payload,
    validated_event,
    validated_ticket_type,
)

# --- Inlines ----------------------------------------------------------------------------------


class EventPartInline(admin.TabularInline):
    """Ticket types and images are parts of the event: whoever may change the event may change them."""

    formset = OwnRowsInlineFormSet
    extra = 0

    def _event_admin(self):
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self._event_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj):
        event_admin = self._event_admin()
        return event_admin.has_change_permission(request, obj) if obj else event_admin.has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        return refused_formset(request, super().get_formset(request, obj, **kwargs))


class TicketTypeInline(EventPartInline):
    model = TicketType
    form = TicketTypeForm
    fields = [*TICKET_TYPE_FIELDS, "sold"]
    readonly_fields = ["sold"]
    extra = 1

    def get_queryset(self, request):
        return selectors.ticket_types_with_stock()

    @admin.display(description="Sold")
    def sold(self, ticket_type):
        return getattr(ticket_type, "tickets_sold", 0)


class EventImageInline(EventPartInline):
    model = EventImage
    form = EventImageForm
    fields = ["image"]
    verbose_name = "additional image"


# --- The page ---------------------------------------------------------------------------------


@admin.register(OrganizerEvent)
class OrganizerEventAdmin(ServiceFormAdminMixin, OrganizerAdmin):
    form = EventForm
    inlines = [TicketTypeInline, EventImageInline]
    list_display = ["title", "start_date", "start_time", "venue_city", "is_published", "tickets_sold", "status"]
    list_filter = ["is_published", ("category", admin.RelatedOnlyFieldListFilter), "start_date"]
    search_fields = ["title", "venue_name", "venue_city"]
    date_hierarchy = "start_date"
    readonly_fields = ["slug", "checkin_public_key", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "category", "short_description", "description", "featured_image"]}),
        ("Venue", {"fields": ["venue_name", "venue_address", "venue_city", "venue_country", "latitude", "longitude"]}),
        ("When", {"fields": ["start_date", "start_time", "end_date", "end_time"]}),
        ("Repeats", {"fields": ["is_recurring", "recurrence_pattern"]}),
        ("Tickets and entry", {"fields": ["max_attendees", "check_in_policy", "payment_profile", "is_published"]}),
        ("Reference", {"fields": ["slug", "checkin_public_key", "created_at", "updated_at"]}),
    ]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return selectors.annotate_event_stock(super().get_queryset(request).select_related("category"))

    def has_change_permission(self, request, obj=None):
        # Like the API (O2): once an event has started it can no longer be edited, only looked at.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_upcoming)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.filter(is_active=True)
        elif db_field.name == "payment_profile":
            kwargs["queryset"] = PaymentProfile.objects.live().filter(
                user=request.user, status=PaymentProfileStatus.VERIFIED
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Sold", ordering="tickets_sold")
    def tickets_sold(self, event):
        return f"{event.tickets_sold} / {event.total_tickets}"

    @admin.display(description="Status")
    def status(self, event):
        return event.status

    # Saving: the event and its parts in one service call (create) or one call per change (edit).

    def save_model(self, request, obj, form, change):
        """Nothing yet: the event is written with its inlines in save_related, by the services."""

    def save_related(self, request, form, formsets, change):
        inlines = {formset.prefix: formset for formset in formsets}
        if change:
            self._update_event(request, form, inlines["images"])
            self._save_ticket_types(form.instance, inlines["ticket_types"])
        else:
            adopt(form.instance, self._create_event(request, form, inlines))

    def _create_event(self, request, form, inlines):
        payload = event_payload(form, form.fields)
        rows = edited_rows(inlines["ticket_types"])
        payload["ticket_types"] = [ticket_type_payload(row, TICKET_TYPE_FIELDS) for row in rows]
        payload["additional_images"] = [row.cleaned_data["image"] for row in edited_rows(inlines["images"])]
        try:
            event = services.create_event(organizer=request.user, data=validated_event(payload))
        except APIException as error:
            raise refusal(error, FORM_NAMES, inlines={"ticket_types", "additional_images"}) from error
        mark_saved(inlines["ticket_types"], created=list(event.ticket_types.all()))
        mark_saved(inlines["images"], created=list(event.images.all()))
        return event

    def _update_event(self, request, form, images):
        payload = event_payload(form, form.changed_data)
        added = [row.cleaned_data["image"] for row in edited_rows(images) if not row.instance.pk]
        removed = [row.instance for row in images.deleted_forms if row.instance.pk]
        if added:
            payload["additional_images"] = added
        if removed:
            payload["remove_additional_images"] = [image.image.name for image in removed]
        if payload:
            try:
                event = form.instance
                services.ensure_event_editable(event)
                data = validated_event(payload, instance=event)
                services.update_event(event=event, organizer=request.user, data=data)
            except APIException as error:
                raise refusal(error, FORM_NAMES, inlines={"additional_images"}) from error
        mark_saved(images, deleted=removed)

    def _save_ticket_types(self, event, formset):
        """Deletions first (they free capacity), then changes, then new types: O8, O7, O6."""
        deleted, changed, created = [], [], []
        try:
            for row in formset.deleted_forms:
                if row.instance.pk:
                    services.delete_ticket_type(ticket_type=selectors.event_ticket_type(event, row.instance.pk))
                    deleted.append(row.instance)
            for row in edited_rows(formset):
                if row.instance.pk and row.changed_data:
                    current = selectors.event_ticket_type(event, row.instance.pk)
                    data = validated_ticket_type(row, row.changed_data, event, instance=current)
                    changed.append((services.update_ticket_type(ticket_type=current, data=data), row.changed_data))
            for row in edited_rows(formset):
                if not row.instance.pk:
                    data = validated_ticket_type(row, TICKET_TYPE_FIELDS, event)
                    created.append(services.create_ticket_type(event=event, data=data))
        except APIException as error:
            name = row.cleaned_data.get("name") or row.instance.name
            texts = [f"{name}: {text}" for field_texts in refusal(error).errors.values() for text in field_texts]
            raise SubmissionRefused({}, {formset.prefix: texts}) from error
        mark_saved(formset, created=created, changed=changed, deleted=deleted)

    # Publishing and deleting

    @admin.action(description="Publish the selected events", permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description="Unpublish the selected events", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, published):
        done = 0
        for event in queryset:
            try:
                services.ensure_event_editable(event)
                data = validated_event({"is_published": published}, instance=event)
                services.update_event(event=event, organizer=request.user, data=data)
                done += 1
            except APIException as error:
                self.message_user(request, f"{event.title}: {error.detail}", messages.WARNING)
        if done:
            verb = "published" if published else "unpublished"
            self.message_user(request, f"{done} event(s) {verb}.", messages.SUCCESS)

    def delete_model(self, request, obj):
        services.delete_event(event=obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except APIException as error:  # sold or started: said on the event's page, nothing deleted
            suggestion = getattr(error, "extra", {}).get("suggestion", "")
            self.message_user(request, f"{error.detail} {suggestion}".strip(), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:events_organizerevent_change", args=[object_id]))
