"""Routes the provider or a returning buyer calls (CONTRACT.md §6.12-§6.14, and §13.4's webhook alias)."""

from django.urls import path

from payments.views import legacy, provider

webhook = provider.PaystackWebhookView.as_view()

urlpatterns = [
    path("payments/webhook/", webhook, name="payments-webhook"),
    path("webhooks/paystack/", provider.PaystackWebhookView.as_view(schema=None), name="paystack-webhook"),
    path("webhooks/stripe/", legacy.StripeWebhookView.as_view(schema=None), name="stripe-webhook-v1"),
    path("payments/mobile-callback/", provider.MobileCallbackView.as_view(), name="payments-mobile-callback"),
    path("payments/sandbox/<str:reference>/", provider.SandboxCheckoutView.as_view(), name="sandbox-checkout"),
]
