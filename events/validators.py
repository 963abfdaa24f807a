"""Upload checks for event images: the content decides, not the file name (CONTRACT.md §1.3)."""

from PIL import Image
from rest_framework.exceptions import ValidationError

EVENT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
ALLOWED_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


def validate_event_image(upload, *, max_bytes: int | None = None):
    """Accept a JPEG, PNG or WebP file of at most `max_bytes` (5 MB); raise a field-level ValidationError otherwise."""
    max_bytes = max_bytes or EVENT_IMAGE_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(f"Image files may be at most {max_bytes // (1024 * 1024)} MB.")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except Exception as error:  # Pillow raises many types for corrupt, truncated or hostile files
        raise ValidationError("Upload a valid image (JPEG, PNG or WebP).") from error
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError("Upload a valid image (JPEG, PNG or WebP).")
    return upload
