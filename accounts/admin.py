"""Django admin for accounts: find users fast; audit fields are read-only."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.models import PaymentProfile, User, VerificationRequest, VerificationStatus
from accounts.services import verification
from cafa.api.exceptions import DomainError
from cafa.images import CleanImageFormField


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "username")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    formfield_overrides = {
        models.ImageField: {"form_class": CleanImageFormField, "max_bytes_setting": "PROFILE_IMAGE_MAX_BYTES"}
    }
    list_display = ["email", "username", "full_name", "is_active", "is_email_verified", "is_organizer", "date_joined"]
    list_filter = ["is_active", "is_email_verified", "is_organizer", "verification_status", "is_staff", "country"]
    search_fields = ["email", "username", "full_name", "phone_number"]
    ordering = ["-date_joined"]
    readonly_fields = [
        "date_joined",
        "last_login",
        "deleted_at",
        "is_email_verified",
        "is_organizer",
        "verification_status",
        "verification_submitted_at",
        "verified_at",
    ]
    fieldsets = [
        (None, {"fields": ["email", "username", "password"]}),
        ("Profile", {"fields": ["full_name", "phone_number", "profile_image", "bio", "city", "country"]}),
        (
            "Notifications",
            {"fields": ["marketing_emails", "event_reminders", "email_notifications", "sms_notifications"]},
        ),
        (
            "Organizer verification",
            {"fields": ["verification_status", "is_organizer", "verification_submitted_at", "verified_at"]},
        ),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Audit", {"fields": ["date_joined", "last_login", "deleted_at", "is_email_verified"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "username", "usable_password", "password1", "password2"]})
    ]


@admin.register(PaymentProfile)
class PaymentProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "method", "status", "is_default", "created_at"]
    list_filter = ["method", "status", "is_default"]
    search_fields = ["name", "user__email", "account_name", "account_number"]
    readonly_fields = ["created_at", "updated_at", "verified_at", "verification_attempts", "deleted_at"]
    raw_id_fields = ["user"]


@admin.register(VerificationRequest)
class VerificationRequestAdmin(admin.ModelAdmin):
    """The review queue: pending requests first; each decision goes through the services."""

    list_display = ["email", "full_name", "verification_status", "verification_submitted_at", "documents"]
    list_filter = ["verification_status"]
    search_fields = ["email", "username", "full_name"]
    ordering = ["verification_submitted_at"]
    fields = [
        "email",
        "full_name",
        "verification_status",
        "verification_submitted_at",
        "verified_at",
        "verification_notes",
        "documents",
    ]
    readonly_fields = fields
    actions = ["approve", "reject", "revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(verification_status=VerificationStatus.NOT_STARTED)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Documents")
    def documents(self, user):
        links = [
            format_html(
                '<a href="{}?user_id={}" target="_blank">{}</a>',
                reverse("verification-file", args=[kind]),
                user.pk,
                label,
            )
            for kind, label in (("id_document", "ID"), ("selfie_image", "Selfie"))
            if getattr(user, kind)
        ]
        return format_html_join(" · ", "{}", ((link,) for link in links)) or "—"

    @admin.action(description="Approve selected requests")
    def approve(self, request, queryset):
        self._decide(request, queryset, verification.approve_verification)

    @admin.action(description="Reject selected requests (asks for a reason)")
    def reject(self, request, queryset):
        return self._with_reason(request, queryset, "reject", verification.reject_verification)

    @admin.action(description="Revoke verification of selected organizers (asks for a reason)")
    def revoke(self, request, queryset):
        return self._with_reason(request, queryset, "revoke", verification.revoke_verification)

    def _with_reason(self, request, queryset, action, decide):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._decide(request, queryset, decide, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "queryset": queryset,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/verification_reason.html", context)

    def _decide(self, request, queryset, decide, **kwargs):
        done = 0
        for user in queryset:
            try:
                decide(user=user, **kwargs)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{user.email}: {error.detail}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} request(s) updated; the users were e-mailed.", messages.SUCCESS)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, max_length=1000, help_text="Shown to the user.")
