"""The one cleaning path for every uploaded image (profile, identity documents, event images, admin forms).

An upload is judged by its content, never by its name: Pillow must decode it as JPEG, PNG or WebP within a
byte and a pixel budget. What is stored is a fresh encoding of the pixels alone (no EXIF/GPS, comments,
text chunks or trailing bytes), under a random name whose extension is the detected format.
"""

import io
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

FORMAT_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# The only extensions a stored upload may carry, with the content type each is served as.
IMAGE_CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
IMAGE_EXTENSIONS = frozenset(IMAGE_CONTENT_TYPES)
# A 40-megapixel photo still passes; a decompression bomb (a tiny file declaring huge dimensions) does not.
MAX_PIXELS = 40_000_000

INVALID_IMAGE = "Upload a valid image (JPEG, PNG or WebP)."


def clean_image(upload, *, max_bytes: int) -> ContentFile:
    """Return a metadata-free re-encoding of `upload` named `<random>.<detected format>`.

    Raises a Django ValidationError (code `image_too_big`, `image_too_many_pixels` or `invalid_image`)
    for an oversized file, a decompression bomb, or anything that is not a JPEG, PNG or WebP image.
    """
    if upload.size > max_bytes:
        raise ValidationError(f"Images must be at most {max_bytes // (1024 * 1024)} MB.", code="image_too_big")
    image = _decode(upload)
    output = io.BytesIO()
    _pixels_only(image).save(output, format=image.format, **_save_options(image.format))
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{FORMAT_EXTENSIONS[image.format]}")


def _decode(upload) -> Image.Image:
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()  # catches truncated or forged files without decoding the pixels
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in FORMAT_EXTENSIONS:
            raise ValidationError(INVALID_IMAGE, code="invalid_image")
        _check_pixels(image.width, image.height)  # before load(): the dimensions come from the header
        image.load()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(INVALID_IMAGE, code="invalid_image") from error
    return image


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        f"Images may have at most {MAX_PIXELS // 1_000_000} megapixels.", code="image_too_many_pixels"
    )


def _pixels_only(image: Image.Image) -> Image.Image:
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


class CleanImageFormField(forms.ImageField):
    """A Django form field (admin) that stores the cleaned re-encoding instead of the uploaded bytes.

    `max_bytes_setting` names the setting that holds the byte limit, read at validation time.
    """

    def __init__(self, *, max_bytes_setting: str, **kwargs):
        self.max_bytes_setting = max_bytes_setting
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return clean_image(upload, max_bytes=getattr(settings, self.max_bytes_setting))
