"""What the dashboards share: the event time zone and calendar months in it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.EVENT_TIME_ZONE)


def month_starts(now: datetime, count: int) -> list[date]:
    """The first days of the last `count` months (local time), oldest first, this month last."""
    month = now.astimezone(local_zone()).date().replace(day=1)
    months = [month]
    for _ in range(count - 1):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def as_local_date(value) -> date:
    return value.astimezone(local_zone()).date() if isinstance(value, datetime) else value
