"""Permissions shared across apps."""

from rest_framework.permissions import AllowAny, IsAuthenticated

__all__ = ["AllowAny", "IsAuthenticated"]
