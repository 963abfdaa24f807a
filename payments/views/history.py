"""Y3 verify, Y4 status, Y6 resend, Y7 history, Y8 detail (CONTRACT.md §6.5, §6.6, §6.9-§6.11).

Y3 and Y4 are read-throughs: a pending payment is checked with the provider (and completed when it
was paid) before the answer is built.
"""

from django.http import HttpResponse
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework_simplejwt.authentication import JWTAuthentication

from cafa.api.exceptions import SuccessFlagMixin
from cafa.api.pagination import SmallPagination
from payments import selectors
from payments.exceptions import NoTicketsToSend, PaymentNotCompleted
from payments.models import Payment, PaymentStatus
from payments.serializers.inputs import PaymentHistoryQuerySerializer
from payments.serializers.outputs import (
    PaymentDetailSerializer,
    PaymentItemSerializer,
    PaymentStatusSerializer,
    PaymentSummarySerializer,
    TicketsResentSerializer,
    verification_body,
)
from payments.services import completion
from payments.throttling import PaymentPollThrottle, ResendTicketsThrottle
from tickets.services import documents, outbox


class OptionalJWTAuthentication(JWTAuthentication):
    """A valid Bearer token identifies the caller; a missing, expired or bad one just means anonymous."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            return None


class OptionalJWTScheme(SimpleJWTScheme):
    """Documents OptionalJWTAuthentication as the usual Bearer scheme."""

    target_class = "payments.views.history.OptionalJWTAuthentication"
    name = "optionalJwtAuth"


def read_through(payment: Payment) -> Payment:
    """Ask the provider about a pending payment, then reload it for display."""
    if payment.status != PaymentStatus.PENDING:
        return payment
    return selectors.reload_payment(completion.refresh_payment(payment))


class VerifyPaymentView(SuccessFlagMixin, GenericAPIView):
    """Y3 (public): by provider reference; the owner also sees attendee e-mail and phone."""

    authentication_classes = [OptionalJWTAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [PaymentPollThrottle]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, reference):
        payment = read_through(selectors.payment_by_reference(reference))
        is_owner = request.user.is_authenticated and payment.user_id == request.user.pk
        return Response(verification_body(payment, context={"request": request, "is_owner": is_owner}))


class PaymentStatusView(GenericAPIView):
    """Y4 (owner): polled every 3 s by the seed flow."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PaymentPollThrottle]
    serializer_class = PaymentStatusSerializer

    def get(self, request, payment_id):
        payment = read_through(selectors.owned_payment(request.user, payment_id))
        return Response(self.get_serializer(payment).data)


class ResendTicketsView(SuccessFlagMixin, GenericAPIView):
    """Y6 (owner): send the ticket e-mail again (an explicit resend always sends), for completed payments only."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ResendTicketsThrottle]
    serializer_class = TicketsResentSerializer

    @extend_schema(request=None, responses=TicketsResentSerializer)
    def post(self, request, payment_id):
        payment = selectors.owned_payment(request.user, payment_id)
        if payment.status != PaymentStatus.COMPLETED:
            raise PaymentNotCompleted()
        tickets = selectors.issued_tickets(payment)
        if not tickets:
            raise NoTicketsToSend()
        outbox.resend(purchase=payment.purchase)
        body = {"email": payment.purchase.attendee_email, "tickets_count": len(tickets)}
        return Response(self.get_serializer(body).data)


class PaymentHistoryView(GenericAPIView):
    """Y7: the caller's payments, newest first, with a summary over all of them."""

    permission_classes = [IsAuthenticated]
    pagination_class = SmallPagination
    serializer_class = PaymentItemSerializer
    queryset = Payment.objects.none()  # for the schema only; rows come from the selectors

    @extend_schema(
        operation_id="payments_list",
        parameters=[PaymentHistoryQuerySerializer, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    def get(self, request):
        query = PaymentHistoryQuerySerializer(data={k: v for k, v in request.query_params.items() if v != ""})
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.payment_history(request.user, **query.validated_data))
        summary = PaymentSummarySerializer(selectors.payment_summary(request.user)).data
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data, summary=summary)


class PaymentTicketsPdfView(GenericAPIView):
    """`payments/{payment_id}/tickets.pdf` (owner): every issued ticket of the payment, one page each."""

    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # Success is a PDF returned as-is; errors are always the JSON envelope, whatever `Accept` says.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, payment_id):
        payment = selectors.owned_payment(request.user, payment_id)
        if payment.status != PaymentStatus.COMPLETED:
            raise PaymentNotCompleted("Tickets are issued once the payment is completed.")
        pdf = documents.render_purchase_pdf(payment.purchase)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="tickets-{payment.payment_id}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class PaymentDetailView(GenericAPIView):
    """Y8 (owner)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PaymentDetailSerializer

    def get(self, request, payment_id):
        return Response(self.get_serializer(selectors.owned_payment(request.user, payment_id)).data)
