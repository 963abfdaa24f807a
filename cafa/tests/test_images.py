"""The shared image cleaner: every upload is re-encoded, stripped and named by what it really is."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cafa.images import clean_image
from cafa.tests.hostile_images import SCRIPT, decompression_bomb, gps_of, gps_photo, photo_bytes, polyglot

MB = 1024 * 1024


def clean(upload):
    return clean_image(upload, max_bytes=5 * MB)


@pytest.mark.parametrize(("image_format", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_a_script_tail_is_dropped_and_the_name_follows_the_content(image_format, extension):
    cleaned = clean(polyglot("cover.html", image_format))

    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", cleaned.name)
    content = cleaned.read()
    assert b"<script" not in content
    assert Image.open(io.BytesIO(content)).format == image_format


def test_gps_position_and_camera_are_stripped():
    upload = gps_photo()
    assert gps_of(upload.read())  # the upload really carries a position
    upload.seek(0)

    content = clean(upload).read()

    assert gps_of(content) == {}
    assert not Image.open(io.BytesIO(content)).getexif()
    assert b"SpyCam" not in content


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ValidationError) as refused:
        clean(decompression_bomb())

    assert refused.value.code == "image_too_many_pixels"
    assert refused.value.messages == ["Images may have at most 40 megapixels."]


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", SCRIPT + photo_bytes(), photo_bytes("GIF"), photo_bytes()[:200]],
    ids=["html", "script-first", "gif", "truncated"],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(content):
    with pytest.raises(ValidationError) as refused:
        clean(SimpleUploadedFile("cover.jpg", content, content_type="image/jpeg"))

    assert refused.value.code == "invalid_image"


def test_an_oversized_file_is_refused_by_its_byte_count():
    with pytest.raises(ValidationError) as refused:
        clean_image(SimpleUploadedFile("big.jpg", photo_bytes()), max_bytes=100)

    assert refused.value.code == "image_too_big"
