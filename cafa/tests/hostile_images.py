"""Uploads an attacker would send: polyglot images, decompression bombs, photos carrying GPS positions."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

SCRIPT = b"<script>alert(document.cookie)</script>"
# Independence Square, Accra: where the uploader stood.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (5.0, 32.0, 51.0),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (0.0, 11.0, 30.0),
}


def photo_bytes(image_format="JPEG", size=(32, 24), *, gps=False) -> bytes:
    options = {}
    if gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "SpyCam 3000"
        exif[ExifTags.IFD.GPSInfo] = GPS
        options["exif"] = exif.tobytes()
    output = io.BytesIO()
    Image.new("RGB", size, (17, 94, 89)).save(output, format=image_format, **options)
    return output.getvalue()


def polyglot(name="cover.html", image_format="JPEG") -> SimpleUploadedFile:
    """A real image with an HTML page appended: browsers sniffing it as text/html would run the script."""
    return SimpleUploadedFile(name, photo_bytes(image_format) + SCRIPT, content_type="text/html")


def gps_photo(name="holiday.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(gps=True), content_type="image/jpeg")


def decompression_bomb(name="bomb.png", width=10_000, height=10_000) -> SimpleUploadedFile:
    """A valid 1-bit PNG of width x height pixels in about 12 KB: decoding it would take 100 MB and more."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    content = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")
    return SimpleUploadedFile(name, content, content_type="image/png")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def gps_of(content: bytes) -> dict:
    """The GPS EXIF block of an encoded image, {} when there is none."""
    return dict(Image.open(io.BytesIO(content)).getexif().get_ifd(ExifTags.IFD.GPSInfo))
