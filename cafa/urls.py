"""Root routes: /admin/, /api/v1/ (each app's urls), /api/payments/ (legacy Stripe), schema and docs,
JSON for unknown /api/ paths, /media/."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cafa.api.exceptions import api_not_found
from cafa.api.health import HealthView
from cafa.media import serve_media
from events import urls as events_urls

api_v1 = [
    path("", include(events_urls.catalogue)),  # the hottest routes first (events/urls.py)
    path("health/", HealthView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # analytics first: its literal `auth/users/stats/` must win over djoser's `auth/users/{id}/`
    path("", include("analytics.urls")),
    path("", include("accounts.urls")),
    path("", include("events.urls")),
    path("", include("payments.urls")),
    path("", include("payouts.urls")),
    path("", include("tickets.urls")),
]

# The payout models' admin pages lived under /admin/payments/ until they moved to the payouts app.
MOVED_ADMIN_PAGES = r"^admin/payments/(?P<page>(?:ledgerentry|verificationtransfer|withdrawal)/.*)$"

urlpatterns = [
    re_path(MOVED_ADMIN_PAGES, RedirectView.as_view(url="/admin/payouts/%(page)s", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/payments/", include("payments.urls.legacy")),  # the legacy Stripe endpoints (CONTRACT.md §13)
    re_path(r"^api/", api_not_found),
    re_path(r"^media/(?P<path>.*)$", serve_media),  # answers 404 unless SERVE_MEDIA
]

handler400 = "cafa.api.exceptions.handler400"
handler403 = "cafa.api.exceptions.handler403"
handler404 = "cafa.api.exceptions.handler404"
handler500 = "cafa.api.exceptions.handler500"
