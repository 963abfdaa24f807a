"""The legacy Stripe routes, mounted at `/api/payments/` by `cafa/urls.py` (CONTRACT.md §13).

The webhook's `/api/v1/webhooks/stripe/` alias lives with the other provider routes (`urls/provider.py`);
anything else under the prefix is the root's JSON 404, for POSTs too (never Django's CSRF page).
"""

from django.urls import path

from payments.views import legacy

urlpatterns = [
    path("create-payment-intent/", legacy.CreatePaymentIntentView.as_view(), name="legacy-create-payment-intent"),
    path("verify/", legacy.VerifyCheckoutSessionView.as_view(), name="legacy-verify"),
    path("cancel/", legacy.CancelCheckoutView.as_view(), name="legacy-cancel"),
    path("webhook/", legacy.StripeWebhookView.as_view(), name="stripe-webhook"),
]
