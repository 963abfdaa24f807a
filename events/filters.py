"""Query-parameter filters of the event lists (CONTRACT.md §4.2, §4.3, §5.4), built on django-filter.

A malformed value is a 400 validation error keyed by the parameter name (`run_filterset`).
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from rest_framework.exceptions import ValidationError

from cafa.api.pagination import page_with_total
from cafa.api.parsing import is_ascii_digits
from cafa.prepared import PreparedRead
from events import selectors
from events.models import TicketType

PUBLIC_ORDERINGS = {
    "-start_date": ("-start_date", "-start_time", "-id"),
    "start_date": ("start_date", "start_time", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "price": ("lowest_price", "id"),
    "-price": ("-lowest_price", "-id"),
    "popularity": ("-tickets_sold", "id"),  # both spellings: most tickets sold first
    "-popularity": ("-tickets_sold", "id"),
}
PAST_DEFAULT_ORDERING = ("-ends_at", "-id")
ORGANIZER_ORDERINGS = {
    "-start_date": ("-start_date", "-start_time", "-id"),
    "start_date": ("start_date", "start_time", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-tickets_sold": ("-tickets_sold", "-id"),
    "tickets_sold": ("tickets_sold", "id"),
    "-revenue": ("-gross_revenue", "-id"),
    "revenue": ("gross_revenue", "id"),
}


def _choices(values):
    return [(value, value) for value in values]


def run_filterset(filterset_class, request, queryset):
    """Bind and validate a FilterSet on the request's query string; raise a 400 keyed by parameter."""
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class OrderingChoiceFilter(django_filters.ChoiceFilter):
    """`?ordering=<key>` mapped to a fixed tuple of order_by() terms (ties always broken by id)."""

    def __init__(self, orderings: dict, **kwargs):
        self.orderings = orderings
        super().__init__(choices=_choices(orderings), **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        terms = self.orderings[value]
        return selectors.with_sort_keys(queryset, terms).order_by(*terms)


class EventCatalogueFilter(django_filters.FilterSet):
    """Filters shared by `events/` and `events/past/`."""

    category = django_filters.CharFilter(method="filter_category")
    category_id = IntegerFilter(field_name="category_id")
    search = django_filters.CharFilter(method="filter_search")
    city = django_filters.CharFilter(field_name="venue_city", lookup_expr="iexact")
    date_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", input_formats=["%Y-%m-%d"])
    date_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", input_formats=["%Y-%m-%d"])
    price_min = django_filters.NumberFilter(method="filter_price")
    price_max = django_filters.NumberFilter(method="filter_price")
    ordering = OrderingChoiceFilter(PUBLIC_ORDERINGS)

    default_ordering = PUBLIC_ORDERINGS["-start_date"]

    def filter_category(self, queryset, name, value):
        if is_ascii_digits(value):
            return queryset.filter(category_id=int(value)) if len(value) <= selectors.MAX_ID_DIGITS else queryset.none()
        return queryset.filter(category__slug=value)

    def filter_search(self, queryset, name, value):
        terms = Q()
        for field in ("title", "short_description", "description", "venue_name", "venue_city"):
            terms |= Q(**{f"{field}__icontains": value})
        return queryset.filter(terms)

    def filter_price(self, queryset, name, value):
        """An event matches when one of its ticket types is priced inside [price_min, price_max]."""
        price_min, price_max = self.form.cleaned_data.get("price_min"), self.form.cleaned_data.get("price_max")
        if name == "price_max" and price_min is not None:
            return queryset  # already applied together with price_min
        types = TicketType.objects.filter(event=OuterRef("pk"))
        if price_min is not None:
            types = types.filter(price__gte=price_min)
        if price_max is not None:
            types = types.filter(price__lte=price_max)
        return queryset.filter(Exists(types))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset if self.form.cleaned_data.get("ordering") else queryset.order_by(*self.default_ordering)

    # --- Queries with no filter but status and ordering, which need none of django-filter's machinery ---

    statuses: tuple[str, ...] = ()

    @classmethod
    def plain_choices(cls, query_params) -> tuple[str, str] | None:
        """`(status, ordering)` of a query whose only filters are `status` and `ordering`, each empty or a
        valid choice (as validation would leave them), else None."""
        allowed = {"page", "page_size", "ordering", *(("status",) if cls.statuses else ())}
        if not set(query_params) <= allowed:
            return None
        status, ordering = query_params.get("status", ""), query_params.get("ordering", "")
        if (status and status not in cls.statuses) or (ordering and ordering not in PUBLIC_ORDERINGS):
            return None
        return status, ordering

    @classmethod
    def plain_queryset(cls, queryset, *, status: str, ordering: str, now):
        """What `filter_queryset` makes of `queryset` given only `plain_choices`, at `now`."""
        queryset = selectors.filter_by_status(queryset, cls.status_kind(status), now)
        if not ordering:
            return queryset.order_by(*cls.default_ordering)
        terms = PUBLIC_ORDERINGS[ordering]
        return selectors.with_sort_keys(queryset, terms).order_by(*terms)

    @classmethod
    def plain_applied(cls, status: str, ordering: str) -> dict:
        """What `applied()` says of `plain_choices`."""
        unused = dict.fromkeys(("category", "search", "city", "date_from", "date_to", "price_min", "price_max"))
        return {"status": cls.status_kind(status, shown=True), **unused, "ordering": ordering or None}

    def applied(self) -> dict:
        """`filters_applied`: the value of every documented filter, null when unused."""
        data = self.form.cleaned_data

        def plain(value):
            if value is None or value == "":
                return None
            if hasattr(value, "isoformat"):
                return value.isoformat()
            return float(value) if not isinstance(value, str | int) else value

        category = data.get("category") or data.get("category_id")
        return {
            "status": None,
            "category": None if category in (None, "") else str(category),
            "search": plain(data.get("search")),
            "city": plain(data.get("city")),
            "date_from": plain(data.get("date_from")),
            "date_to": plain(data.get("date_to")),
            "price_min": plain(data.get("price_min")),
            "price_max": plain(data.get("price_max")),
            "ordering": plain(data.get("ordering")),
        }


class PublicEventFilter(EventCatalogueFilter):
    """`events/`: upcoming by default; `ongoing`; `all` = upcoming + ongoing (past events live in P3)."""

    statuses = ("upcoming", "ongoing", "all")
    status = django_filters.ChoiceFilter(choices=_choices(statuses), method="filter_status")

    @staticmethod
    def status_kind(value: str, *, shown=False) -> str:
        """The `filter_by_status` kind of a `status` choice (or, `shown`, what `filters_applied` says)."""
        value = value or "upcoming"
        return value if shown or value != "all" else "live"

    def filter_status(self, queryset, name, value):
        return selectors.filter_by_status(queryset, self.status_kind(value))

    def filter_queryset(self, queryset):
        self.form.cleaned_data["status"] = self.form.cleaned_data.get("status") or "upcoming"
        return super().filter_queryset(queryset)

    def applied(self) -> dict:
        return {**super().applied(), "status": self.form.cleaned_data["status"]}


class PastEventFilter(EventCatalogueFilter):
    """`events/past/`: past events only, most recently ended first unless `ordering` says otherwise."""

    default_ordering = PAST_DEFAULT_ORDERING

    @staticmethod
    def status_kind(value: str = "", *, shown=False) -> str:
        return "past"

    def filter_queryset(self, queryset):
        return super().filter_queryset(selectors.filter_by_status(queryset, self.status_kind()))

    def applied(self) -> dict:
        return {**super().applied(), "status": self.status_kind()}


def _plain_page_query(shape, *, now):
    filterset_class, status, ordering, offset, limit = shape
    queryset = filterset_class.plain_queryset(selectors.public_events(), status=status, ordering=ordering, now=now)
    return page_with_total(queryset, selectors.EVENT_CARD_COLUMNS, offset, limit)


_plain_pages = PreparedRead(_plain_page_query)


def plain_page(filterset_class, *, status: str, ordering: str, offset: int, limit: int, now) -> list[dict]:
    """A page of `plain_queryset` as rows of EVENT_CARD_COLUMNS, each with the list's `pagination_total`:
    one query, compiled once per shape and process (cafa/prepared.py)."""
    return _plain_pages.rows((filterset_class, status, ordering, offset, limit), now=now)


class OrganizerEventFilter(django_filters.FilterSet):
    """`events/my-events/`: status, publication, category, search and sort_by (alias ordering)."""

    status = django_filters.ChoiceFilter(
        choices=_choices(["upcoming", "ongoing", "past", "all"]), method="filter_status"
    )
    is_published = django_filters.ChoiceFilter(
        choices=_choices(["true", "false", "all", "1", "0"]), method="filter_is_published"
    )
    category = django_filters.CharFilter(field_name="category__slug")
    search = django_filters.CharFilter(method="filter_search")
    sort_by = OrderingChoiceFilter(ORGANIZER_ORDERINGS)
    ordering = OrderingChoiceFilter(ORGANIZER_ORDERINGS)

    def filter_status(self, queryset, name, value):
        return selectors.filter_by_status(queryset, value)

    def filter_is_published(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(is_published=value in ("true", "1"))

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(venue_name__icontains=value) | Q(venue_city__icontains=value)
        )

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        data["is_published"] = data.get("is_published") or "true"
        if data.get("sort_by"):
            data["ordering"] = ""  # sort_by wins over its alias
        queryset = super().filter_queryset(queryset)
        if data.get("sort_by") or data.get("ordering"):
            return queryset
        return queryset.order_by(*ORGANIZER_ORDERINGS["-start_date"])
