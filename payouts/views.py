"""Payout endpoints: M7-M9 (CONTRACT.md §10), the revenue report and withdrawals W1-W4 (§11)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import PaymentProfile
from accounts.serializers.payment_profiles import PaymentProfileSerializer
from cafa.api.exceptions import SuccessFlagMixin
from cafa.api.pagination import StandardPagination
from cafa.api.throttling import UserScopedThrottle, UserThrottle
from payouts import selectors
from payouts import serializers as shapes
from payouts.exceptions import WithdrawalNotFound
from payouts.models import Withdrawal
from payouts.services import banks, verification, withdrawals


class WithdrawalThrottle(UserScopedThrottle):
    scope = "withdrawal"


class OwnProfileMixin(SuccessFlagMixin):
    def get_profile(self) -> PaymentProfile:
        profiles = PaymentProfile.objects.live().filter(user=self.request.user)
        return get_object_or_404(profiles, pk=self.kwargs["profile_id"])


class VerificationStatusView(OwnProfileMixin, APIView):
    """M7: polled every 5 seconds, so two queries at most."""

    @extend_schema(responses=shapes.VerificationStatusSerializer)
    def get(self, request, profile_id):
        profile = self.get_profile()
        state = {"profile": profile, "retry": verification.retry_state(profile)}
        return Response(shapes.VerificationStatusSerializer(state).data)


class RetryVerificationView(OwnProfileMixin, APIView):
    """M8: another GHS 1.00 attempt after a failure (3 per 24 h, 10 minutes apart)."""

    @extend_schema(request=shapes.RetryVerificationSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, profile_id):
        confirm = request.data.get("confirm") if hasattr(request.data, "get") else None
        profile = verification.retry_verification(profile=self.get_profile(), confirm=confirm)
        return Response(
            {
                "success": True,
                "message": "Verification restarted. A new GHS 1.00 transfer is on its way.",
                "payment_profile": PaymentProfileSerializer(profile).data,
                "verification": {"status": profile.status, "attempts": profile.verification_attempts},
            }
        )


class BankListView(APIView):
    """M9: public; the provider's list cached 24 hours, else the static one."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("type", str, enum=list(banks.TYPES))], responses=shapes.BankListSerializer
    )
    def get(self, request):
        query = shapes.BankListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(shapes.BankListSerializer(banks.bank_list(query.validated_data.get("type"))).data)


class RevenueView(APIView):
    """`organizers/revenue/`: sales figures for a period, balances right now."""

    @extend_schema(
        parameters=[OpenApiParameter("period", str, enum=list(selectors.PERIODS))],
        responses=shapes.RevenueReportSerializer,
    )
    def get(self, request):
        query = shapes.RevenueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = selectors.revenue_report(organizer=request.user, period=query.validated_data["period"])
        return Response(shapes.RevenueReportSerializer(report).data)


class WithdrawalRequestView(SuccessFlagMixin, APIView):
    """W1."""

    throttle_classes = [UserThrottle, WithdrawalThrottle]

    @extend_schema(request=shapes.WithdrawalRequestSerializer, responses={201: shapes.WithdrawalSerializer})
    def post(self, request):
        body = shapes.WithdrawalRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        withdrawal = withdrawals.request_withdrawal(
            organizer=request.user,
            amount=body.validated_data.get("amount"),
            payment_profile_id=body.validated_data.get("payment_profile_id"),
        )
        data = shapes.WithdrawalSerializer(selectors.organizer_withdrawals(request.user).get(pk=withdrawal.pk)).data
        return Response(
            {"success": True, "message": "Withdrawal request submitted", "data": data}, status=status.HTTP_201_CREATED
        )


class WithdrawalHistoryView(SuccessFlagMixin, generics.ListAPIView):
    """W2: paginated, newest first, optionally by status."""

    serializer_class = shapes.WithdrawalSerializer
    pagination_class = StandardPagination
    filter_backends = []

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=[s for s, _ in shapes.WithdrawalStatus.choices])])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = shapes.WithdrawalHistoryQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        queryset = selectors.organizer_withdrawals(self.request.user)
        if query.validated_data.get("status"):
            queryset = queryset.filter(status=query.validated_data["status"])
        return queryset

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(page, many=True).data
        response = self.paginator.get_paginated_response(data, success=True)
        response.data["data"] = data  # the contract's `data` mirrors `results`
        return response


class WithdrawalDetailView(SuccessFlagMixin, APIView):
    """W3."""

    @extend_schema(responses=shapes.WithdrawalSerializer)
    def get(self, request, withdrawal_id):
        withdrawal = _own(request.user, withdrawal_id)
        return Response({"success": True, "data": shapes.WithdrawalSerializer(withdrawal).data})


class WithdrawalCancelView(SuccessFlagMixin, APIView):
    """W4: only while pending."""

    @extend_schema(request=None, responses=shapes.WithdrawalSerializer)
    def post(self, request, withdrawal_id):
        withdrawal = withdrawals.cancel_withdrawal(withdrawal=_own(request.user, withdrawal_id))
        data = shapes.WithdrawalSerializer(_own(request.user, withdrawal.withdrawal_id)).data
        return Response({"success": True, "message": "Withdrawal cancelled", "data": data})


def _own(user, withdrawal_id: str) -> Withdrawal:
    withdrawal = selectors.organizer_withdrawals(user).filter(withdrawal_id=withdrawal_id.strip().upper()).first()
    if withdrawal is None:
        raise WithdrawalNotFound()
    return withdrawal
