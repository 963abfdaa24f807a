"""Creating, updating and deleting ticket types (CONTRACT.md §5.6).

Each write makes its event's public pages stale once its transaction commits (events.public_cache)."""

from django.db import transaction

from events import public_cache, selectors, signals
from events.exceptions import (
    CapacityExceeded,
    InvalidQuantity,
    PaymentProfileRequired,
    TicketTypeNotDeletable,
    TicketTypesLocked,
    TooManyTicketTypes,
    field_error,
)
from events.models import Event, TicketType


def create_ticket_type(*, event: Event, data: dict) -> TicketType:
    """Add a ticket type to an upcoming event (≤ 10 types, within max_attendees, paid types need a verified
    payment profile on the event). Returns it with stock annotations."""
    with transaction.atomic():
        event = _locked_upcoming_event(event)
        if TicketType.objects.filter(event=event).count() >= TicketType.MAX_PER_EVENT:
            raise TooManyTicketTypes(f"An event can have at most {TicketType.MAX_PER_EVENT} ticket types.")
        _ensure_unique_name(event, data["name"])
        _ensure_capacity(event, data["quantity"])
        if data["price"] > 0:
            _ensure_payment_profile(event)
        ticket_type = TicketType.objects.create(event=event, **data)
        public_cache.events_changed(event.pk)
    return selectors.event_ticket_type(event, ticket_type.pk)


def update_ticket_type(*, ticket_type: TicketType, data: dict) -> TicketType:
    """Partially update a ticket type of an upcoming event.

    The quantity may not drop below tickets sold + live reservations, and raising it re-checks capacity
    and offers the new seats to the type's waiting list first (`ticket_type_stock_added`); names stay
    unique per event; a new price applies to future purchases only.
    """
    with transaction.atomic():
        event = _locked_upcoming_event(ticket_type.event)
        current = selectors.event_ticket_type(event, ticket_type.pk)
        if "name" in data:
            _ensure_unique_name(event, data["name"], excluding=current)
        if "quantity" in data:
            committed = current.tickets_sold + current.tickets_reserved
            if data["quantity"] < committed:
                raise InvalidQuantity(f"The quantity cannot be lower than the {committed} tickets sold or reserved.")
            if data["quantity"] > current.quantity:
                _ensure_capacity(event, data["quantity"], excluding=current)
        if data.get("price", 0) > 0:
            _ensure_payment_profile(event)
        raised = data.get("quantity", current.quantity) > current.quantity
        for field, value in data.items():
            setattr(current, field, value)
        current.save()
        if raised:
            signals.ticket_type_stock_added.send(sender=TicketType, ticket_type_id=current.pk)
        public_cache.events_changed(event.pk)
    return selectors.event_ticket_type(event, ticket_type.pk)


def delete_ticket_type(*, ticket_type: TicketType) -> None:
    """Delete a ticket type unless it is the event's last one or has sold or reserved tickets."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=ticket_type.event_id)
        current = selectors.event_ticket_type(event, ticket_type.pk)
        if TicketType.objects.filter(event=event).count() <= 1:
            raise TicketTypeNotDeletable("An event needs at least one ticket type.")
        if current.tickets_sold or current.tickets_reserved:
            raise TicketTypeNotDeletable("Tickets of this type have been sold or reserved.")
        current.delete()
        public_cache.events_changed(event.pk)


def ensure_ticket_types_editable(event: Event) -> None:
    """Raise TicketTypesLocked unless the event is still upcoming."""
    if not event.is_upcoming:
        raise TicketTypesLocked()


def _locked_upcoming_event(event: Event) -> Event:
    event = Event.objects.select_for_update(of=("self",)).select_related("payment_profile").get(pk=event.pk)
    ensure_ticket_types_editable(event)
    return event


def _ensure_unique_name(event: Event, name: str, excluding: TicketType | None = None) -> None:
    clashes = TicketType.objects.filter(event=event, name__iexact=name.strip())
    if excluding is not None:
        clashes = clashes.exclude(pk=excluding.pk)
    if clashes.exists():
        raise field_error("name", "A ticket type with this name already exists for this event.")


def _ensure_capacity(event: Event, quantity: int, excluding: TicketType | None = None) -> None:
    total = selectors.capacity_in_use(event, excluding=excluding) + quantity
    if total > event.max_attendees:
        raise CapacityExceeded(f"Total ticket quantity ({total}) would exceed max_attendees ({event.max_attendees}).")


def _ensure_payment_profile(event: Event) -> None:
    profile = event.payment_profile
    if profile is None or profile.deleted_at is not None or not profile.is_verified:
        raise PaymentProfileRequired()
