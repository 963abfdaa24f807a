"""T1-T4: the caller's tickets, one ticket, its PDF, and the events they attended (CONTRACT.md §7)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cafa.api.pagination import SmallPagination
from events.filters import run_filterset
from tickets import selectors
from tickets.exceptions import TicketNotFound, TicketNotIssued
from tickets.models import Ticket
from tickets.serializers.outputs import AttendedEventSerializer, TicketDetailSerializer, TicketSerializer
from tickets.services import documents
from tickets.views.filters import MyTicketFilter


def owned_ticket(request, ticket_id: str) -> Ticket:
    ticket = selectors.buyer_ticket(request.user, ticket_id)
    if ticket is None:
        raise TicketNotFound()
    return ticket


class TicketCollectionView(APIView):
    """`tickets/` itself serves nothing: `POST tickets/` is 405 (purchases go to `tickets/purchase/`)."""

    permission_classes = [AllowAny]
    schema = None


class MyTicketListView(GenericAPIView):
    """T1 `tickets/my-tickets/`: the caller's issued tickets, filtered, ordered, 10 a page (max 100)."""

    permission_classes = [IsAuthenticated]
    pagination_class = SmallPagination
    serializer_class = TicketSerializer
    filterset_class = MyTicketFilter
    queryset = Ticket.objects.none()  # for the schema only; rows come from the selectors

    def get(self, request):
        filterset = run_filterset(self.filterset_class, request, selectors.buyer_tickets(request.user))
        page = self.paginate_queryset(filterset.qs)
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data)


class TicketDetailView(GenericAPIView):
    """T2 `tickets/{ticket_id}/`: any ticket of the caller; someone else's is 404."""

    permission_classes = [IsAuthenticated]
    serializer_class = TicketDetailSerializer

    def get(self, request, ticket_id):
        return Response(self.get_serializer(owned_ticket(request, ticket_id)).data)


class TicketDownloadView(APIView):
    """T3 `tickets/{ticket_id}/download/`: the ticket's one-page PDF (issued tickets only)."""

    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # Success is a PDF (returned as-is); errors are always the JSON envelope, whatever `Accept` says.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, ticket_id):
        ticket = owned_ticket(request, ticket_id)
        if not ticket.is_issued:
            raise TicketNotIssued()
        response = HttpResponse(documents.render_ticket_pdf(ticket), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.ticket_id}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class AttendedEventListView(GenericAPIView):
    """T4 `tickets/attended-events/`: the caller's checked-in tickets, latest first check-in first."""

    permission_classes = [IsAuthenticated]
    pagination_class = SmallPagination
    serializer_class = AttendedEventSerializer
    queryset = Ticket.objects.none()

    def get(self, request):
        page = self.paginate_queryset(selectors.attended_tickets(request.user))
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data)
