"""Public contact form and newsletter (CONTRACT.md §12); routed by analytics.urls."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers.outreach import (
    ContactMessageInputSerializer,
    ContactMessageSerializer,
    NewsletterEmailSerializer,
    NewsletterSubscribeSerializer,
    NewsletterSubscriptionSerializer,
)
from accounts.services import outreach
from cafa.api.exceptions import SuccessFlagMixin
from cafa.api.throttling import IPThrottle


class ContactThrottle(IPThrottle):
    scope = "contact"


class NewsletterThrottle(IPThrottle):
    scope = "newsletter"


class PublicOutreachView(SuccessFlagMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]


class ContactView(PublicOutreachView):
    """`contact/`: store the message, e-mail staff after the commit."""

    throttle_classes = [ContactThrottle]

    @extend_schema(request=ContactMessageInputSerializer, responses={201: ContactMessageSerializer})
    def post(self, request):
        form = ContactMessageInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        contact = outreach.submit_contact_message(**form.validated_data)
        body = {
            "success": True,
            "message": "Thank you for contacting us. We'll get back to you soon.",
            "data": ContactMessageSerializer(contact).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


SUBSCRIBE_ANSWERS = {
    "created": (status.HTTP_201_CREATED, "Successfully subscribed to the newsletter"),
    "reactivated": (status.HTTP_200_OK, "Successfully subscribed to the newsletter"),
    "already_subscribed": (status.HTTP_200_OK, "You are already subscribed"),
}


class NewsletterSubscribeView(PublicOutreachView):
    """`newsletter/subscribe/`: 201 new, 200 already subscribed or re-activated."""

    throttle_classes = [NewsletterThrottle]

    @extend_schema(request=NewsletterSubscribeSerializer, responses={201: NewsletterSubscriptionSerializer})
    def post(self, request):
        form = NewsletterSubscribeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        subscription = outreach.subscribe(**form.validated_data)
        code, message = SUBSCRIBE_ANSWERS[subscription.outcome]
        data = NewsletterSubscriptionSerializer(subscription.record).data
        return Response({"success": True, "message": message, "data": data}, status=code)


class NewsletterUnsubscribeView(PublicOutreachView):
    """`newsletter/unsubscribe/`: 200 whether or not the address was subscribed (no oracle)."""

    throttle_classes = [NewsletterThrottle]

    @extend_schema(request=NewsletterEmailSerializer, responses={200: OpenApiResponse(description="Unsubscribed")})
    def post(self, request):
        form = NewsletterEmailSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        outreach.unsubscribe(email=form.validated_data["email"])
        return Response({"success": True, "message": "You have been unsubscribed"})
