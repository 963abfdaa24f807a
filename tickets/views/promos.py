"""PC1-PC5: an event's promo codes for its organizer, and the buyer's check (CONTRACT.md §16)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cafa.api.pagination import StandardPagination
from events import selectors as events_selectors
from events.selectors import event_ticket_type
from tickets import selectors
from tickets.exceptions import PromoCodeNotFound
from tickets.models import PromoCode
from tickets.serializers.promos import (
    PromoCodeInputSerializer,
    PromoCodeSerializer,
    PromoQuoteSerializer,
    PromoValidateSerializer,
)
from tickets.services import promos
from tickets.throttling import PromoValidateThrottle


def _shown(event, promo_pk: int) -> dict:
    """The PromoCode object as PC1 lists it (with its uses)."""
    return PromoCodeSerializer(selectors.event_promo_codes(event).get(pk=promo_pk)).data


def _owned_promo(request, event: str, promo_id: int):
    owned = events_selectors.owned_event(request.user, event)
    promo = PromoCode.objects.filter(event=owned, pk=promo_id).first()
    if promo is None:
        raise PromoCodeNotFound()
    return owned, promo


class PromoCodeListView(GenericAPIView):
    """PC1 (newest first, paginated) and PC2 `events/{event}/promo-codes/`: the organizer's codes."""

    serializer_class = PromoCodeSerializer
    pagination_class = StandardPagination
    queryset = PromoCode.objects.none()  # for the schema only; rows come from the selectors

    def get(self, request, event):
        codes = selectors.event_promo_codes(events_selectors.owned_event(request.user, event))
        page = self.paginate_queryset(codes)
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=PromoCodeInputSerializer, responses={201: PromoCodeSerializer})
    def post(self, request, event):
        owned = events_selectors.owned_event(request.user, event)
        data = PromoCodeInputSerializer(data=request.data, context={"event": owned})
        data.is_valid(raise_exception=True)
        promo = promos.create_promo_code(event=owned, data=dict(data.validated_data))
        body = {"success": True, "message": "Promo code created", "promo_code": _shown(owned, promo.pk)}
        return Response(body, status=status.HTTP_201_CREATED)


class PromoCodeDetailView(APIView):
    """PC3 (PATCH) and PC4 (DELETE) `events/{event}/promo-codes/{id}/`."""

    @extend_schema(request=PromoCodeInputSerializer, responses={200: PromoCodeSerializer})
    def patch(self, request, event, promo_id):
        owned, promo = _owned_promo(request, event, promo_id)
        data = PromoCodeInputSerializer(data=request.data, partial=True, context={"event": owned})
        data.is_valid(raise_exception=True)
        promos.update_promo_code(promo=promo, data=dict(data.validated_data))
        return Response({"success": True, "message": "Promo code updated", "promo_code": _shown(owned, promo.pk)})

    @extend_schema(request=None, responses={200: PromoCodeSerializer})
    def delete(self, request, event, promo_id):
        owned, promo = _owned_promo(request, event, promo_id)
        if promos.delete_promo_code(promo=promo):
            return Response({"success": True, "message": "Promo code deleted"})
        message = "This code has been used, so it was deactivated instead of deleted."
        return Response({"success": True, "message": message, "promo_code": _shown(owned, promo.pk)})


class ValidFlagMixin:
    """PC5's refusals carry `valid: false` beside the error envelope."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(response.data, dict):
            response.data = {"valid": False, **response.data}
        return response


class PromoCodeValidateView(ValidFlagMixin, APIView):
    """PC5 `events/{event}/promo-codes/validate/`: would this code apply to this order? Reserves nothing."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [PromoValidateThrottle]

    @extend_schema(request=PromoValidateSerializer, responses={200: PromoQuoteSerializer})
    def post(self, request, event):
        published = events_selectors.published_event(event)
        order = PromoValidateSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        ticket_type = event_ticket_type(published, order.validated_data["ticket_type_id"])
        quote = promos.quote(
            event=published,
            ticket_type=ticket_type,
            buyer=request.user,
            code=order.validated_data["code"],
            quantity=order.validated_data["quantity"],
        )
        return Response(PromoQuoteSerializer(quote).data)
