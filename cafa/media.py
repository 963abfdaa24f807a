"""Public media: serving /media/ defensively, and deleting a stored file only once no row points at it.

Imports no app: the models holding files are found through Django's app registry.
"""

from pathlib import PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import models, transaction
from django.http import Http404, HttpResponseNotFound
from django.views.static import serve

from cafa.images import IMAGE_CONTENT_TYPES

# Even if a file's bytes looked like a page, a browser must neither sniff nor run it: no scripts, no
# plugins, no same-origin access (sandbox), nothing fetched but the image itself.
MEDIA_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
}


def serve_media(request, path):
    """Serve an image under MEDIA_ROOT with its image content type and the security headers; else 404.

    Only when SERVE_MEDIA is on (development, the compose stack). Only JPEG, PNG and WebP names are served
    (uploads are stored under those names only), so a stray `.html` or `.svg` is never answered as a page.
    """
    content_type = IMAGE_CONTENT_TYPES.get(PurePosixPath(path).suffix.lower().lstrip("."))
    try:
        if content_type is None or not settings.SERVE_MEDIA:
            raise Http404(path)
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
        response["Content-Type"] = content_type
    except (Http404, SuspiciousFileOperation):  # missing, or a path climbing out of MEDIA_ROOT
        response = HttpResponseNotFound("Not found.", content_type="text/plain; charset=utf-8")
    for header, value in MEDIA_SECURITY_HEADERS.items():
        response[header] = value
    return response


def is_file_referenced(storage, name: str) -> bool:
    """True when any row of any model has a file field on `storage` holding `name`."""
    return any(model._base_manager.filter(**{field.attname: name}).exists() for model, field in _file_fields(storage))


def _file_fields(storage):
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and field.storage is storage:
                yield model, field


def delete_unreferenced_on_commit(file) -> None:
    """After the surrounding transaction commits, delete `file` from its storage unless a row still uses it.

    Several rows may share one stored file (the demo events share one picture); the check runs after the
    commit, so the row that just let go of the file no longer counts.
    """
    if not file or not file.name:
        return
    storage, name = file.storage, file.name

    def delete_if_unreferenced():
        if not is_file_referenced(storage, name):
            storage.delete(name)

    transaction.on_commit(delete_if_unreferenced)
