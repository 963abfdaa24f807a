"""The organizer's payment profiles in /admin/ (README "Organizers"): add, rename, make default, delete,
through the API's serializers and the payment-profile services (M2, M4-M6). Account numbers are shown
masked, as the API shows them; account details never change (a new profile is the way, as in M4).
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from rest_framework.exceptions import APIException, ValidationError

from accounts.models import OrganizerPaymentProfile, PaymentMethod
from accounts.serializers.payment_profiles import (
    PaymentProfileCreateSerializer,
    PaymentProfileUpdateSerializer,
    mask_account_number,
)
from accounts.services import payment_profiles as services
from cafa.admin import OrganizerAdmin, ServiceFormAdminMixin, ServiceModelForm, adopt, refusal

BANK_FIELDS = ["account_number", "account_name", "bank_name", "bank_code", "branch"]
MOBILE_MONEY_FIELDS = ["account_number", "network", "account_name"]
ADD_FIELDS = ["method", "name", "description", "account_number", "account_name"]
ADD_FIELDS += ["bank_name", "bank_code", "branch", "network"]
CHANGE_FIELDS = ["name", "description"]
SHOWN_FIELDS = ["method", "masked_account", "account_name", "bank_name", "network", "status", "is_default"]
SHOWN_FIELDS += ["verified_at", "failure_reason", "created_at"]


class PaymentProfileForm(ServiceModelForm):
    account_name = forms.CharField(
        required=False, max_length=150, help_text="Left blank, the provider's name for the account is used."
    )

    class Meta:
        model = OrganizerPaymentProfile
        fields = ADD_FIELDS
        labels = {"account_number": "Account or mobile number"}
        help_texts = {
            "account_number": "Bank: 8-20 digits. Mobile money: the wallet's number, e.g. 0241234567.",
            "bank_name": "Bank transfer only.",
            "bank_code": "Bank transfer only: the bank's code from the bank list.",
            "network": "Mobile money only: MTN, Telecel or AirtelTigo.",
        }


@admin.register(OrganizerPaymentProfile)
class OrganizerPaymentProfileAdmin(ServiceFormAdminMixin, OrganizerAdmin):
    owner_field = "user"
    form = PaymentProfileForm
    list_display = ["name", "method", "masked_account", "status", "is_default", "verified_at", "created_at"]
    list_filter = ["method", "status"]
    search_fields = ["name", "account_name"]
    actions = ["make_default"]

    def get_queryset(self, request):
        return super().get_queryset(request).live()

    def get_fields(self, request, obj=None):
        return ADD_FIELDS if obj is None else [*CHANGE_FIELDS, *SHOWN_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else SHOWN_FIELDS

    @admin.display(description="Account")
    def masked_account(self, profile):
        return mask_account_number(profile)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = self._rename(obj, form)
            else:
                saved = services.create_payment_profile(user=request.user, **_validated_new_profile(form))
        except APIException as error:
            raise refusal(_account_details_flattened(error)) from error
        adopt(obj, saved)

    def _rename(self, obj, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in CHANGE_FIELDS}
        serializer = PaymentProfileUpdateSerializer(data=changes)
        serializer.is_valid(raise_exception=True)
        return services.update_payment_profile(profile=obj, **serializer.validated_data)

    @admin.action(description="Make the selected profile the default", permissions=["change"])
    def make_default(self, request, queryset):
        for profile in queryset[:1]:
            try:
                services.set_default_payment_profile(profile=profile)
                self.message_user(request, f"{profile.name} is now your default.", messages.SUCCESS)
            except APIException as error:
                self.message_user(request, f"{profile.name}: {error.detail}", messages.WARNING)

    def delete_model(self, request, obj):
        services.delete_payment_profile(profile=obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except APIException as error:  # the default among others, or still in use: said, nothing deleted
            self.message_user(request, str(error.detail), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:accounts_organizerpaymentprofile_change", args=[object_id]))


def _validated_new_profile(form) -> dict:
    """The form as M2's body, judged by M2's serializer."""
    data = form.cleaned_data
    method = data.get("method")
    names = BANK_FIELDS if method == PaymentMethod.BANK_TRANSFER else MOBILE_MONEY_FIELDS
    account = {name: data.get(name) or "" for name in names}
    if method == PaymentMethod.MOBILE_MONEY:
        account["mobile_number"] = account.pop("account_number")
    payload = {"method": method, "name": data.get("name"), "description": data.get("description") or ""}
    serializer = PaymentProfileCreateSerializer(data={**payload, "account_details": account})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _account_details_flattened(error: APIException) -> APIException:
    """M2 reports account errors under `account_details`; the form has a field for each of them."""
    detail = getattr(error, "detail", None)
    if not isinstance(error, ValidationError) or not isinstance(detail, dict):
        return error
    nested = detail.get("account_details")
    if not isinstance(nested, dict):
        return error
    flat = {key: value for key, value in detail.items() if key != "account_details"}
    flat.update({("account_number" if key == "mobile_number" else key): value for key, value in nested.items()})
    return ValidationError(flat)
