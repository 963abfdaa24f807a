"""The on-sale benchmark's arithmetic, kept apart from servers and sockets so tests can check it:
percentiles, one measurement's summary, the ratios between measurements, and the reconciliation of what
buyers were told with the tickets the database holds."""

import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

# Hard caps: a run stays bounded whatever is asked.
MAX_PURCHASES, MAX_CONCURRENCY, MAX_ROUNDS, MAX_NODES = 10_000, 500, 7, 4
MAX_SECONDS, MAX_PRESOLD, MAX_STOCK = 300.0, 200_000, 10_000_000
# Targets of issue 12 (ours ÷ reference; p99 ours ÷ p99 reference) and of a variant ÷ the plain run.
RATIO_TARGET, P99_TARGET, VARIANT_TARGET = 0.5, 2.0, 0.9


def percentile(values, fraction: float) -> float:
    """Nearest-rank percentile (p99 of 2,000 latencies is the 1,980th smallest); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def bounded(value, low, high):
    return max(low, min(value, high))


def told_quantity(body: bytes) -> int:
    """How many tickets a 201 answer told its buyer they hold: Y2's `ticket_count`, Y1's `tickets`, or the
    reference's `ticket_ids`."""
    answer = json.loads(body)
    if "ticket_count" in answer:
        return int(answer["ticket_count"])
    if "tickets" in answer:
        return len(answer["tickets"])
    return len(answer["ticket_ids"])


@dataclass
class Measurement:
    variant: str
    concurrency: int
    round: int
    ticket_type_id: int
    wall_seconds: float
    latencies: list = field(default_factory=list)  # seconds, every answered request
    statuses: Counter = field(default_factory=Counter)  # 0 = no answer
    told: int = 0  # tickets the 201 answers promised
    demand: int = 0  # tickets the requests asked for
    client_cpu: float = 0.0

    @classmethod
    def of(cls, load, *, variant, concurrency, round_number, ticket_type_id):
        measurement = cls(variant, concurrency, round_number, ticket_type_id, load.wall_seconds)
        measurement.client_cpu = load.client_cpu
        for answer in load.answers:
            measurement.statuses[answer.status] += 1
            if answer.status:
                measurement.latencies.append(answer.seconds)
            if answer.status == 201:
                measurement.told += told_quantity(answer.body)
        return measurement

    @property
    def answered(self) -> int:
        return sum(count for status, count in self.statuses.items() if status)

    @property
    def rate(self) -> float:
        """Purchase requests answered per second (all statuses; a plain run answers 201 to every one)."""
        return self.answered / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)

    def line(self) -> str:
        statuses = " ".join(f"{status or 'none'}:{count}" for status, count in sorted(self.statuses.items()))
        return (
            f"c={self.concurrency:<4} round {self.round}  {self.variant:<14} {self.rate:8.1f}/s  "
            f"p50 {self.p(0.5) * 1000:7.0f} ms  p95 {self.p(0.95) * 1000:7.0f} ms  p99 {self.p(0.99) * 1000:7.0f} ms  "
            f"[{statuses}]  client CPU {self.client_cpu:4.0%}"
        )


def round_ratios(measurements, numerator: str, denominator: str, concurrency: int):
    """Per round: (rate ratio, p99 ratio) of two variants measured side by side at one concurrency."""
    by_round = {}
    for m in measurements:
        if m.concurrency == concurrency and m.variant in (numerator, denominator):
            by_round.setdefault(m.round, {})[m.variant] = m
    ratios = []
    for _round, pair in sorted(by_round.items()):
        if numerator in pair and denominator in pair and pair[denominator].rate and pair[denominator].p(0.99):
            top, bottom = pair[numerator], pair[denominator]
            ratios.append((top.rate / bottom.rate, top.p(0.99) / bottom.p(0.99)))
    return ratios


def median_or_none(values):
    values = list(values)
    return statistics.median(values) if values else None


@dataclass(frozen=True)
class TypeFigures:
    """One measured ticket type after the run."""

    label: str
    stock: int  # the type's quantity
    presold: int  # issued before the rush
    told: int  # tickets the buyers' 201 answers promised
    rows: int  # tickets of the type the database holds: issued, or reserved (lapsed or not)
    api_held: int | None = None  # issued + live reservations per the organizer's API figures


def reconcile(figures: TypeFigures) -> list[str]:
    """What does not add up for one ticket type: an empty list when the tickets held are exactly what
    the buyers were told (plus the presold ones), never above the stock, and the API agrees."""
    problems = []
    if figures.rows != figures.presold + figures.told:
        problems.append(
            f"{figures.label}: {figures.rows} tickets held or sold, but buyers were told "
            f"{figures.told} (+ {figures.presold} presold)"
        )
    if figures.rows > figures.stock:
        problems.append(f"{figures.label}: OVERSOLD, {figures.rows} tickets for a stock of {figures.stock}")
    if figures.api_held is not None and figures.api_held != figures.rows:
        problems.append(
            f"{figures.label}: the API reports {figures.api_held} held or sold, the database {figures.rows}"
        )
    return problems


def rotated(variants, round_number: int):
    """The order of the variants in a round: rotated by one each round, so none always goes first."""
    shift = round_number % len(variants)
    return list(variants[shift:]) + list(variants[:shift])
