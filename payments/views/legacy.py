"""The legacy Stripe endpoints under `/api/payments/` (CONTRACT.md §13): L1 create, L2 verify, L3 cancel, L4 webhook.

Each view parses its body, calls one service and shapes the answer; every refusal leaves as the §1.9
envelope (whose `detail` these clients read), and no route here ever asks for a CSRF token.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import providers, selectors
from payments.idempotency import IdempotentMixin
from payments.models import PaymentStatus
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
from payments.views.provider import InvalidSignatureError

TAGS = ["legacy-stripe"]


def issued_purchase(purchase, detail: str) -> dict:
    return IssuedPurchaseSerializer(purchase, context={"detail": detail}).data


@extend_schema(
    tags=TAGS,
    request=LegacyCheckoutRequestSerializer,
    responses={
        201: PolymorphicProxySerializer(
            component_name="LegacyCheckoutStarted",
            serializers=[CheckoutSessionStartedSerializer, IssuedPurchaseSerializer],
            resource_type_field_name=None,
        )
    },
)
class CreatePaymentIntentView(IdempotentMixin, GenericAPIView):
    """L1: reserve and open a Stripe Checkout Session (USD); free tickets are issued at once."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PurchaseThrottle]
    serializer_class = LegacyCheckoutRequestSerializer
    idempotency_endpoint = "legacy/create-payment-intent"

    def post(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = form.validated_data
        started = legacy_checkout.start_legacy_checkout(
            buyer=request.user,
            event=selectors.published_event(event_id=fields["event_id"]),
            ticket_type_id=fields.get("ticket_type_id"),
            quantity=fields["quantity"],
            attendee=fields["attendee"],
        )
        if started.payment.status == PaymentStatus.COMPLETED:
            body = issued_purchase(started.purchase, "Successfully purchased tickets")
        else:
            body = CheckoutSessionStartedSerializer(started.payment).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=LegacyVerifyRequestSerializer, responses=IssuedPurchaseSerializer)
class VerifyCheckoutSessionView(GenericAPIView):
    """L2: the purchase behind the session, settled with Stripe first; repeat calls answer the same."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PaymentPollThrottle]
    serializer_class = LegacyVerifyRequestSerializer

    def post(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        payment = legacy_checkout.verify_session(buyer=request.user, **form.validated_data)
        return Response(issued_purchase(payment.purchase, "Payment successful"))


@extend_schema(tags=TAGS, request=LegacyCancelRequestSerializer, responses=LegacyDetailSerializer)
class CancelCheckoutView(GenericAPIView):
    """L3: release an unpaid reservation (Stripe is asked first and its session expired)."""

    permission_classes = [IsAuthenticated]
    serializer_class = LegacyCancelRequestSerializer

    def post(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        legacy_checkout.cancel_legacy_purchase(buyer=request.user, ticket_id=form.validated_data["ticket_id"])
        return Response({"detail": "Payment cancelled"})


class StripeWebhookView(APIView):
    """L4: verify `Stripe-Signature` on the raw body, store the event once, answer at once."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(tags=TAGS, request=OpenApiTypes.OBJECT, responses=StripeWebhookReceivedSerializer)
    def post(self, request):
        try:
            webhooks.receive_webhook(body=request.body, headers=request.headers, provider=providers.stripe_provider())
        except InvalidSignature:
            raise InvalidSignatureError() from None
        return Response({"received": True})
