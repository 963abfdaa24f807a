"""Input fields for the multipart/JSON forms of the organizer endpoints (CONTRACT.md §1.3)."""

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from cafa.images import clean_image
from events.models import END_OF_DAY, EventImage

NULL_WORDS = frozenset({"", "null", "none", "undefined"})


@extend_schema_field(OpenApiTypes.ANY)
class JSONValueField(serializers.Field):
    """A structure that arrives parsed (JSON body) or as JSON text (multipart part).

    With `strict=False` unparsable text is passed through for the serializer to judge in context.
    """

    def __init__(self, *, strict=True, **kwargs):
        self.strict = strict
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                return json.loads(data)
            except ValueError:
                if self.strict:
                    raise serializers.ValidationError("Invalid JSON.") from None
        return data

    def to_representation(self, value):
        return value


class StringListField(serializers.ListField):
    """A list of strings sent as a JSON array, a JSON string (multipart) or repeated form parts."""

    child = serializers.CharField()

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        if isinstance(value, list) and len(value) == 1 and str(value[0]).lstrip().startswith("["):
            return value[0]
        return value

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = JSONValueField().to_internal_value(data)
        return super().to_internal_value(data)


class OptionalUUIDField(serializers.UUIDField):
    """A UUID where multipart clients may write `""`, `"null"` or `"undefined"` for "none"."""

    def validate_empty_values(self, data):
        if isinstance(data, str) and data.strip().lower() in NULL_WORDS:
            data = None
        return super().validate_empty_values(data)


class ImageUploadField(serializers.FileField):
    """An uploaded event image, re-encoded by the shared cleaner (cafa/images.py); the value is the clean copy.

    Strings (URLs of stored images) are ignored, never applied.
    """

    def validate_empty_values(self, data):
        if isinstance(data, str):
            raise SkipField()
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            return clean_image(upload, max_bytes=settings.EVENT_IMAGE_MAX_BYTES)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class ImageUploadListField(serializers.ListField):
    """Repeated image parts (`additional_images`); string items are dropped, at most 10 files."""

    child = ImageUploadField()

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EventImage.MAX_PER_EVENT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, UploadedFile):
            data = [data]
        files = [item for item in data if isinstance(item, UploadedFile)] if isinstance(data, list) else data
        return super().to_internal_value(files)


def bare_date(value) -> date | None:
    """The day of a `YYYY-MM-DD` value with no time part, else None."""
    text = str(value).strip() if value is not None else ""
    try:
        return parse_date(text) if len(text) == 10 else None
    except ValueError:
        return None


class SaleInstantField(serializers.DateTimeField):
    """`YYYY-MM-DD` or an ISO timestamp; a bare date means 00:00:00 (or 23:59:59 with `end_of_day`) in Accra."""

    def __init__(self, *, end_of_day=False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        zone = ZoneInfo(settings.EVENT_TIME_ZONE)
        day = bare_date(value)
        if day is not None:
            return datetime.combine(day, END_OF_DAY if self.end_of_day else time.min, tzinfo=zone)
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
        if moment is None:
            raise serializers.ValidationError("Enter a date (YYYY-MM-DD) or an ISO 8601 timestamp.")
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, zone)
