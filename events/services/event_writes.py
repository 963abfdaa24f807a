"""Creating, updating and deleting events (CONTRACT.md §5.1-§5.3).

Each write makes the public pages it changes stale once its transaction commits (events.public_cache)."""

from decimal import Decimal
from urllib.parse import urlparse

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import PaymentProfile, VerificationStatus
from cafa.api.parsing import is_ascii_digits
from cafa.media import delete_unreferenced_on_commit
from events import public_cache, selectors
from events.exceptions import (
    EventAlreadyStarted,
    EventNotDeletable,
    OrganizerVerificationRequired,
    field_error,
)
from events.models import RESERVED_SLUGS, Event, EventImage, TicketType

SLUG_BASE_LENGTH = 200
COORDINATE = Decimal("0.000001")
DELETE_SUGGESTION = "Unpublish the event instead, or contact support to cancel it and refund buyers."

_VERIFY = "/api/v1/auth/verification/"
NEXT_STEPS = {
    VerificationStatus.NOT_STARTED: (
        "NOT_VERIFIED_ORGANIZER",
        "Verify your identity to start creating events.",
        {
            "action": "upload_id",
            "endpoint": f"{_VERIFY}upload-id/",
            "method": "POST",
            "description": "Upload a photo of a government-issued ID document.",
        },
    ),
    VerificationStatus.ID_UPLOADED: (
        "NOT_VERIFIED_ORGANIZER",
        "Finish identity verification to start creating events.",
        {
            "action": "upload_selfie",
            "endpoint": f"{_VERIFY}upload-selfie/",
            "method": "POST",
            "description": "Upload a selfie to complete your verification.",
        },
    ),
    VerificationStatus.PENDING: (
        "VERIFICATION_PENDING",
        "Your verification is under review. You can create events once it is approved.",
        {
            "action": "wait_for_review",
            "endpoint": f"{_VERIFY}status/",
            "method": "GET",
            "description": "Check your verification status; reviews usually take 1-2 business days.",
        },
    ),
    VerificationStatus.REJECTED: (
        "VERIFICATION_REJECTED",
        "Your verification was rejected. Retry verification to create events.",
        {
            "action": "retry_verification",
            "endpoint": f"{_VERIFY}retry/",
            "method": "POST",
            "description": "Start a new verification with fresh documents.",
        },
    ),
}


def ensure_can_create_events(user) -> None:
    """Raise OrganizerVerificationRequired (403, with next steps) unless the user's identity is verified."""
    status = user.verification_status
    if status == VerificationStatus.VERIFIED:
        return
    error_code, message, next_steps = NEXT_STEPS.get(status, NEXT_STEPS[VerificationStatus.NOT_STARTED])
    raise OrganizerVerificationRequired(
        message,
        success=False,
        error_code=error_code,
        data={"verification_status": status, "is_organizer": user.is_organizer, "next_steps": next_steps},
    )


def ensure_event_editable(event: Event) -> None:
    """Raise EventAlreadyStarted once the event is ongoing or past (or cancelled: nothing left to edit)."""
    if event.is_cancelled:
        raise EventAlreadyStarted("This event was cancelled and can no longer be edited.")
    if not event.is_upcoming:
        raise EventAlreadyStarted()


def unique_event_slug(title: str) -> str:
    """Lowercase words joined by `-`, never all digits nor a reserved path word, `-2`, `-3`... on collision."""
    base = slugify(title)[:SLUG_BASE_LENGTH].strip("-") or "event"
    if is_ascii_digits(base):
        base = f"event-{base}"
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | RESERVED_SLUGS
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def create_event(*, organizer, data: dict) -> Event:
    """Create an event with its ticket types and additional images, all or nothing.

    `data` is `EventInputSerializer.validated_data`. Raises OrganizerVerificationRequired for unverified
    users and a validation error on `payment_profile_id` when a paid type lacks the caller's verified profile.
    The event gets its slug and its Ed25519 check-in key pair here (the latter in `Event.save`).
    """
    ensure_can_create_events(organizer)
    data = dict(data)
    ticket_types = data.pop("ticket_types")
    images = data.pop("additional_images", [])
    data.pop("remove_additional_images", None)
    needs_profile = any(item["price"] > 0 for item in ticket_types)
    profile = _payment_profile(organizer, data.pop("payment_profile_id", None), required=needs_profile)
    with transaction.atomic():
        event = Event(organizer=organizer, payment_profile=profile, **_model_fields(data))
        _insert_with_unique_slug(event)
        TicketType.objects.bulk_create([TicketType(event=event, **item) for item in ticket_types])
        _append_images(event, images)
        public_cache.events_changed(event.pk)
    return event


def update_event(*, event: Event, organizer, data: dict) -> Event:
    """Apply a partial O2 update: fields, payment profile, featured/additional images; never the slug.

    Ticket types in `data` are ignored (they are managed by O6-O8). Refused once the event has started;
    `max_attendees` may not drop below the ticket types' total quantity.
    """
    data = dict(data)
    data.pop("ticket_types", None)
    if not data.get("featured_image"):
        data.pop("featured_image", None)  # replaced only when a file is sent, never cleared
    new_images = data.pop("additional_images", [])
    removed_urls = data.pop("remove_additional_images", [])
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        ensure_event_editable(event)
        if "payment_profile_id" in data:
            has_paid_types = event.ticket_types.filter(price__gt=0).exists()
            event.payment_profile = _payment_profile(organizer, data.pop("payment_profile_id"), required=has_paid_types)
        in_use = selectors.capacity_in_use(event)
        if data.get("max_attendees", in_use) < in_use:
            raise field_error("max_attendees", f"max_attendees cannot be lower than the tickets on offer ({in_use}).")
        if data.get("featured_image") and event.featured_image:
            delete_unreferenced_on_commit(event.featured_image)
        for field, value in _model_fields(data).items():
            setattr(event, field, value)
        event.save()
        _remove_images(event, removed_urls)
        _append_images(event, new_images)
        public_cache.events_changed(event.pk)
    return event


def delete_event(*, event: Event) -> None:
    """Delete an upcoming event that never sold or reserved a ticket; EventNotDeletable otherwise.

    The sales check goes through `selectors.event_ticket_activity`, which the tickets issue extends.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not event.is_upcoming:
            raise EventNotDeletable(
                "This event has already started and can no longer be deleted.", suggestion=DELETE_SUGGESTION
            )
        activity = selectors.event_ticket_activity(event)
        if activity["tickets_sold"] or activity["tickets_reserved"] or activity["has_sales_history"]:
            raise EventNotDeletable(
                "Tickets have been sold or reserved for this event.",
                suggestion=DELETE_SUGGESTION,
                tickets_sold=activity["tickets_sold"],
            )
        files = [event.featured_image, *(image.image for image in event.images.all())]
        public_cache.events_changed(event.pk)
        event.delete()
        for file in files:
            delete_unreferenced_on_commit(file)


def _payment_profile(organizer, profile_id, *, required: bool):
    if profile_id is None:
        if required:
            raise field_error("payment_profile_id", "A verified payment profile is required for paid ticket types.")
        return None
    profile = PaymentProfile.objects.live().filter(pk=profile_id, user=organizer).first()
    if profile is None or not profile.is_verified:
        raise field_error("payment_profile_id", "Select one of your own verified payment profiles.")
    return profile


def _model_fields(data: dict) -> dict:
    """Input names -> model fields (coordinates are stored with 6 decimals)."""
    fields = dict(data)
    for source, target in (("venue_latitude", "latitude"), ("venue_longitude", "longitude")):
        if source in fields:
            value = fields.pop(source)
            fields[target] = None if value is None else Decimal(str(value)).quantize(COORDINATE)
    return fields


def _insert_with_unique_slug(event: Event, attempts: int = 5) -> None:
    for attempt in range(attempts):
        event.slug = unique_event_slug(event.title)
        try:
            with transaction.atomic():
                event.save()
            return
        except IntegrityError:
            # a concurrent request took the slug: pick the next suffix; anything else is a real error
            if attempt == attempts - 1 or not Event.objects.filter(slug=event.slug).exists():
                raise


def _append_images(event: Event, files: list) -> None:
    if not files:
        return
    existing = event.images.count()
    if existing + len(files) > EventImage.MAX_PER_EVENT:
        raise field_error(
            "additional_images", f"An event can have at most {EventImage.MAX_PER_EVENT} additional images."
        )
    for position, upload in enumerate(files, start=existing):
        EventImage.objects.create(event=event, image=upload, position=position)


def _remove_images(event: Event, urls: list[str]) -> None:
    paths = {urlparse(url).path for url in urls if url}
    for image in event.images.all():
        if image.image.url in paths or image.image.name in urls:
            delete_unreferenced_on_commit(image.image)
            image.delete()
