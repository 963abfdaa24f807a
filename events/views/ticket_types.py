"""O6-O8: ticket types of an organizer's event (CONTRACT.md §5.6), web and mobile paths."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from events import selectors, services
from events.serializers.inputs import TicketTypeInputSerializer, ticket_type_context
from events.serializers.outputs import TicketTypeOrganizerSerializer


class TicketTypeCreateView(APIView):
    """O6 `events/{event}/tickets/` = `events/{event}/tickets/create/`."""

    @extend_schema(request=TicketTypeInputSerializer, responses={201: TicketTypeOrganizerSerializer})
    def post(self, request, event):
        instance = selectors.owned_event(request.user, event)
        services.ensure_ticket_types_editable(instance)
        serializer = TicketTypeInputSerializer(data=request.data, context=ticket_type_context(instance))
        serializer.is_valid(raise_exception=True)
        ticket_type = services.create_ticket_type(event=instance, data=serializer.validated_data)
        body = {
            "success": True,
            "message": "Ticket type created successfully",
            "ticket_type": TicketTypeOrganizerSerializer(ticket_type).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class TicketTypeUpdateView(APIView):
    """O7 `events/{event}/tickets/{id}/edit/` (PATCH/PUT, always partial)."""

    @extend_schema(request=TicketTypeInputSerializer, responses={200: TicketTypeOrganizerSerializer})
    def patch(self, request, event, ticket_type_id):
        instance = selectors.owned_event(request.user, event)
        ticket_type = selectors.event_ticket_type(instance, ticket_type_id)
        services.ensure_ticket_types_editable(instance)
        context = ticket_type_context(instance)
        serializer = TicketTypeInputSerializer(ticket_type, data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        ticket_type = services.update_ticket_type(ticket_type=ticket_type, data=serializer.validated_data)
        body = {
            "success": True,
            "message": "Ticket type updated successfully",
            "ticket_type": TicketTypeOrganizerSerializer(ticket_type).data,
        }
        return Response(body)

    put = patch


class TicketTypeDeleteView(APIView):
    """O8 `events/{event}/tickets/{id}/delete/`."""

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Ticket type deleted")})
    def delete(self, request, event, ticket_type_id):
        ticket_type = selectors.event_ticket_type(selectors.owned_event(request.user, event), ticket_type_id)
        services.delete_ticket_type(ticket_type=ticket_type)
        return Response({"success": True, "message": "Ticket type deleted successfully"})


class TicketTypeView(TicketTypeUpdateView, TicketTypeDeleteView):
    """`events/{event}/tickets/{id}/`: O7 (PATCH/PUT) and O8 (DELETE) on the web path."""
