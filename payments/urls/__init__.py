"""Routes of the payments domain, one module per area (so each area's routes live beside it)."""

from payments.urls import checkout, provider

urlpatterns = [*provider.urlpatterns, *checkout.urlpatterns]
