"""Routes the provider or a returning buyer calls (CONTRACT.md §6.12-§6.14)."""

from django.urls import path

from payments.views import provider

webhook = provider.PaystackWebhookView.as_view()

urlpatterns = [
    path("payments/webhook/", webhook, name="payments-webhook"),
    path("webhooks/paystack/", provider.PaystackWebhookView.as_view(schema=None), name="paystack-webhook"),
    path("payments/mobile-callback/", provider.MobileCallbackView.as_view(), name="payments-mobile-callback"),
    path("payments/sandbox/<str:reference>/", provider.SandboxCheckoutView.as_view(), name="sandbox-checkout"),
]
