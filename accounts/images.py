"""Uploaded images: decoded by Pillow, size-checked, re-encoded without metadata."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000


def clean_image(upload, *, max_bytes: int) -> ContentFile:
    """Return a metadata-free copy of `upload` under a random name, or raise ValidationError.

    The type is judged by content, never by the file name; EXIF and other metadata are dropped
    by re-encoding the pixels.
    """
    if upload.size > max_bytes:
        raise ValidationError(f"Images must be at most {max_bytes // (1024 * 1024)} MB.")
    image = _decode(upload)
    extension = ALLOWED_FORMATS.get(image.format or "")
    if extension is None:
        raise ValidationError("Upload a JPEG, PNG or WebP image.")
    output = io.BytesIO()
    _strip(image).save(output, format=image.format, **_save_options(image.format))
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _decode(upload) -> Image.Image:
    try:
        upload.seek(0)
        probe = Image.open(upload)
        probe.verify()  # catches truncated or forged files
        upload.seek(0)
        image = Image.open(upload)
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError("The image is too large in pixels.")
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError("Upload a valid image. The file is not an image or is corrupted.") from error
    return image


def _strip(image: Image.Image) -> Image.Image:
    upright = ImageOps.exif_transpose(image)
    if image.format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    return clean


def _save_options(image_format: str) -> dict:
    if image_format == "JPEG":
        return {"quality": 88, "optimize": True}
    if image_format == "WEBP":
        return {"quality": 88}
    return {"optimize": True}
