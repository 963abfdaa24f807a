"""How django-axes locks /admin/login/ out (settings: AXES_*): one count per account, whatever its spelling.

The admin form accepts an e-mail address or a username in any case (accounts.backends), so a
count keyed by the text typed would give an attacker a fresh quota for "Ama", "ama" and
"ama@example.com". The key is the account's own username instead; text that names no account
is counted as typed (lower-cased).
"""

import math

from django.conf import settings
from django.http import HttpResponse

from accounts.backends import find_user_by_identifier

USERNAME_KEY_LENGTH = 255  # axes' AccessAttempt.username


def lockout_identity(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the account the login form named, as one key for every spelling."""
    typed = (credentials or {}).get("username") or request.POST.get("username") or ""
    user = find_user_by_identifier(typed)
    return (user.username if user else typed.strip().lower())[:USERNAME_KEY_LENGTH]


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a 429 that names no account (axes' own JSON answer echoes the key)."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    response = HttpResponse(
        f"Too many failed login attempts. Try again in {minutes} minutes.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
