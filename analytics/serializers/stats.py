"""Shapes of the stats pages (CONTRACT.md §9), generated from the selectors' dataclasses."""

from analytics.selectors.public_stats import PublicStats
from analytics.selectors.user_stats import Activity, UserDashboard
from cafa.api.fields import MoneyField
from cafa.api.serializers import DataclassOutputSerializer


class ActivitySerializer(DataclassOutputSerializer):
    amount = MoneyField(required=False)  # absent, not null, when there is none

    class Meta:
        dataclass = Activity

    def to_representation(self, instance):
        # `amount` is omitted for `event_created` (CONTRACT.md §9.1).
        data = super().to_representation(instance)
        if instance.amount is None:
            data.pop("amount", None)
        return data


class UserDashboardSerializer(DataclassOutputSerializer):
    recent_activity = ActivitySerializer(many=True)

    class Meta:
        dataclass = UserDashboard


class PublicStatsSerializer(DataclassOutputSerializer):
    class Meta:
        dataclass = PublicStats
