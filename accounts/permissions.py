"""API permissions of the accounts app."""

from rest_framework.permissions import IsAuthenticated


class CurrentUserOrPlatformStaff(IsAuthenticated):
    """djoser's "current user or admin", where admin means platform staff: an organizer is staff only so
    that they can sign in to their own admin pages, never to read or change other accounts."""

    def has_object_permission(self, request, view, obj):
        return obj.pk == request.user.pk or request.user.is_platform_staff
