"""§9: the signed-in user's dashboard figures and the public landing-page stats."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors import public_stats, user_stats
from analytics.serializers.stats import PublicStatsSerializer, UserDashboardSerializer


class UserStatsView(APIView):
    """`auth/stats/` = `auth/users/stats/` (JWT)."""

    @extend_schema(responses={200: UserDashboardSerializer})
    def get(self, request):
        return Response(UserDashboardSerializer(user_stats.user_dashboard(request.user)).data)


class PublicStatsView(APIView):
    """`public/stats/` (public; figures cached for 5 minutes)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicStatsSerializer})
    def get(self, request):
        return Response({"success": True, "data": PublicStatsSerializer(public_stats.public_stats()).data})
