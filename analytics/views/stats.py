"""§9: the signed-in user's dashboard figures and the public landing-page stats."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors import public_stats, user_stats
from analytics.serializers.stats import PublicStatsSerializer, UserDashboardSerializer
from cafa.api import http_cache
from cafa.api.http_cache import SharedAnswerMixin

PUBLIC_STATS_ANSWER_KEY = "analytics:answer:public-stats"


class UserStatsView(APIView):
    """`auth/stats/` = `auth/users/stats/` (JWT)."""

    @extend_schema(responses={200: UserDashboardSerializer})
    def get(self, request):
        return Response(UserDashboardSerializer(user_stats.user_dashboard(request.user)).data)


class PublicStatsView(SharedAnswerMixin, APIView):
    """`public/stats/` (public; figures cached for 5 minutes, the answer's bytes in the shared cache)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    personal = False  # credentials are ignored here, so the answer never depends on them

    @extend_schema(responses={200: PublicStatsSerializer})
    def get(self, request):
        return self.answer(request)

    def find_answer(self, public, request, *, user, rate_limit):
        return http_cache.find(PUBLIC_STATS_ANSWER_KEY, [], rate_limit=rate_limit)

    def build_answer(self, public):
        return {"success": True, "data": PublicStatsSerializer(public_stats.public_stats()).data}, None
