"""Uploads of identity verification (CONTRACT.md §3)."""

from rest_framework import serializers

from accounts.serializers.fields import ImageUploadField

KYC_IMAGE_MAX_BYTES = 10 * 1024 * 1024


class IdDocumentSerializer(serializers.Serializer):
    id_document = ImageUploadField(max_bytes=KYC_IMAGE_MAX_BYTES)


class SelfieSerializer(serializers.Serializer):
    selfie_image = ImageUploadField(max_bytes=KYC_IMAGE_MAX_BYTES)
