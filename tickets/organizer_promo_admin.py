"""The organizer's promo codes in /admin/ (README "Organizers"): list, create, edit, deactivate and delete the
codes of their own events through PC2-PC4's input serializer and the promo-code services, with PC1's
`uses` and `discount_total`. Nothing here writes a row itself: the form becomes the API's body, the
serializer judges it and the service writes under the code's lock (a used code's code and discount are
frozen, `max_uses` never below the uses, a fixed discount at most the lowest price, the event's own types).
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from rest_framework.exceptions import APIException

from cafa.admin import OrganizerAdmin, ServiceFormAdminMixin, ServiceModelForm, adopt, refusal
from cafa.money import quantize_money
from events.models import Event, TicketType
from tickets import selectors
from tickets.models import DiscountType, OrganizerPromoCode
from tickets.serializers.promos import PromoCodeInputSerializer
from tickets.services import promos

PROMO_FIELDS = [
    "code",
    "discount_type",
    "discount_value",
    "ticket_types",
    "max_uses",
    "max_uses_per_user",
    "valid_from",
    "valid_until",
    "is_active",
]
SHOWN_FIELDS = ["uses", "discount_total", "created_at"]
# The form names the ticket types; PC2/PC3 name their ids.
FORM_NAMES = {"ticket_type_ids": "ticket_types"}


class PromoCodeForm(ServiceModelForm):
    class Meta:
        model = OrganizerPromoCode
        fields = ["event", *PROMO_FIELDS]
        help_texts = {
            "code": "3 to 32 letters, digits, '-' or '_'; stored upper-case, unique within the event.",
            "discount_value": "Percentage: 1 to 100 (% off the order). Fixed: GHS off each ticket, at most the "
            "lowest price among the types it applies to.",
            "ticket_types": "None ticked: every ticket type of the event.",
        }


def promo_payload(form, names) -> dict:
    """The named fields of the form as PC2/PC3's body (ticket types by id)."""
    payload = {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}
    if "ticket_types" in payload:
        payload["ticket_type_ids"] = [ticket_type.pk for ticket_type in payload.pop("ticket_types")]
    return payload


def validated_promo(payload: dict, event, *, partial: bool) -> dict:
    """The body judged by the API's own serializer (PC2, or PC3 when `partial`)."""
    serializer = PromoCodeInputSerializer(data=payload, partial=partial, context={"event": event})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@admin.register(OrganizerPromoCode)
class OrganizerPromoCodeAdmin(ServiceFormAdminMixin, OrganizerAdmin):
    owner_field = "event__organizer"
    form = PromoCodeForm
    list_display = [
        "code",
        "event_title",
        "discount",
        "applies_to",
        "uses_of_limit",
        "max_uses_per_user",
        "discount_total",
        "valid_from",
        "valid_until",
        "is_active",
    ]
    list_filter = ["is_active", "discount_type", ("event", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "event__title"]
    list_select_related = ["event"]
    ordering = ["-created_at", "-id"]
    actions = ["deactivate"]

    def get_queryset(self, request):
        return selectors.with_promo_figures(super().get_queryset(request)).prefetch_related("ticket_types")

    def get_fields(self, request, obj=None):
        return ["event", *PROMO_FIELDS] if obj is None else ["event_title", *PROMO_FIELDS, *SHOWN_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # PC3: orders were priced with them. The service checks again under the code's lock.
        shown = ["event_title", *SHOWN_FIELDS]
        return [*promos.PRICING_FIELDS, *shown] if obj.uses else shown

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "ticket_types" in form.base_fields:
            field = form.base_fields["ticket_types"]
            field.queryset = field.queryset.filter(event=obj.event_id)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = Event.objects.filter(organizer=request.user).order_by("-starts_at", "-id")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "ticket_types":
            kwargs["queryset"] = (
                TicketType.objects.filter(event__organizer=request.user)
                .select_related("event")
                .order_by("-event__starts_at", "event_id", "price", "id")
            )
            kwargs["widget"] = forms.CheckboxSelectMultiple
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "ticket_types":
            field.label_from_instance = lambda ticket_type: f"{ticket_type.event.title}: {ticket_type.name}"
        return field

    # The list

    @admin.display(description="Event", ordering="event__title")
    def event_title(self, promo):
        return promo.event.title

    @admin.display(description="Discount")
    def discount(self, promo):
        if promo.discount_type == DiscountType.PERCENTAGE:
            return f"{promo.discount_value.normalize():f} % off"
        return f"GHS {promo.discount_value} off each ticket"

    @admin.display(description="Ticket types")
    def applies_to(self, promo):
        return ", ".join(ticket_type.name for ticket_type in promo.ticket_types.all()) or "All"

    @admin.display(description="Uses", ordering="uses")
    def uses_of_limit(self, promo):
        return f"{promo.uses} / {promo.max_uses if promo.max_uses is not None else 'unlimited'}"

    @admin.display(description="Uses")
    def uses(self, promo):
        return promo.uses

    @admin.display(description="Discount given (GHS)", ordering="discount_total")
    def discount_total(self, promo):
        return quantize_money(promo.discount_total)

    # Saving: PC2 or PC3, one service call

    def save_model(self, request, obj, form, change):
        try:
            saved = self._update(obj, form) if change else self._create(form)
        except APIException as error:
            raise refusal(error, FORM_NAMES) from error
        adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        """Nothing: the service set the code's ticket types with the code."""

    def _create(self, form):
        event = form.cleaned_data["event"]
        data = validated_promo(promo_payload(form, PROMO_FIELDS), event, partial=False)
        return promos.create_promo_code(event=event, data=data)

    def _update(self, obj, form):
        payload = promo_payload(form, [name for name in form.changed_data if name in PROMO_FIELDS])
        if not payload:
            return obj
        return promos.update_promo_code(promo=obj, data=validated_promo(payload, obj.event, partial=True))

    @admin.action(description="Deactivate the selected codes (purchases keep their discount)", permissions=["change"])
    def deactivate(self, request, queryset):
        for promo in queryset:
            promos.update_promo_code(promo=promo, data={"is_active": False})
            self.log_change(request, promo, "Deactivated.")
        self.message_user(request, f"{len(queryset)} code(s) deactivated.", messages.SUCCESS)

    # Deleting: PC4, which keeps a used code (deactivated) for its purchases' history

    def render_delete_form(self, request, context):
        context["promo_code_used"] = context["object"].uses
        return super().render_delete_form(request, context)

    def log_deletions(self, request, queryset):
        """Logged by delete_model, once the service has said whether it deleted or deactivated the code."""

    def delete_model(self, request, obj):
        if promos.delete_promo_code(promo=obj):
            super().log_deletions(request, [obj])
        else:
            self.log_change(request, obj, "Deactivated instead of deleted: the code has been used.")
            request.promo_code_kept = True

    def response_delete(self, request, obj_display, obj_id):
        if not getattr(request, "promo_code_kept", False):
            return super().response_delete(request, obj_display, obj_id)
        message = f"{obj_display} has been used, so it was deactivated instead of deleted."
        self.message_user(request, message, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:tickets_organizerpromocode_change", args=[obj_id]))
