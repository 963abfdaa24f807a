"""The one read-only admin base: staff look, never add, change or delete (changes go through services)."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline whose rows only services write."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]  # shown as text, no form fields built


class ReadOnlyModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass
