"""Serializer fields shared by the accounts endpoints."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from rest_framework import serializers

from accounts.validators import normalize_phone
from cafa.images import clean_image


def django_errors(call, *args):
    try:
        return call(*args)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from error


class PhoneField(serializers.CharField):
    """A phone number normalised to +233... ; "" and null clear it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # CharField answers "" without calling to_internal_value; the contract stores null.
        return super().run_validation(data) or None

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return django_errors(normalize_phone, value) if value else None


class ImageUploadField(serializers.ImageField):
    """A real JPEG/PNG/WebP image within a size limit, re-encoded without metadata.

    `clearable=True` makes the field optional and lets "" or null remove the current image.
    """

    def __init__(self, *, max_bytes=None, max_bytes_setting=None, clearable=False, **kwargs):
        self.max_bytes, self.max_bytes_setting = max_bytes, max_bytes_setting
        if clearable:
            kwargs.setdefault("required", False)
            kwargs.setdefault("allow_null", True)
        self.clearable = clearable
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if self.clearable and data in ("", None):
            return True, None
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if not isinstance(data, UploadedFile):  # a string, a number or a JSON object is no file
            raise serializers.ValidationError("Upload an image file.")
        limit = self.max_bytes or getattr(settings, self.max_bytes_setting)
        return django_errors(lambda: clean_image(data, max_bytes=limit))
