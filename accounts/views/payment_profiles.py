"""Payout account endpoints M1-M6 (CONTRACT.md §10); each path also lives under auth/users/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from accounts.exceptions import PaymentProfileRefused
from accounts.models import PaymentProfile
from accounts.serializers.payment_profiles import (
    PaymentProfileCreateSerializer,
    PaymentProfileSerializer,
    PaymentProfileUpdateSerializer,
)
from accounts.services import payment_profiles as services
from cafa.api.exceptions import SuccessFlagMixin
from cafa.api.throttling import UserScopedThrottle, UserThrottle

CREATED_MESSAGE = (
    "Payment profile created. A GHS 1.00 verification transfer has been started; this usually takes 1–2 minutes."  # noqa: RUF001 (contract text)
)
IMMUTABLE_FIELDS = {"method", "account_details"}


class AccountNameLookupThrottle(UserScopedThrottle):
    """A profile sent without `account_name` makes the provider say who holds the account number:
    a few such creations per user and hour, so M2 cannot be used as a directory of account holders."""

    scope = "account_lookup"

    def get_cache_key(self, request, view):
        details = request.data.get("account_details") if hasattr(request.data, "get") else None
        if request.method != "POST" or (isinstance(details, dict) and details.get("account_name")):
            return None
        return super().get_cache_key(request, view)


class OwnProfileMixin(SuccessFlagMixin):
    queryset = PaymentProfile.objects.none()

    def get_queryset(self):
        return PaymentProfile.objects.live().filter(user=self.request.user)

    def get_profile(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["profile_id"])

    def show(self, profile):
        return PaymentProfileSerializer(profile, context=self.get_serializer_context()).data


class PaymentProfileListView(OwnProfileMixin, generics.GenericAPIView):
    """M1 list, M2 create."""

    serializer_class = PaymentProfileCreateSerializer
    throttle_classes = [UserThrottle, AccountNameLookupThrottle]

    @extend_schema(operation_id="auth_payment_profile_list", responses=PaymentProfileSerializer(many=True))
    def get(self, request):
        profiles = PaymentProfileSerializer(self.get_queryset(), many=True).data
        return Response({"count": len(profiles), "results": profiles})

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.create_payment_profile(user=request.user, **serializer.validated_data)
        verification = {"status": profile.status, "attempts": profile.verification_attempts}
        data = {"payment_profile": self.show(profile), "verification": verification}
        return Response({"success": True, "message": CREATED_MESSAGE, "data": data}, status=status.HTTP_201_CREATED)


class PaymentProfileDetailView(OwnProfileMixin, generics.GenericAPIView):
    """M3 read, M4 rename / re-describe / make default, M5 soft delete."""

    serializer_class = PaymentProfileUpdateSerializer

    def get(self, request, profile_id):
        return Response(self.show(self.get_profile()))

    def patch(self, request, profile_id):
        profile = self.get_profile()
        if isinstance(request.data, dict) and IMMUTABLE_FIELDS & set(request.data):
            raise PaymentProfileRefused("Create a new profile to change account details.", error="Immutable field")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.update_payment_profile(profile=profile, **serializer.validated_data)
        return Response({"success": True, "message": "Payment profile updated", "payment_profile": self.show(profile)})

    put = patch

    def delete(self, request, profile_id):
        services.delete_payment_profile(profile=self.get_profile())
        return Response({"success": True, "message": "Payment profile deleted"})


class SetDefaultPaymentProfileView(OwnProfileMixin, generics.GenericAPIView):
    """M6."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, profile_id):
        profile = services.set_default_payment_profile(profile=self.get_profile())
        summary = {"id": str(profile.pk), "name": profile.name, "is_default": True}
        return Response({"success": True, "message": "Default payment profile updated", "payment_profile": summary})
