"""The on-sale benchmark's own arithmetic (bench/onsale_report.py, bench/loadgen.py, the argument caps of
bench/onsale.py): no server, no database, no timing."""

import json
from collections import Counter

import pytest

from bench import loadgen, onsale
from bench.onsale_report import (
    MAX_CONCURRENCY,
    MAX_PURCHASES,
    MAX_ROUNDS,
    Measurement,
    TypeFigures,
    percentile,
    reconcile,
    rotated,
    round_ratios,
    told_quantity,
)


def test_percentiles_are_nearest_rank():
    latencies = list(range(1, 101))  # 1 .. 100

    assert percentile(latencies, 0.5) == 50
    assert percentile(latencies, 0.95) == 95
    assert percentile(latencies, 0.99) == 99
    assert percentile(list(reversed(latencies)), 1.0) == 100
    assert percentile([7], 0.99) == 7
    assert percentile([], 0.99) == 0.0


def test_what_each_answer_told_its_buyer():
    assert told_quantity(json.dumps({"success": True, "ticket_count": 3}).encode()) == 3
    assert told_quantity(json.dumps({"tickets": [{}, {}]}).encode()) == 2
    assert told_quantity(json.dumps({"purchase_id": "PUR-1", "ticket_ids": ["a"]}).encode()) == 1


def test_a_measurement_counts_statuses_and_only_the_201s_promises():
    answers = [
        loadgen.Answer(201, 0.1, json.dumps({"ticket_count": 2}).encode()),
        loadgen.Answer(201, 0.3, json.dumps({"tickets": [{}, {}, {}]}).encode()),
        loadgen.Answer(400, 0.2, b'{"error": "Not enough tickets available"}'),
        loadgen.Answer(0, 30.0, error="client timeout"),
    ]
    load = loadgen.Load(answers=answers, wall_seconds=2.0, client_cpu_seconds=0.5)

    m = Measurement.of(load, variant="ours", concurrency=64, round_number=1, ticket_type_id=9)

    assert m.statuses == Counter({201: 2, 400: 1, 0: 1})
    assert m.told == 5
    assert m.answered == 3
    assert m.rate == 1.5
    assert m.client_cpu == 0.25
    assert m.p(0.99) == 0.3  # the unanswered request has no latency
    assert m.server_errors == 0


def test_reconciliation_accepts_exact_sales_and_names_every_mismatch():
    assert reconcile(TypeFigures("ok", stock=500, presold=0, told=500, rows=500, api_held=500)) == []
    assert reconcile(TypeFigures("presold", stock=10**6, presold=50_000, told=5000, rows=55_000)) == []

    oversold = reconcile(TypeFigures("over", stock=500, presold=0, told=502, rows=502, api_held=502))
    assert len(oversold) == 1 and "OVERSOLD" in oversold[0]
    lost = reconcile(TypeFigures("lost", stock=500, presold=0, told=20, rows=19, api_held=19))
    assert len(lost) == 1 and "told 20" in lost[0]
    api = reconcile(TypeFigures("api", stock=500, presold=0, told=20, rows=20, api_held=18))
    assert len(api) == 1 and "API reports 18" in api[0]


def _measurement(variant, round_number, rate, p99):
    m = Measurement(variant, 64, round_number, ticket_type_id=round_number, wall_seconds=1.0)
    m.statuses[201] = rate
    m.latencies = [p99] * 100
    return m


def test_ratios_pair_the_variants_of_each_round():
    measurements = [
        _measurement("ours", 1, 50, 2.0),
        _measurement("ref", 1, 100, 0.5),
        _measurement("ref", 2, 200, 1.0),
        _measurement("ours", 2, 80, 1.5),
        _measurement("ours", 3, 40, 1.0),  # its reference never ran: no pair
    ]

    assert round_ratios(measurements, "ours", "ref", 64) == [(0.5, 4.0), (0.4, 1.5)]
    assert round_ratios(measurements, "ours", "ref", 200) == []


def test_rounds_rotate_the_order_of_the_variants():
    variants = ["ours", "ref", "ours+presold"]

    assert [rotated(variants, n)[0] for n in range(4)] == ["ours", "ref", "ours+presold", "ours"]


def test_arguments_are_capped():
    args = onsale.arguments(
        ["--concurrency", "64", "64", "100000", "--purchases", "10000000", "--rounds", "99", "--nodes", "50"]
    )

    assert args.concurrency == [64, MAX_CONCURRENCY]
    assert (args.purchases, args.rounds, args.nodes) == (MAX_PURCHASES, MAX_ROUNDS, 4)
    assert onsale.arguments(["--stock", "500", "--presold", "50000"]).presold == 500


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"HTTP/1.1 201 Created\r\nContent-Length: 12\r\nConnection: close", (201, 12, True)),
        (b"HTTP/1.1 400 Bad Request\r\ncontent-length: 3", (400, 3, False)),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0", (200, 0, True)),
    ],
)
def test_response_heads_are_parsed(head, expected):
    assert loadgen.parse_head(head) == expected


def test_requests_are_encoded_with_their_length():
    request = loadgen.Request("/api/v1/payments/initiate/", b'{"quantity": 2}', (("Authorization", "Bearer t"),))

    payload = request.encode("127.0.0.1", 8180)

    assert payload.startswith(b"POST /api/v1/payments/initiate/ HTTP/1.1\r\nHost: 127.0.0.1:8180\r\n")
    assert b"Content-Length: 15\r\n" in payload and b"Authorization: Bearer t\r\n" in payload
    assert payload.endswith(b'\r\n\r\n{"quantity": 2}')
