"""`make bench-onsale`: the on-sale rush — thousands of buyers pressing Buy in the same minute (issue 12).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_bench_onsale REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/onsale.py --concurrency 64 200 --purchases 2000 --rounds 3

Empties the database named by DATABASE_URL (its name must contain "bench"), seeds one published event,
one ticket type per measurement and one buyer per purchase, with access tokens minted directly
(simplejwt's AccessToken.for_user, no password hashing), then starts gunicorn (`-c gunicorn.conf.py`,
`--workers` each, the production settings: DEBUG off, Redis cache, persistent connections, the sandbox
provider) and measures, at each concurrency, in `--rounds` rounds whose order rotates:

    ours           the API: POST payments/initiate/ and POST tickets/purchase/, half each, quantity 1-4
    ref            the reference, bench/reference.py: lock the row, count live holds, insert the rows
    ours+presold   (--presold N) the API on a type of which N tickets were sold before the rush
    ours+promo     (--promo-code) the API, every purchase carrying a valid 10 % code of its type
    ours+queue     (--with-queue) the API while people queue on a sold-out sibling type of the event

Each measurement fires `--purchases` purchases from `--concurrency` asyncio clients (bench/loadgen.py) at
its own fresh ticket type, each purchase by another buyer; with `--nodes 2` two gunicorn instances share
the database and the clients split between them. Printed: purchases/s, p50/p95/p99, status counts, the
ratios ours ÷ ref and variant ÷ ours (medians over the rounds), then the reconciliation: for every type,
the tickets held or sold (database rows and the organizer's API figures) equal what the 201 answers told
the buyers, never above the stock (`--stock 500` sells out), and no answer was a 5xx. Loopback only; every
count and duration is capped. Exit status 1 when anything does not reconcile.

Over 300 lines on purpose: a benchmark script an operator runs as one file (the seeding, the load
generator and the report are in bench/onsale_seed.py, bench/loadgen.py and bench/onsale_report.py).
"""

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402
from bench.onsale_report import (  # noqa: E402
    MAX_CONCURRENCY,
    MAX_NODES,
    MAX_PRESOLD,
    MAX_PURCHASES,
    MAX_ROUNDS,
    MAX_SECONDS,
    MAX_STOCK,
    P99_TARGET,
    RATIO_TARGET,
    VARIANT_TARGET,
    Measurement,
    TypeFigures,
    bounded,
    median_or_none,
    reconcile,
    rotated,
    round_ratios,
)

HOST = "127.0.0.1"
OURS, REF = "ours", "ref"
PATHS = {"initiate": "/api/v1/payments/initiate/", "purchase": "/api/v1/tickets/purchase/"}
REFERENCE_PATH = "/bench/reference/purchase/"
WARMUP = ("warmup", 0, 0)


def main():
    args = arguments()
    check_services()
    env = server_environment(args)
    os.environ.update(env)
    import django

    django.setup()
    from bench import onsale_seed

    variants = [OURS, REF] + [name for name, on in _options(args) if on]
    keys = [WARMUP] + [(v, c, r) for c in args.concurrency for r in range(1, args.rounds + 1) for v in variants]
    measured = len(keys) - 1
    started = time.monotonic()
    print(f"seeding: {measured} ticket types of stock {args.stock}, {args.purchases * measured + 200} buyers")
    onsale_seed.reset_database()
    scene = onsale_seed.build(
        keys=keys,
        stock=args.stock,
        buyers=args.purchases * measured + 200,
        presold=args.presold,
        promo=args.promo_code,
        queue_entries=args.queue_entries if args.with_queue else 0,
    )
    print(f"seeded in {time.monotonic() - started:.0f} s")
    ports = [args.port + node for node in range(args.nodes)]
    logs = Path(env["STATIC_ROOT"]).parent
    servers = [start_server(port, env, args, logs / f"onsale-server-{port}.log") for port in ports]
    measurements, warmup_told = [], 0
    try:
        for port in ports:
            wait_until_up(port)
        targets = [(HOST, port) for port in ports]
        buyers = iter(scene.buyers)
        warmup = plan_requests(scene, WARMUP, [next(buyers) for _ in range(200)], args, kinds=(OURS, REF))
        warmup_told = Measurement.of(
            loadgen.run(targets, warmup, concurrency=8, max_seconds=60),
            variant="warmup",
            concurrency=8,
            round_number=0,
            ticket_type_id=scene.types[WARMUP],
        ).told
        for concurrency in args.concurrency:
            for round_number in range(1, args.rounds + 1):
                for variant in rotated(variants, round_number - 1):
                    key = (variant, concurrency, round_number)
                    requests = plan_requests(scene, key, [next(buyers) for _ in range(args.purchases)], args)
                    load = loadgen.run(targets, requests, concurrency=concurrency, max_seconds=args.max_seconds)
                    measurement = Measurement.of(
                        load,
                        variant=variant,
                        concurrency=concurrency,
                        round_number=round_number,
                        ticket_type_id=scene.types[key],
                    )
                    measurement.demand = sum(json.loads(request.body)["quantity"] for request in requests)
                    measurements.append(measurement)
                    print(measurement.line() + f"  load {os.getloadavg()[0]:.1f}", flush=True)
        api = organizer_figures(scene, ports[0])
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    problems = reconcile_all(scene, measurements, warmup_told, api, args)
    report(measurements, variants, problems, args)
    save(measurements, problems, args)
    sys.exit(1 if problems else 0)


def _options(args):
    return [("ours+presold", args.presold > 0), ("ours+promo", args.promo_code), ("ours+queue", args.with_queue)]


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[64, 200], help="concurrent buyers")
    parser.add_argument("--purchases", type=int, default=2000, help=f"per measurement, at most {MAX_PURCHASES}")
    parser.add_argument("--rounds", type=int, default=3, help=f"ours/ref pairs per concurrency, at most {MAX_ROUNDS}")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node (issue 12 measures 2)")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--nodes", type=int, default=1, help="separate gunicorn instances sharing the database")
    parser.add_argument("--stock", type=int, default=1_000_000, help="quantity of every measured type")
    parser.add_argument("--presold", type=int, default=0, help="also measure a type with this many tickets sold")
    parser.add_argument("--promo-code", action="store_true", help="also measure purchases carrying a promo code")
    parser.add_argument("--with-queue", action="store_true", help="also measure with a waiting list queued")
    parser.add_argument("--queue-entries", type=int, default=1000, help="people waiting (--with-queue)")
    parser.add_argument("--idempotency-keys", action="store_true", help="API purchases send an Idempotency-Key")
    parser.add_argument("--max-seconds", type=float, default=240.0, help=f"per measurement, at most {MAX_SECONDS:.0f}")
    parser.add_argument("--port", type=int, default=8180, help="the first node's port; further nodes the next ones")
    parser.add_argument("--seed", type=int, default=12, help="random seed of the quantities and endpoints")
    args = parser.parse_args(argv)
    args.concurrency = [bounded(c, 1, MAX_CONCURRENCY) for c in dict.fromkeys(args.concurrency)]
    args.purchases = bounded(args.purchases, 10, MAX_PURCHASES)
    args.rounds = bounded(args.rounds, 1, MAX_ROUNDS)
    args.workers = bounded(args.workers, 1, 16)
    args.threads = bounded(args.threads, 1, 32)
    args.nodes = bounded(args.nodes, 1, MAX_NODES)
    args.stock = bounded(args.stock, 1, MAX_STOCK)
    args.presold = bounded(args.presold, 0, min(MAX_PRESOLD, args.stock))
    args.queue_entries = bounded(args.queue_entries, 1, 20_000)
    args.max_seconds = bounded(args.max_seconds, 5.0, MAX_SECONDS)
    return args


def check_services():
    database, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database.startswith("postgres") or not redis.startswith("redis"):
        sys.exit("the on-sale bench runs on PostgreSQL + Redis: set DATABASE_URL and REDIS_URL (bench/README.md)")
    for url in (database, redis):
        if urlparse(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            sys.exit(f"benchmarks only use this machine's services, not {urlparse(url).hostname}")
    if "bench" not in urlparse(database).path:
        sys.exit("the on-sale bench empties its database: name one whose name contains 'bench'")


def server_environment(args) -> dict:
    """Production settings (as docker-compose.yml sets them), DEBUG off, throttles and limits as configured."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-never-used-in-production-0123456789",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "CONN_MAX_AGE": "60",
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
        "PAYMENTS_SANDBOX": "true",  # no provider key: the sandbox opens every payment, no money moves
        "RESERVATION_MINUTES": "60",  # no hold lapses during a run, so the reconciliation counts every one
        "STATIC_ROOT": str(ROOT / "bench" / "results" / "static"),
        "PYTHONPATH": str(ROOT),
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_WORKER_CLASS": args.worker_class,
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_ACCESS_LOG": "",
    }


def start_server(port: int, env: dict, args, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "cafa.wsgi:application"]
    command += ["--bind", f"{HOST}:{port}", "--log-level", "warning", "--no-control-socket"]
    output = log.open("w")
    return subprocess.Popen(
        command, cwd=ROOT, env={**env, "GUNICORN_BIND": f"{HOST}:{port}"}, stdout=output, stderr=subprocess.STDOUT
    )


def wait_until_up(port: int, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    head = f"GET /api/v1/health/ HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=5) as connection:
                connection.sendall(head)
                if connection.recv(64)[9:12] in (b"200", b"503"):
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server on port {port} did not start within {timeout:.0f} s")


def plan_requests(scene, key, buyers, args, kinds=None) -> list:
    """One purchase per buyer on the key's ticket type. The quantities and endpoints depend only on the
    concurrency and round, so ours and the reference buy the same quantities in the same order."""
    variant, concurrency, round_number = key
    rng = random.Random(f"{args.seed}-{concurrency}-{round_number}")
    ticket_type_id = scene.types[key]
    promo = scene.promo_codes.get(ticket_type_id)
    requests = []
    for number, buyer in enumerate(buyers):
        quantity, endpoint = rng.randint(1, 4), rng.choice(("initiate", "purchase"))
        side = kinds[number % len(kinds)] if kinds else variant
        headers = [("Authorization", f"Bearer {buyer.token}"), ("X-Forwarded-For", _address(buyer.pk))]
        if side == REF:
            body = {"ticket_type_id": ticket_type_id, "quantity": quantity}
            requests.append(loadgen.Request(REFERENCE_PATH, json.dumps(body).encode(), tuple(headers)))
            continue
        body = {"event_id": scene.event_id, "ticket_type_id": ticket_type_id, "quantity": quantity}
        if endpoint == "initiate":
            body |= {"buyer_name": buyer.name, "buyer_email": buyer.email, "payment_method": "mobile_money"}
        else:
            body |= {"attendee_info": {"name": buyer.name, "email": buyer.email}}
        if promo:
            body["promo_code"] = promo
        if args.idempotency_keys:
            headers.append(("Idempotency-Key", f"onsale-{buyer.pk}-{ticket_type_id}"))
        requests.append(loadgen.Request(PATHS[endpoint], json.dumps(body).encode(), tuple(headers)))
    return requests


def _address(number: int) -> str:
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def reconcile_all(scene, measurements, warmup_told, api, args) -> list[str]:
    """Every measured type (and the warm-up's): database rows, the organizer's API figures and the
    buyers' answers agree, never above the stock; and no answer was a 5xx."""
    from bench import onsale_seed

    told = {m.ticket_type_id: m.told for m in measurements}
    demand = {m.ticket_type_id: m.demand for m in measurements}
    told[scene.types[WARMUP]] = warmup_told
    problems = []
    sold_out = []
    for key, ticket_type_id in scene.types.items():
        if ticket_type_id not in told:
            continue  # not measured (the run's time ran out)
        figures = TypeFigures(
            label=f"{key[0]} c{key[1]} r{key[2]}",
            stock=args.stock,
            presold=scene.presold.get(ticket_type_id, 0),
            told=told[ticket_type_id],
            rows=onsale_seed.held_rows(ticket_type_id),
            api_held=api.get(ticket_type_id),
        )
        problems += reconcile(figures)
        if ticket_type_id in scene.promo_codes and (missing := onsale_seed.purchases_without_code(ticket_type_id)):
            problems.append(f"{figures.label}: {missing} purchases do not carry the promo code")
        if key == WARMUP:
            continue
        sold_out.append(figures.rows == figures.stock)
        if demand[ticket_type_id] >= 2 * (args.stock - figures.presold) and figures.rows != figures.stock:
            problems.append(f"{figures.label}: demand was twice the stock, yet {figures.rows} of {args.stock} sold")
    errors = sum(m.server_errors for m in measurements)
    if errors:
        problems.append(f"{errors} answers were 5xx")
    print(
        f"\nreconciled {len(told)} ticket types: {'all agree' if not problems else f'{len(problems)} PROBLEMS'}; "
        f"sold out exactly: {sum(sold_out)} of {len(sold_out)}; 5xx: {errors}"
    )
    return problems


def organizer_figures(scene, port: int) -> dict:
    """tickets_sold + tickets_reserved of every type, from the organizer's own event page (O5)."""
    import httpx

    url = f"http://{HOST}:{port}/api/v1/events/my-events/{scene.event_id}/"
    answer = httpx.get(url, headers={"Authorization": f"Bearer {scene.organizer_token}"}, timeout=30)
    if answer.status_code != 200:
        print(f"the organizer's event page answered {answer.status_code}: reconciling on database rows only")
        return {}
    return {t["id"]: t["tickets_sold"] + t["tickets_reserved"] for t in answer.json()["ticket_types"]}


def report(measurements, variants, problems, args):
    print(
        f"\n{args.rounds} rounds x {args.purchases} purchases; {args.nodes} node(s) x {args.workers} "
        f"{args.worker_class} workers{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}; "
        f"stock {args.stock}"
    )
    print(f"{'buyers':>6} {'variant':<14} {'median/s':>9} {'p99 ms':>8} {'÷ ref':>7} {'p99 ÷ ref':>10} {'÷ ours':>7}")
    for concurrency in args.concurrency:
        for variant in variants:
            own = [m for m in measurements if m.concurrency == concurrency and m.variant == variant]
            if not own:
                continue
            rate = median_or_none(m.rate for m in own)
            p99 = median_or_none(m.p(0.99) for m in own)
            versus_ref = round_ratios(measurements, variant, REF, concurrency) if variant != REF else []
            versus_ours = round_ratios(measurements, variant, OURS, concurrency) if variant not in (OURS, REF) else []
            ratio = median_or_none(r for r, _ in versus_ref)
            p99_ratio = median_or_none(p for _, p in versus_ref)
            variant_ratio = median_or_none(r for r, _ in versus_ours)
            verdict = ""
            if variant == OURS and ratio is not None:
                ok = ratio >= RATIO_TARGET and p99_ratio <= P99_TARGET
                verdict = "ok" if ok else f"below target (≥ {RATIO_TARGET}, p99 ≤ {P99_TARGET}x)"
            elif variant_ratio is not None:
                verdict = "ok" if variant_ratio >= VARIANT_TARGET else f"below target (≥ {VARIANT_TARGET})"
            print(
                f"{concurrency:>6} {variant:<14} {rate:9.1f} {p99 * 1000:8.0f} {_fmt(ratio):>7} "
                f"{_fmt(p99_ratio):>10} {_fmt(variant_ratio):>7}  {verdict}"
            )
    if problems:
        print("\nDOES NOT RECONCILE:")
        for problem in problems[:50]:
            print(f"  {problem}")


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def save(measurements, problems, args):
    path = ROOT / "bench" / "results" / f"onsale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "variant": m.variant,
            "concurrency": m.concurrency,
            "round": m.round,
            "rate": round(m.rate, 2),
            "p50": round(m.p(0.5), 4),
            "p95": round(m.p(0.95), 4),
            "p99": round(m.p(0.99), 4),
            "statuses": {str(k): v for k, v in m.statuses.items()},
            "told": m.told,
            "client_cpu": round(m.client_cpu, 3),
        }
        for m in measurements
    ]
    path.write_text(json.dumps({"args": vars(args), "measurements": rows, "problems": problems}, indent=1))
    print(f"\nsaved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
