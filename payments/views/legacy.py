"""The legacy Stripe endpoints under `/api/payments/` (CONTRACT.md §13): L1 create, L2 verify, L3 cancel, L4 webhook.

Each view reads its body, calls one service and shapes the answer; every refusal leaves as the §1.9
envelope (whose `detail` these clients read), and no route here ever asks for a CSRF token. `@idempotent`
makes an `Idempotency-Key` run the whole of L1 once, as on the §6 checkout.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from payments.exceptions import InvalidSignatureError
from payments.idempotency import idempotent
from payments.models import PaymentStatus, Provider
from payments.providers import InvalidSignature
from payments.serializers.legacy import (
    CheckoutSessionStartedSerializer,
    IssuedPurchaseSerializer,
    LegacyCancelRequestSerializer,
    LegacyCheckoutRequestSerializer,
    LegacyDetailSerializer,
    LegacyVerifyRequestSerializer,
    StripeWebhookReceivedSerializer,
)
from payments.services import legacy_checkout, webhooks
from payments.throttling import PaymentPollThrottle, PurchaseThrottle

TAGS = ["legacy-stripe"]
LEGACY_CHECKOUT_STARTED = PolymorphicProxySerializer(
    component_name="LegacyCheckoutStarted",
    serializers=[CheckoutSessionStartedSerializer, IssuedPurchaseSerializer],
    resource_type_field_name=None,
)


class CreatePaymentIntentView(APIView):
    """L1: reserve and open a Stripe Checkout Session (USD); free tickets are issued at once."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PurchaseThrottle]

    @extend_schema(tags=TAGS, request=LegacyCheckoutRequestSerializer, responses={201: LEGACY_CHECKOUT_STARTED})
    @idempotent("legacy/create-payment-intent")
    def post(self, request):
        order = LegacyCheckoutRequestSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        started = legacy_checkout.start_legacy_checkout(buyer=request.user, **order.validated_data)
        if started.payment.status == PaymentStatus.COMPLETED:
            body = IssuedPurchaseSerializer(started.purchase, context={"detail": "Successfully purchased tickets"}).data
        else:
            body = CheckoutSessionStartedSerializer(started.payment).data
        return Response(body, status=status.HTTP_201_CREATED)


class VerifyCheckoutSessionView(APIView):
    """L2: the purchase behind the session, settled with Stripe first; repeat calls answer the same."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PaymentPollThrottle]

    @extend_schema(tags=TAGS, request=LegacyVerifyRequestSerializer, responses=IssuedPurchaseSerializer)
    def post(self, request):
        form = LegacyVerifyRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        payment = legacy_checkout.verify_session(buyer=request.user, **form.validated_data)
        return Response(IssuedPurchaseSerializer(payment.purchase, context={"detail": "Payment successful"}).data)


class CancelCheckoutView(APIView):
    """L3: release an unpaid reservation (Stripe is asked first and its session expired)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, request=LegacyCancelRequestSerializer, responses=LegacyDetailSerializer)
    def post(self, request):
        form = LegacyCancelRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        legacy_checkout.cancel_legacy_purchase(buyer=request.user, **form.validated_data)
        return Response(LegacyDetailSerializer({"detail": "Payment cancelled"}).data)


class StripeWebhookView(APIView):
    """L4: verify `Stripe-Signature` on the raw body, store the event once, answer at once."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(tags=TAGS, request=OpenApiTypes.OBJECT, responses=StripeWebhookReceivedSerializer)
    def post(self, request):
        try:
            webhooks.receive_webhook(body=request.body, headers=request.headers, provider_name=Provider.STRIPE)
        except InvalidSignature:
            raise InvalidSignatureError() from None
        return Response({"received": True})
