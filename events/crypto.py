"""The per-event Ed25519 key pair that signs ticket QR payloads (CONTRACT.md §1.12)."""

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat


def generate_checkin_keypair() -> tuple[str, str]:
    """A fresh key pair: (public key base64url without padding, raw private key bytes in base64)."""
    private_key = Ed25519PrivateKey.generate()
    public_raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    private_raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = base64.urlsafe_b64encode(public_raw).rstrip(b"=").decode()
    return public, base64.b64encode(private_raw).decode()


def load_private_key(encoded: str) -> Ed25519PrivateKey:
    """The signing key stored on an event (for the tickets app, which signs QR payloads)."""
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(encoded))
