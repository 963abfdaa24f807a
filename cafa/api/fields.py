"""Serializer fields shared by every app: money as JSON numbers, absolute media URLs."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafa.money import quantize_money


@extend_schema_field(OpenApiTypes.NUMBER)
class MoneyField(serializers.DecimalField):
    """A GHS amount: Decimal inside, JSON number outside (`52.5`, `0`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs["coerce_to_string"] = False
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        return float(quantize_money(value))  # JSON has no decimals: the number is rounded first


def absolute_media_url(request, file) -> str | None:
    """The absolute URL of a stored file, or None when the field is empty."""
    if not file:
        return None
    url = file.url
    return request.build_absolute_uri(url) if request is not None else url


@extend_schema_field(OpenApiTypes.URI)
class AbsoluteFileUrlField(serializers.Field):
    """Read-only: the absolute URL of a FileField/ImageField value, or null."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute_media_url(self.context.get("request"), value)
