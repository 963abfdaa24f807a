"""Signed tokens of the e-mail change flow (CONTRACT.md §2.9 A16)."""

from django.core import signing
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

EMAIL_CHANGE_SALT = "accounts.email-change"
EMAIL_CHANGE_MAX_AGE = 3 * 24 * 60 * 60


def email_change_link_parts(change) -> tuple[str, str]:
    """The (uid, token) pair of the confirmation link; the token dies once the address changes."""
    uid = urlsafe_base64_encode(force_bytes(change.user_id))
    payload = {"c": change.pk, "e": change.new_email, "o": change.user.email}
    return uid, signing.dumps(payload, salt=EMAIL_CHANGE_SALT)


def read_email_change_token(token: str) -> dict:
    """The payload of a genuine, unexpired token; raises signing.BadSignature otherwise."""
    return signing.loads(token or "", salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
