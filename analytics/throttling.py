"""Throttle of the door scanners (CONTRACT.md §1.10): `checkin`, 600/min per user by default."""

from cafa.api.throttling import UserScopedThrottle


class CheckInThrottle(UserScopedThrottle):
    scope = "checkin"
