"""The ticket credential of CONTRACT.md §1.12: a signed QR payload and its PNG.

The QR encodes compact JSON `{"ticket_id":"TKT-…","event_id":<int>,"v":1,"sig":"<base64url>"}` where
`sig` is the event's Ed25519 signature over `"<ticket_id>.<event_id>"`. Anyone holding the event's
public key can check a payload offline; only the server (holding the private key) can make one.
Whether the ticket is still valid (refunded, already used…) is the online check-in's question.
"""

import base64
import binascii
import io
import json
import re

import qrcode
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from qrcode.constants import ERROR_CORRECT_M

from events.crypto import load_private_key

PAYLOAD_VERSION = 1
TICKET_ID_PATTERN = re.compile(r"^TKT-[0-9A-F]{32}$")


class InvalidQrPayload(ValueError):
    """A scanned value that is not a well-formed ticket credential signed by the event's key."""


def normalize_ticket_id(value: str) -> str:
    """Ticket ids are matched case-insensitively after trimming whitespace (CONTRACT.md §1.7)."""
    return str(value).strip().upper()


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", text):
        raise InvalidQrPayload("Not base64url.")
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidQrPayload("Not base64url.") from error


def signed_message(ticket_id: str, event_id: int) -> bytes:
    return f"{ticket_id}.{event_id}".encode()


def build_qr_payload(ticket_id: str, event_id: int, private_key: Ed25519PrivateKey | str) -> str:
    """The compact JSON text a ticket's QR encodes, signed with the event's private key."""
    if isinstance(private_key, str):
        private_key = load_private_key(private_key)
    signature = private_key.sign(signed_message(ticket_id, event_id))
    body = {"ticket_id": ticket_id, "event_id": event_id, "v": PAYLOAD_VERSION, "sig": _b64url_encode(signature)}
    return json.dumps(body, separators=(",", ":"))


def _decode_payload(payload_text: str) -> dict:
    try:
        payload = json.loads(payload_text)
    except (TypeError, ValueError) as error:
        raise InvalidQrPayload("The QR code is not a ticket credential.") from error
    if not isinstance(payload, dict):
        raise InvalidQrPayload("The QR code is not a ticket credential.")
    return payload


def verify_qr_payload(payload_text: str, public_key_b64: str) -> str:
    """Check a scanned payload against the event's public key (base64url); return the ticket id.

    Raises InvalidQrPayload when the text is not a version-1 credential or its signature does not
    verify (a forged code, or a ticket of another event).
    """
    payload = _decode_payload(payload_text)
    ticket_id, event_id, signature = payload.get("ticket_id"), payload.get("event_id"), payload.get("sig")
    if payload.get("v") != PAYLOAD_VERSION:
        raise InvalidQrPayload("Unsupported credential version.")
    if not isinstance(ticket_id, str) or not isinstance(signature, str):
        raise InvalidQrPayload("The credential is incomplete.")
    if not isinstance(event_id, int) or isinstance(event_id, bool):
        raise InvalidQrPayload("The credential is incomplete.")
    try:
        public_key = Ed25519PublicKey.from_public_bytes(_b64url_decode(public_key_b64))
        public_key.verify(_b64url_decode(signature), signed_message(ticket_id, event_id))
    except (InvalidSignature, ValueError) as error:
        raise InvalidQrPayload("The credential's signature does not verify.") from error
    return normalize_ticket_id(ticket_id)


def parse_scanned_value(text: str) -> tuple[str, dict | None]:
    """What a scanner sent: a bare ticket id, or QR JSON. Returns (ticket id, payload dict or None).

    Does not check the signature (see `verify_qr_payload`). Raises InvalidQrPayload for JSON without
    a ticket id.
    """
    value = str(text or "").strip()
    if not value.startswith("{"):
        return normalize_ticket_id(value), None
    payload = _decode_payload(value)
    ticket_id = payload.get("ticket_id")
    if not isinstance(ticket_id, str) or not ticket_id.strip():
        raise InvalidQrPayload("The QR code carries no ticket id.")
    return normalize_ticket_id(ticket_id), payload


def qr_image(payload_text: str, *, box_size: int = 8):
    """A black-on-white PIL image (mode "L") of the QR code for `payload_text` (error correction M)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(payload_text)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


def qr_png_data_url(payload_text: str) -> str:
    """`data:image/png;base64,…` of the QR code, as stored on the ticket and served in `qr_code`."""
    buffer = io.BytesIO()
    qr_image(payload_text).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
