"""Input rules shared by the account endpoints (CONTRACT.md §1.3, §1.12)."""

import re

from django.core.exceptions import ValidationError

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,30}$")
# [0-9], not \d: \d also matches other scripts' digits ("٠٢٤١٢٣٤٥٦٧"), which no phone network dials.
PHONE_PATTERN = re.compile(r"^\+?[0-9]{9,15}$")
GHANA_LOCAL_PATTERN = re.compile(r"^0[0-9]{9}$")


def normalize_phone(value: str) -> str:
    """Ghana local `0XXXXXXXXX` becomes `+233XXXXXXXXX`; anything else must be 9-15 digits."""
    compact = re.sub(r"[\s\-()]", "", value or "")
    if GHANA_LOCAL_PATTERN.match(compact):
        return "+233" + compact[1:]
    if not PHONE_PATTERN.match(compact):
        raise ValidationError("Enter a valid phone number, e.g. 0241234567 or +233241234567.")
    return compact


def validate_username(value: str) -> None:
    if not USERNAME_PATTERN.match(value or ""):
        raise ValidationError("Usernames are 3-30 characters: letters, digits, '_' and '-'.")
