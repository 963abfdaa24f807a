"""The project's routes plus `bench/bare/<name>/`, the reference the browse benchmark compares against."""

from django.urls import path

from bench.bare import bare_answer
from cafa.urls import handler404, handler500
from cafa.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/bare/<str:name>/", bare_answer), *project_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
