"""Dashboard routes (CONTRACT.md §8, §9). Mounted before accounts' and events' routes, so the
literal `auth/users/stats/` wins over djoser's `auth/users/{id}/`; the event routes are deeper literal
suffixes that never collide with events' own `events/<event>/...` paths."""

from django.urls import path

from analytics.views import events, stats

analytics = events.EventAnalyticsView.as_view()
user_stats = stats.UserStatsView.as_view()

urlpatterns = [
    path("events/<str:event>/analytics/", analytics, name="event-analytics"),
    path("events/my-events/<str:event>/analytics/", analytics, name="my-event-analytics"),
    path("events/<str:event>/attendees/", events.EventAttendeesView.as_view(), name="event-attendees"),
    path(
        "events/<str:event>/attendees/export/",
        events.EventAttendeesExportView.as_view(),
        name="event-attendees-export",
    ),
    path("events/<str:event>/checkin/", events.CheckInView.as_view(), name="event-checkin"),
    path("events/<str:event>/checkin-history/", events.CheckInHistoryView.as_view(), name="event-checkin-history"),
    path("auth/stats/", user_stats, name="user-stats"),
    path("auth/users/stats/", user_stats, name="users-stats"),
    path("public/stats/", stats.PublicStatsView.as_view(), name="public-stats"),
]
