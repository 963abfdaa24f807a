"""The key the sandbox signs its webhooks with (like Paystack, HMAC-SHA512 of the raw body)."""

import hashlib
import hmac

from django.conf import settings


def sandbox_secret() -> str:
    """The sandbox's webhook key, derived from SECRET_KEY so nobody else can sign its events."""
    return hmac.new(settings.SECRET_KEY.encode(), b"cafa-sandbox-webhooks", hashlib.sha256).hexdigest()
