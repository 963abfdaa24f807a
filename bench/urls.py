"""The project's routes plus the benchmarks' references: `bench/bare/<name>/` (browse, bench/bare.py) and
`bench/reference/purchase/` (on-sale, bench/reference.py)."""

from django.urls import path

from bench.bare import bare_answer
from bench.reference import reference_purchase
from cafa.urls import handler404, handler500
from cafa.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/bare/<str:name>/", bare_answer),
    path("bench/reference/purchase/", reference_purchase),
    *project_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
