"""WL3 leave and WL4 pay an offer (CONTRACT.md §17): both may involve the offer's payment.

WL4 answers exactly as Y2 (`payments/initiate/`), with `callback_url` and `Idempotency-Key` as there.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cafa.api.exceptions import SuccessFlagMixin
from payments.idempotency import idempotent
from payments.serializers.checkout import InitiatedPaymentSerializer
from payments.serializers.inputs import PAYMENT_METHODS
from payments.services import checkout
from payments.throttling import PurchaseThrottle


class AcceptOfferSerializer(serializers.Serializer):
    """WL4 body (all optional): where the provider sends the buyer back, and the intended method."""

    callback_url = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)
    payment_method = serializers.ChoiceField(choices=PAYMENT_METHODS, default="card")


class LeaveWaitlistView(SuccessFlagMixin, APIView):
    """WL3 `waitlist/{entry_id}/` (DELETE): leave; an offer's held seats go to the next in line."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Left the waiting list")})
    def delete(self, request, entry_id):
        checkout.leave_waitlist(buyer=request.user, entry_id=entry_id)
        return Response({"success": True, "message": "Left the waiting list"})


class AcceptOfferView(SuccessFlagMixin, APIView):
    """WL4 `waitlist/{entry_id}/accept/`: pay for the held seats; a repeat shows the same payment."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PurchaseThrottle]

    @extend_schema(request=AcceptOfferSerializer, responses={201: InitiatedPaymentSerializer})
    @idempotent("waitlist/accept")
    def post(self, request, entry_id):
        body = AcceptOfferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        started = checkout.accept_offer(buyer=request.user, entry_id=entry_id, **body.validated_data)
        answer = InitiatedPaymentSerializer(started.payment, context={"request": request}).data
        return Response(answer, status=status.HTTP_200_OK if started.repeated else status.HTTP_201_CREATED)
