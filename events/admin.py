"""Admin for categories and events. Staff organizers see and edit only their own events."""

from django.contrib import admin
from django.db import models

from cafa.images import CleanImageFormField
from events import public_cache
from events.models import Category, Event, EventImage, TicketType
from events.selectors import with_current_view_counts
from events.services import unique_event_slug


class PublicPagesAdminMixin:
    """Staff edits bypass the services, so the admin makes the public pages they change stale itself."""

    def changed_events(self, objects) -> list[int]:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change):
        # the admin calls it after save_model on every save (change form and list edits), inlines included
        super().save_related(request, form, formsets, change)
        public_cache.events_changed(*self.changed_events([form.instance]))

    def delete_model(self, request, obj):
        public_cache.events_changed(*self.changed_events([obj]))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        public_cache.events_changed(*self.changed_events(queryset))
        super().delete_queryset(request, queryset)


@admin.register(Category)
class CategoryAdmin(PublicPagesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "icon", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def changed_events(self, categories) -> list[int]:
        return list(Event.objects.filter(category__in=[c.pk for c in categories]).values_list("pk", flat=True))


class TicketTypeInline(admin.TabularInline):
    model = TicketType
    extra = 0
    fields = ["name", "price", "quantity", "min_purchase", "max_purchase", "available_from", "available_until"]


# Uploads through the admin go through the same cleaner as the API's (re-encoded, renamed by format).
CLEAN_EVENT_IMAGES = {
    models.ImageField: {"form_class": CleanImageFormField, "max_bytes_setting": "EVENT_IMAGE_MAX_BYTES"},
}


class EventImageInline(admin.TabularInline):
    model = EventImage
    extra = 0
    fields = ["image", "position"]
    formfield_overrides = CLEAN_EVENT_IMAGES


@admin.register(Event)
class EventAdmin(PublicPagesAdminMixin, admin.ModelAdmin):
    list_display = ["title", "organizer", "category", "start_date", "venue_city", "is_published"]
    list_filter = ["is_published", "category", "start_date"]
    search_fields = ["title", "slug", "venue_name", "venue_city", "organizer__email"]
    list_select_related = ["organizer", "category"]
    date_hierarchy = "start_date"
    inlines = [TicketTypeInline, EventImageInline]
    readonly_fields = [
        "slug",
        "current_page_views",
        "current_unique_visitors",
        "checkin_public_key",
        "created_at",
        "updated_at",
    ]
    exclude = ["checkin_private_key"]
    raw_id_fields = ["organizer", "payment_profile"]
    formfield_overrides = CLEAN_EVENT_IMAGES

    @admin.display(description="Page views")
    def current_page_views(self, event):
        return with_current_view_counts([event])[0].current_view_counts.page_views

    @admin.display(description="Unique visitors")
    def current_unique_visitors(self, event):
        return with_current_view_counts([event])[0].current_view_counts.unique_visitors

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(organizer=request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "organizer"]

    def save_model(self, request, obj, form, change):
        if not change:
            if not request.user.is_superuser:
                obj.organizer = request.user
            obj.slug = unique_event_slug(obj.title)
        super().save_model(request, obj, form, change)

    def changed_events(self, events) -> list[int]:
        return [event.pk for event in events]
