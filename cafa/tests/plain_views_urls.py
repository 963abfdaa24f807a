"""The project's routes plus two plain Django views under /api/ (not DRF): what a future
non-DRF view would answer on a CSRF failure or a PermissionDenied."""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path

from cafa.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the project's handlers)
from cafa.urls import urlpatterns as project_urlpatterns


def plain_form_view(request):
    return JsonResponse({"ok": True})


def plain_forbidden_view(request):
    raise PermissionDenied


urlpatterns = [
    path("api/v1/test-plain/form/", plain_form_view),
    path("api/v1/test-plain/forbidden/", plain_forbidden_view),
    *project_urlpatterns,
]
