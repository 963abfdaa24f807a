"""Admin bases: read-only pages, organizer pages scoped to their owner, and forms that save through services.

Read-only: staff look, never add, change or delete (changes go through services). Organizer pages: see
OrganizerAdmin. Service forms: see ServiceFormAdminMixin.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, construct_instance
from django.http import Http404
from rest_framework import exceptions as api_exceptions


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


# --- Organizer pages ----------------------------------------------------------------------------


class OrganizerAdmin(admin.ModelAdmin):
    """Base of every organizer page: the signed-in organizer's own rows and nothing else.

    `owner_field` is the lookup from the model to the user who owns a row. Someone else's row does not
    exist here: change, delete and history answer 404 (CafaAdminSite turns every refusal into a 404
    too), and an action naming an id outside the organizer's rows is a 404 as well. The pages are for
    verified organizers with the Organizers group's permissions; bulk deletion is never offered, since
    every write goes through a service, one object at a time.
    """

    owner_field = "organizer"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(**{self.owner_field: request.user})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("The requested admin page does not exist.")
        return obj

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if selected and request.POST.get("select_across") != "1":
            try:
                own = self.get_queryset(request).filter(pk__in=set(selected)).count()
            except (ValidationError, ValueError):
                own = -1  # not even an id
            if own != len(set(selected)):
                raise Http404("The requested admin page does not exist.")
        return super().response_action(request, queryset)

    @staticmethod
    def is_organizer(request) -> bool:
        return bool(getattr(request.user, "is_organizer", False))

    def has_module_permission(self, request):
        return self.is_organizer(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.is_organizer(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.is_organizer(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.is_organizer(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.is_organizer(request) and super().has_delete_permission(request, obj)


class OwnRowsInlineFormSet(BaseInlineFormSet):
    """An inline whose posted row ids must be rows of the parent: a forged id is a 404, not a form error."""

    def _existing_object(self, pk):
        row = super()._existing_object(pk)
        if row is None and pk not in (None, ""):
            raise Http404("The requested admin page does not exist.")
        return row


# --- Writes through services --------------------------------------------------------------------


class SubmissionRefused(Exception):
    """A service (or its input serializer) refused what an admin form asked; nothing was saved.

    `errors` maps a form field name (or None: the whole form) to messages; `inlines` maps an inline
    formset's prefix to messages shown above that inline.
    """

    def __init__(self, errors: dict, inlines: dict | None = None):
        super().__init__(errors, inlines)
        self.errors = errors
        self.inlines = inlines or {}


def refusal(error: api_exceptions.APIException, renames=None, inlines=()) -> SubmissionRefused:
    """The SubmissionRefused of a service's domain or validation error.

    `renames` maps API field names to the form's (`payment_profile_id` -> `payment_profile`); errors of the
    API fields named in `inlines` (e.g. `ticket_types`) are shown above the inline of that prefix.
    """
    renames = renames or {}
    if not isinstance(error, api_exceptions.ValidationError):
        headline, message = getattr(error, "error", ""), str(error.detail)
        return SubmissionRefused({None: [f"{headline}: {message}" if headline else message]})
    detail = error.detail if isinstance(error.detail, dict) else {None: error.detail}
    errors = {renames.get(key, key): _messages(value) for key, value in detail.items() if key not in inlines}
    return SubmissionRefused(errors, {key: _messages(detail[key]) for key in inlines if key in detail})


def _messages(value, prefix="") -> list[str]:
    if isinstance(value, dict):
        return [message for key, item in value.items() for message in _messages(item, f"{prefix}{key}: ")]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item, prefix)]
    return [f"{prefix}{value}"]


class ServiceModelForm(forms.ModelForm):
    """The form of a page whose rows services write: the form checks each field's shape; the model's own
    checks (uniqueness, constraints) are left to the services and their serializers, whose messages are
    the API's. The instance is still filled in, for the admin's history and redisplay."""

    def _post_clean(self):
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class ServiceFormAdminMixin:
    """For admin pages whose save_model/save_related call services and raise SubmissionRefused on refusal.

    A refused save rolls back (the admin's transaction) and the page is shown again with the posted
    input and the refusal's messages on the form and its inlines, exactly as a validation error is.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SubmissionRefused as refused:
            request.submission_refused = refused
            for uploads in request.FILES.lists():
                for upload in uploads[1]:
                    upload.seek(0)  # the first pass read them
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refused = getattr(request, "submission_refused", None)
        return form if refused is None else _refused_form(form, refused.errors)


def adopt(form_instance, saved) -> None:
    """The admin's unsaved instance becomes the row a service saved (for the history entry and the redirect)."""
    form_instance.__dict__.update({name: value for name, value in saved.__dict__.items() if name != "_state"})
    form_instance._state.adding = False


def refused_formset(request, formset):
    """The inline formset class showing the refusal's messages for its prefix (for InlineModelAdmin.get_formset)."""
    refused = getattr(request, "submission_refused", None)
    messages = refused.inlines.get(formset.get_default_prefix()) if refused else None
    if not messages:
        return formset

    class RefusedFormSet(formset):
        def clean(self):
            super().clean()
            raise ValidationError(messages)

    return RefusedFormSet


def _refused_form(form, errors):
    class RefusedForm(form):
        def clean(self):
            cleaned = super().clean()
            for field, messages in errors.items():
                if field is None or field in self.fields:
                    self.add_error(field, messages)
                else:  # a rule on something the form does not show: said at the top, never dropped
                    self.add_error(None, [f"{field}: {message}" for message in messages])
            return cleaned

    RefusedForm.__name__ = form.__name__
    return RefusedForm
