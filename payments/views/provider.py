"""Endpoints the provider (or the buyer coming back from it) calls: webhook, sandbox, mobile callback."""

from urllib.parse import quote

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import providers
from payments.exceptions import InvalidSignatureError
from payments.models import Payment, PaymentStatus
from payments.providers import InvalidSignature
from payments.services import completion, sandbox, webhooks
from payments.services.callbacks import with_reference
from payments.throttling import PaymentPollThrottle

MOBILE_OUTCOMES = {PaymentStatus.COMPLETED: "success", PaymentStatus.PENDING: "pending"}


class PaystackWebhookView(APIView):
    """Y10: verify, store once, answer at once; processing runs after commit."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        try:
            webhooks.receive_webhook(body=request.body, headers=request.headers)
        except InvalidSignature:
            raise InvalidSignatureError() from None
        return Response({"received": True})


class MobileCallbackView(APIView):
    """Y9: settle what can be settled, then send the app to its deep link."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PaymentPollThrottle]

    @extend_schema(
        parameters=[OpenApiParameter("reference", str), OpenApiParameter("trxref", str)],
        responses={302: None},
    )
    def get(self, request):
        reference = request.query_params.get("reference") or request.query_params.get("trxref")
        default_link = deep_link_base()
        if not reference:
            return _raw_redirect(f"{default_link}?status=cancelled&error=no_reference")
        payment = Payment.objects.select_related("purchase").filter(reference=reference).first()
        if payment is None:
            return _raw_redirect(f"{default_link}?status=failed&reference={quote(reference, safe='')}&error=not_found")
        payment = completion.refresh_payment(payment)
        outcome = MOBILE_OUTCOMES.get(payment.status, "failed")
        link = payment.deep_link.split("?")[0] if payment.deep_link else default_link
        return _raw_redirect(f"{link}?status={outcome}&reference={reference}")


def deep_link_base() -> str:
    from django.conf import settings

    return f"{settings.MOBILE_DEEP_LINK_SCHEME}://payment-result"


def _raw_redirect(location: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect("/")
    response["Location"] = location  # a custom scheme: Django's redirect refuses unknown schemes
    return response


class HtmlPageNegotiation(DefaultContentNegotiation):
    """An HTML page answers whatever the client accepts (a WebView may send `Accept: text/html` only).

    The page itself is a Django response that no renderer touches; the renderer picked here only
    writes error answers, which stay the JSON envelope.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@method_decorator(csrf_exempt, name="dispatch")
class SandboxCheckoutView(APIView):
    """Y11: the sandbox's payment page (only without provider keys)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    content_negotiation_class = HtmlPageNegotiation

    def initial(self, request, *args, **kwargs):
        if not providers.sandbox_enabled():
            raise Http404
        super().initial(request, *args, **kwargs)

    @extend_schema(exclude=True)
    def get(self, request, reference):
        payment = sandbox.checkout_payment(reference)
        return render(request, "payments/sandbox_checkout.html", {"payment": payment, "purchase": payment.purchase})

    @extend_schema(exclude=True)
    def post(self, request, reference):
        outcome = request.data.get("outcome", "") if hasattr(request.data, "get") else ""
        payment = sandbox.pay(reference=reference, outcome=outcome)
        return HttpResponseRedirect(with_reference(payment.callback_url, payment.reference))
