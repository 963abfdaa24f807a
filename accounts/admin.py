"""Django admin for accounts: find users fast; audit fields are read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import PaymentProfile, User


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
