"""Y1 `tickets/purchase/`, Y2 `payments/initiate/`, Y5 cancel (CONTRACT.md §6.2-§6.4, §6.7).

The purchase views live in `payments` because a checkout is a payments use-case (DESIGN.md §1).
Each reads its body, calls the one checkout service and shapes the answer; `@idempotent` makes an
`Idempotency-Key` run the whole of it once.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cafa.api.exceptions import SuccessFlagMixin
from payments.idempotency import idempotent
from payments.serializers.checkout import (
    InitiatedPaymentSerializer,
    PurchaseCancelledSerializer,
    PurchaseCreatedSerializer,
    initiated_payment_body,
    purchase_created_body,
)
from payments.serializers.inputs import InitiateRequestSerializer, PurchaseRequestSerializer
from payments.services import checkout
from payments.throttling import PurchaseThrottle


class PurchaseView(APIView):
    """Y1: the seed shape (`tickets`, `pricing`, `payment`, `reservation`)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PurchaseThrottle]

    @extend_schema(request=PurchaseRequestSerializer, responses={201: PurchaseCreatedSerializer})
    @idempotent("tickets/purchase")
    def post(self, request):
        order = PurchaseRequestSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        started = checkout.start_checkout(buyer=request.user, **order.validated_data)
        return Response(purchase_created_body(started.payment), status=status.HTTP_201_CREATED)


class InitiatePaymentView(SuccessFlagMixin, APIView):
    """Y2: the web/mobile shape (`authorization_url`, `payment_reference`, ...)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PurchaseThrottle]

    @extend_schema(request=InitiateRequestSerializer, responses={201: InitiatedPaymentSerializer})
    @idempotent("payments/initiate")
    def post(self, request):
        order = InitiateRequestSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        started = checkout.start_checkout(buyer=request.user, **order.validated_data)
        return Response(initiated_payment_body(started.payment), status=status.HTTP_201_CREATED)


class CancelPurchaseView(SuccessFlagMixin, APIView):
    """Y5: cancel an unpaid purchase of the caller's; repeating it answers `tickets_released: 0`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=PurchaseCancelledSerializer)
    def post(self, request, purchase_id):
        released = checkout.cancel_purchase(buyer=request.user, purchase_id=purchase_id)
        return Response(PurchaseCancelledSerializer({"purchase_id": purchase_id, "tickets_released": released}).data)
