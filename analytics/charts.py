"""The dashboard's sales-over-time chart, drawn as inline SVG on the server.

A few dozen points per event need no charting library: the page ships no script, nothing is fetched
from elsewhere, and the figure is in the HTML the tests read. The line is cumulative tickets sold,
a step per Africa/Accra day with sales, carried flat to today.
"""

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT, PADDING = 320, 90, 6


@dataclass(frozen=True)
class ChartDot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class SalesChart:
    width: int
    height: int
    line: str  # SVG polyline points: the cumulative step line
    area: str  # the same line closed along the baseline
    dots: list[ChartDot]
    total: int
    first_day: date
    last_day: date

    @property
    def description(self) -> str:
        return f"{self.total} tickets sold from {self.first_day:%d %b} to {self.last_day:%d %b}"


def sales_chart(days, *, today: date) -> SalesChart | None:
    """The chart of `days` (SalesDay rows, ascending); None when nothing was sold yet."""
    if not days:
        return None
    first, last = days[0].date, max(days[-1].date, today)
    total = days[-1].cumulative_tickets
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(PADDING + (day - first).days / span * (WIDTH - 2 * PADDING), 1)

    def y(tickets: int) -> float:
        return round(HEIGHT - PADDING - tickets / total * (HEIGHT - 2 * PADDING), 1)

    points, level = [(x(first), y(0))], 0
    for day in days:
        points += [(x(day.date), y(level)), (x(day.date), y(day.cumulative_tickets))]
        level = day.cumulative_tickets
    points.append((x(last), y(level)))
    line = " ".join(f"{px},{py}" for px, py in points)
    baseline = y(0)
    dots = [ChartDot(x(day.date), y(day.cumulative_tickets), _dot_label(day)) for day in days]
    area = f"{line} {x(last)},{baseline} {x(first)},{baseline}"
    return SalesChart(WIDTH, HEIGHT, line, area, dots, total, first, last)


def _dot_label(day) -> str:
    return f"{day.date:%d %b}: {day.tickets_sold} sold ({day.cumulative_tickets} in all)"
