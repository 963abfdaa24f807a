"""The organizer's event form and its inline rows, and how they become the API's payloads (O1-O3, O6-O8).

The admin writes nothing itself: each form is turned into the body the API would have received, judged
by the API's own input serializers, and handed to the events services (events/organizer_admin.py).
"""

from django import forms

from cafa.admin import ServiceModelForm
from events.models import EventImage, OrganizerEvent, TicketType
from events.serializers.inputs import EventInputSerializer, TicketTypeInputSerializer, ticket_type_context

# Form field -> API field, where the admin form names a model field and the API its own name.
API_NAMES = {
    "category": "category_id",
    "payment_profile": "payment_profile_id",
    "latitude": "venue_latitude",
    "longitude": "venue_longitude",
}
FORM_NAMES = {api: form for form, api in API_NAMES.items()} | {"category_slug": "category"}
TICKET_TYPE_FIELDS = [
    "name",
    "description",
    "price",
    "quantity",
    "min_purchase",
    "max_purchase",
    "available_from",
    "available_until",
]


# --- Forms ------------------------------------------------------------------------------------


class EventForm(ServiceModelForm):
    featured_image = forms.ImageField(required=False, widget=forms.FileInput)  # replaced, never cleared

    class Meta:
        model = OrganizerEvent
        fields = [
            "title",
            "category",
            "short_description",
            "description",
            "venue_name",
            "venue_address",
            "venue_city",
            "venue_country",
            "latitude",
            "longitude",
            "start_date",
            "start_time",
            "end_date",
            "end_time",
            "is_recurring",
            "recurrence_pattern",
            "check_in_policy",
            "max_attendees",
            "is_published",
            "payment_profile",
            "featured_image",
        ]


class TicketTypeForm(ServiceModelForm):
    # Left blank, the API's defaults apply (1, and min(10, quantity)).
    min_purchase = forms.IntegerField(required=False, min_value=1)
    max_purchase = forms.IntegerField(required=False, min_value=1)

    class Meta:
        model = TicketType
        fields = TICKET_TYPE_FIELDS


class EventImageForm(ServiceModelForm):
    image = forms.ImageField(widget=forms.FileInput)

    class Meta:
        model = EventImage
        fields = ["image"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a stored image is kept or deleted, never replaced in place
            self.fields["image"].disabled = True
            self.fields["image"].required = False


# --- Payloads: the form as the API would have received it --------------------------------------


def event_payload(form, names) -> dict:
    """The named fields of the event form under the API's names (files only when one was sent)."""
    payload = {}
    for name in names:
        if name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        if name == "featured_image" and not value:
            continue
        if name in ("category", "payment_profile"):
            value = str(value.pk) if value is not None else None
        elif name in ("latitude", "longitude") and value is not None:
            value = float(value)
        payload[API_NAMES.get(name, name)] = value
    return payload


def validated_event(payload: dict, instance=None) -> dict:
    """The payload judged by the API's own serializer (O1, or O2 when `instance`), as a browser form sends it."""
    serializer = EventInputSerializer(instance, data=payload, partial=instance is not None, context={"multipart": True})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def ticket_type_payload(row, names) -> dict:
    """The named fields of an inline row; blanks are left out, so the API's defaults apply."""
    return {name: row.cleaned_data[name] for name in names if row.cleaned_data.get(name) is not None}


def validated_ticket_type(row, names, event, instance=None) -> dict:
    """One inline row judged by the API's ticket-type serializer (O6, or O7 when `instance`)."""
    payload = ticket_type_payload(row, names)
    serializer = TicketTypeInputSerializer(
        instance, data=payload, partial=instance is not None, context=ticket_type_context(event)
    )
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def edited_rows(formset) -> list:
    """Rows the organizer filled in or changed, and did not mark for deletion."""
    return [row for row in formset.forms if row.has_changed() and row not in formset.deleted_forms]


def mark_saved(formset, *, created=(), changed=(), deleted=()) -> None:
    """What the admin's history message reads from a formset Django would have saved itself."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = list(created), list(changed), list(deleted)
