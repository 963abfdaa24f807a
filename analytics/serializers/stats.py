"""Shapes of the stats pages (CONTRACT.md §9)."""

from rest_framework import serializers

from cafa.api.fields import MoneyField


class UserOverviewSerializer(serializers.Serializer):
    tickets_purchased = serializers.IntegerField()
    events_organized = serializers.IntegerField()
    events_attended = serializers.IntegerField()
    total_spent = MoneyField()
    total_revenue = MoneyField()
    account_age_days = serializers.IntegerField()
    account_age_display = serializers.CharField()


class CategorySpendSerializer(serializers.Serializer):
    category = serializers.CharField()
    count = serializers.IntegerField()
    total_spent = MoneyField()


class PurchasingStatsSerializer(serializers.Serializer):
    active_tickets = serializers.IntegerField()
    used_tickets = serializers.IntegerField()
    upcoming_events = serializers.IntegerField()
    past_events = serializers.IntegerField()
    total_spent = MoneyField()
    tickets_by_category = CategorySpendSerializer(many=True)


class BestSellingEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    tickets_sold = serializers.IntegerField()


class MonthRevenueSerializer(serializers.Serializer):
    month = serializers.CharField()
    revenue = MoneyField()
    tickets_sold = serializers.IntegerField()


class OrganizingStatsSerializer(serializers.Serializer):
    total_events_created = serializers.IntegerField()
    active_events = serializers.IntegerField()
    past_events = serializers.IntegerField()
    total_tickets_sold = serializers.IntegerField()
    total_revenue = MoneyField()
    total_attendees = serializers.IntegerField()
    average_tickets_per_event = serializers.FloatField()
    best_selling_event = BestSellingEventSerializer(allow_null=True)
    revenue_by_month = MonthRevenueSerializer(many=True)


class ActivitySerializer(serializers.Serializer):
    type = serializers.CharField()
    event_title = serializers.CharField()
    event_slug = serializers.CharField()
    date = serializers.DateTimeField()
    amount = MoneyField(required=False)

    def to_representation(self, instance):
        # `amount` is omitted for `event_created` (CONTRACT.md §9.1), never null.
        data = super().to_representation(instance)
        if "amount" not in instance:
            data.pop("amount", None)
        return data


class UserDashboardSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    overview = UserOverviewSerializer()
    purchasing_stats = PurchasingStatsSerializer()
    organizing_stats = OrganizingStatsSerializer()
    recent_activity = ActivitySerializer(many=True)


class PublicOverviewSerializer(serializers.Serializer):
    total_upcoming_events = serializers.IntegerField()
    total_tickets_sold = serializers.IntegerField()
    total_organizers = serializers.IntegerField()
    total_attendees_checked_in = serializers.IntegerField()
    total_events_published = serializers.IntegerField()
    active_events_now = serializers.IntegerField()


class PublicRevenueSerializer(serializers.Serializer):
    total_revenue = MoneyField()
    currency = serializers.CharField()


class PopularEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    tickets_sold = serializers.IntegerField()
    category = serializers.CharField()


class HighlightsSerializer(serializers.Serializer):
    most_popular_event = PopularEventSerializer(allow_null=True)
    events_this_month = serializers.IntegerField()
    new_organizers_this_month = serializers.IntegerField()


class PublicStatsSerializer(serializers.Serializer):
    overview = PublicOverviewSerializer()
    revenue = PublicRevenueSerializer()
    highlights = HighlightsSerializer()
    last_updated = serializers.DateTimeField()
