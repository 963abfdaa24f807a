"""Y1 `tickets/purchase/`, Y2 `payments/initiate/`, Y5 cancel (CONTRACT.md §6.2-§6.4, §6.7).

The purchase views live in `payments` because a checkout is a payments use-case (DESIGN.md §1);
both purchase shapes call the one checkout service and accept an `Idempotency-Key`.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cafa.api.exceptions import SuccessFlagMixin
from payments import selectors
from payments.idempotency import IdempotentMixin
from payments.serializers.inputs import InitiateRequestSerializer, PurchaseRequestSerializer
from payments.serializers.outputs import (
    InitiatedPaymentSerializer,
    PurchaseCancelledSerializer,
    PurchaseCreatedSerializer,
)
from payments.services import checkout
from payments.throttling import PurchaseThrottle


class CheckoutView(GenericAPIView):
    """Shared by Y1 and Y2: validate the body, find the published event, start the checkout."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PurchaseThrottle]
    output_serializer_class = None

    def post(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = form.validated_data
        event = selectors.published_event(event_id=fields.get("event_id"), event_slug=fields.get("event_slug"))
        started = checkout.start_checkout(
            buyer=request.user,
            event=event,
            ticket_type_id=fields["ticket_type_id"],
            quantity=fields["quantity"],
            attendee=fields["attendee"],
            payment_method=fields["payment_method"],
            callback_url=fields.get("callback_url") or None,
        )
        body = self.output_serializer_class(started.payment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(request=PurchaseRequestSerializer, responses={201: PurchaseCreatedSerializer})
class PurchaseView(IdempotentMixin, CheckoutView):
    """Y1: the seed shape (`tickets`, `pricing`, `payment`, `reservation`)."""

    serializer_class = PurchaseRequestSerializer
    output_serializer_class = PurchaseCreatedSerializer
    idempotency_endpoint = "tickets/purchase"


@extend_schema(request=InitiateRequestSerializer, responses={201: InitiatedPaymentSerializer})
class InitiatePaymentView(IdempotentMixin, SuccessFlagMixin, CheckoutView):
    """Y2: the web/mobile shape (`authorization_url`, `payment_reference`, ...)."""

    serializer_class = InitiateRequestSerializer
    output_serializer_class = InitiatedPaymentSerializer
    idempotency_endpoint = "payments/initiate"


class CancelPurchaseView(SuccessFlagMixin, GenericAPIView):
    """Y5: cancel an unpaid purchase of the caller's; repeating it answers `tickets_released: 0`."""

    permission_classes = [IsAuthenticated]
    serializer_class = PurchaseCancelledSerializer

    @extend_schema(request=None, responses=PurchaseCancelledSerializer)
    def post(self, request, purchase_id):
        released = checkout.cancel_purchase(buyer=request.user, purchase_id=purchase_id)
        return Response(self.get_serializer({"purchase_id": purchase_id, "tickets_released": released}).data)
