"""The project's admin site: Django's, plus what organizers need (README "Organizers").

Organizers sign in to /admin/ with their own accounts (verification makes them staff). For them the site
never answers 403: a page or object they may not see does not exist, so every refusal is a 404 and no
URL can tell another organizer's object from a missing one. Apps add panels to the index page (the
organizer's dashboard) with `register_index_panel`. This module imports no app: a user is platform staff
when their `is_platform_staff` says so (accounts.User).
"""

from functools import update_wrapper

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.contenttypes import views as contenttype_views
from django.core.exceptions import PermissionDenied
from django.http import Http404


def is_platform_staff(user) -> bool:
    return bool(getattr(user, "is_platform_staff", user.is_superuser))


def _may_open(view, request) -> bool:
    """A model's pages exist for a user who may view, change or add its objects; other views are open."""
    model_admin = getattr(view, "__self__", None)
    if not isinstance(model_admin, ModelAdmin):
        return True
    return model_admin.has_view_or_change_permission(request) or model_admin.has_add_permission(request)


class CafaAdminSite(AdminSite):
    site_header = "Cafa Tickets admin"
    site_title = "Cafa Tickets admin"
    index_template = "admin/cafa_index.html"

    def __init__(self, name="admin"):
        super().__init__(name)
        self._index_panels = []

    def register_index_panel(self, panel) -> None:
        """`panel(request)` returns the HTML to show above the app list (or "" to show nothing)."""
        self._index_panels.append(panel)

    def index(self, request, extra_context=None):
        panels = [html for html in (panel(request) for panel in self._index_panels) if html]
        return super().index(request, {"index_panels": panels, **(extra_context or {})})

    def admin_view(self, view, cacheable=False):
        def hide_refusals(request, *args, **kwargs):
            if is_platform_staff(request.user):
                return view(request, *args, **kwargs)
            if view is contenttype_views.shortcut or not _may_open(view, request):
                # Refused before any lookup: a missing object would otherwise answer differently (a redirect,
                # "view on site"'s own messages) from an existing one, and tell what exists.
                raise Http404("The requested admin page does not exist.")
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                raise Http404("The requested admin page does not exist.") from None

        return super().admin_view(update_wrapper(hide_refusals, view), cacheable)
