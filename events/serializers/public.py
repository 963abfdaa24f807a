"""The public pages' shapes (CONTRACT.md §1.12, §4.2-§4.4), built straight from the selectors' rows.

They are the shapes of EventCardSerializer and PublicEventDetailSerializer, which document them in the schema,
written as plain functions: on a cache miss under announcement traffic, DRF's per-field machinery costs more
than the queries. Every value is formatted by the same DRF field as there, and tests hold both to the same
output (events/tests/test_public_shapes.py).
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from cafa.api.fields import MoneyField
from events import selectors
from events.models import Event, EventImage, EventStatus, event_status_at
from events.serializers.outputs import google_maps_url, recurrence_info, share_urls

_DATE = serializers.DateField()
_TIME = serializers.TimeField()
_DATETIME = serializers.DateTimeField()
_MONEY = MoneyField()
_FEATURED_IMAGE = Event._meta.get_field("featured_image")
_PROFILE_IMAGE = get_user_model()._meta.get_field("profile_image")
_ADDITIONAL_IMAGE = EventImage._meta.get_field("image")
MAX_REMEMBERED_URLS = 10_000

# (origin, storage, file name) -> its absolute URL, as `_file_url` writes it: a pure function of the three,
# remembered because a page of cards asks for the same few dozen on every miss.
_file_urls: dict[tuple, str] = {}


def event_cards(rows: list[dict], request, now) -> list[dict]:
    formatter = _datetime_formatter()
    return [event_card(row, request, now, formatter) for row in rows]


def event_card(row: dict, request, now, _datetime=None) -> dict:
    """EventCard (§1.12) of a row of `selectors.EVENT_CARD_COLUMNS` with its `with_public_stock` figures."""
    _datetime = _datetime or _datetime_formatter()
    return {
        "id": row["id"],
        "title": row["title"],
        "slug": row["slug"],
        "organizer": {
            "id": row["organizer_id"],
            "username": row["organizer__username"],
            "full_name": row["organizer__full_name"],
            "profile_image": _file_url(request, _PROFILE_IMAGE, row["organizer__profile_image"]),
        },
        "category": {
            "id": row["category_id"],
            "name": row["category__name"],
            "slug": row["category__slug"],
            "description": row["category__description"],
            "icon": row["category__icon"],
        },
        "short_description": row["short_description"],
        "featured_image": _file_url(request, _FEATURED_IMAGE, row["featured_image"]),
        "venue_name": row["venue_name"],
        "venue_city": row["venue_city"],
        "venue_country": row["venue_country"],
        "start_date": _DATE.to_representation(row["start_date"]),
        "end_date": _DATE.to_representation(row["end_date"]),
        "start_time": _TIME.to_representation(row["start_time"]),
        "end_time": _TIME.to_representation(row["end_time"]),
        "max_attendees": row["max_attendees"],
        "tickets_sold": row["tickets_sold"],
        "tickets_available": row["tickets_available"],
        "total_tickets": row["total_tickets"],
        "lowest_price": _MONEY.to_representation(row["lowest_price"]),
        "highest_price": _MONEY.to_representation(row["highest_price"]),
        "status": str(event_status_at(row["starts_at"], row["ends_at"], now, row["cancelled_at"])),
        "is_recurring": row["is_recurring"],
        "is_published": row["is_published"],
        "created_at": _datetime(row["created_at"]),
        "updated_at": _datetime(row["updated_at"]),
    }


def event_page(page: selectors.EventPage, request, now) -> dict:
    """P4 (§4.4) of a `selectors.public_event_page`."""
    row = page.event
    status = event_status_at(row["starts_at"], row["ends_at"], now, row["cancelled_at"])
    return {
        **event_card(row, request, now),
        "organizer": {
            "id": row["organizer_id"],
            "username": row["organizer__username"],
            "email": row["organizer__email"],
            "full_name": row["organizer__full_name"],
            "profile_image": _file_url(request, _PROFILE_IMAGE, row["organizer__profile_image"]),
            "bio": row["organizer__bio"],
            "events_organized": page.organizer_stats["events_organized"],
            "total_tickets_sold": page.organizer_stats["total_tickets_sold"],
            "member_since": row["organizer__date_joined"].date().isoformat(),
        },
        "description": row["description"],
        "additional_images": [_file_url(request, _ADDITIONAL_IMAGE, name) for name in page.images],
        "venue": {
            "name": row["venue_name"],
            "address": row["venue_address"],
            "city": row["venue_city"],
            "country": row["venue_country"],
            "latitude": _coordinate(row["latitude"]),
            "longitude": _coordinate(row["longitude"]),
            "google_maps_url": google_maps_url(row["latitude"], row["longitude"], row["venue_name"], row["venue_city"]),
        },
        "timezone": row["timezone"],
        "recurrence_info": recurrence_info(row["is_recurring"], row["recurrence_pattern"]),
        "check_in_policy": row["check_in_policy"],
        "ticket_types": [
            _ticket_type(item, status, row["is_published"], now, _datetime_formatter()) for item in page.ticket_types
        ],
        "similar_events": [_similar_event(similar, request) for similar in page.similar_events],
        "share_urls": share_urls(row["slug"], row["title"]),
    }


def _ticket_type(row: dict, event_status: str, event_published: bool, now, _datetime) -> dict:
    """TicketTypePublic (§1.12) of a row of `selectors.TICKET_TYPE_COLUMNS`."""
    status = selectors.sale_status(
        event_status=event_status,
        available_from=row["available_from"],
        available_until=row["available_until"],
        tickets_remaining=row["tickets_remaining"],
        now=now,
    )
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "price": _MONEY.to_representation(row["price"]),
        "quantity": row["quantity"],
        "tickets_sold": row["tickets_sold"],
        "tickets_remaining": row["tickets_remaining"],
        "min_purchase": row["min_purchase"],
        "max_purchase": row["max_purchase"],
        "available_from": _datetime(row["available_from"]),
        "available_until": _datetime(row["available_until"]),
        "status": status,
        "is_available": event_published and event_status == EventStatus.UPCOMING and status == "active",
        "sold_out_at": _datetime(row["sold_out_at"]),
        "waitlist_open": selectors.waitlist_open(
            event_published=event_published, sale_status=status, available_from=row["available_from"], now=now
        ),
        "waiting_count": row["waiting_count"],
    }


def _similar_event(row: dict, request) -> dict:
    return {
        "id": row["id"],
        "title": row["title"],
        "slug": row["slug"],
        "featured_image": _file_url(request, _FEATURED_IMAGE, row["featured_image"]),
        "start_date": _DATE.to_representation(row["start_date"]),
        "venue_city": row["venue_city"],
        "lowest_price": _MONEY.to_representation(row["lowest_price"]),
    }


def _file_url(request, field, name: str | None) -> str | None:
    """What AbsoluteFileUrlField shows for a stored file name: its absolute URL, or None."""
    if not name:
        return None
    origin = getattr(request, "origin", None)  # a PublicRequest's
    if origin is None:
        return request.build_absolute_uri(field.storage.url(name))
    key = (origin, id(field.storage), name)
    url = _file_urls.get(key)
    if url is None:
        if len(_file_urls) >= MAX_REMEMBERED_URLS:
            _file_urls.clear()
        url = _file_urls[key] = request.build_absolute_uri(field.storage.url(name))
    return url


def _datetime_formatter():
    """DateTimeField's `to_representation`, or, when it would write UTC in ISO 8601 (the current time zone is
    UTC), the same text written straight from a UTC value."""
    if api_settings.DATETIME_FORMAT.lower() != "iso-8601" or timezone.get_current_timezone_name() != "UTC":
        return _DATETIME.to_representation
    return _utc_datetime


def _utc_datetime(value) -> str | None:
    if value is None or value.tzinfo is not datetime.UTC:
        return _DATETIME.to_representation(value)
    return value.isoformat().removesuffix("+00:00") + "Z"


def _coordinate(value) -> float | None:
    return float(value) if value is not None else None
