"""Query parameters of T1 `tickets/my-tickets/` (CONTRACT.md §7.1); bad values are 400s keyed by parameter."""

import django_filters
from django import forms
from django.db.models import Q

from cafa.api.parsing import is_ascii_digits
from events.selectors import MAX_ID_DIGITS
from tickets import selectors

MY_TICKET_ORDERINGS = {
    "-purchase_date": ("-purchase_date", "-id"),
    "purchase_date": ("purchase_date", "id"),
    "event_date": ("event__starts_at", "id"),
    "-event_date": ("-event__starts_at", "-id"),
}
STATUS_CHOICES = [(value, value) for value in (*selectors.REPORTED_TICKET_STATUSES, "all")]


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


def _by_id_or_slug(prefix: str, value: str) -> Q:
    value = value.strip()
    if is_ascii_digits(value):
        return Q(**{f"{prefix}_id": int(value)}) if len(value) <= MAX_ID_DIGITS else Q(pk__in=[])
    return Q(**{f"{prefix}__slug": value})


class MyTicketFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status")
    search = django_filters.CharFilter(method="filter_search")
    category = django_filters.CharFilter(method="filter_category")
    category_id = IntegerFilter(field_name="event__category_id")
    event = django_filters.CharFilter(method="filter_event")
    ordering = django_filters.ChoiceFilter(choices=[(key, key) for key in MY_TICKET_ORDERINGS], method="filter_order")

    def filter_status(self, queryset, name, value):
        return selectors.filter_by_reported_status(queryset, value)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        terms = Q(ticket_id__icontains=value)
        for field in ("event__title", "event__venue_name", "event__venue_city"):
            terms |= Q(**{f"{field}__icontains": value})
        return queryset.filter(terms)

    def filter_category(self, queryset, name, value):
        return queryset.filter(_by_id_or_slug("event__category", value)) if value.strip() else queryset

    def filter_event(self, queryset, name, value):
        return queryset.filter(_by_id_or_slug("event", value)) if value.strip() else queryset

    def filter_order(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset, so the default applies when absent

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering") or "-purchase_date"
        return queryset.order_by(*MY_TICKET_ORDERINGS[ordering])
