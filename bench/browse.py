"""`make bench`: the browse scenario — the public catalogue under announcement traffic (issue 13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_bench REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/browse.py --rounds 5 --seconds 3

Loads the demo catalogue (seed_demo, 2,000 events by default) into that PostgreSQL database, then starts
two gunicorn servers with 2 sync workers each, the project's production settings (DEBUG off, persistent
database connections, Redis cache) plus one extra route, `bench/bare/<name>/` (bench/bare.py):

    warm   the shared cache as configured: the events list and an event page come from the cache;
    cold   PUBLIC_CACHE_SECONDS=0: every request takes the whole miss path (cache read, queries,
           serialization, cache write), with no entry ever surviving for the next request;
    bare   a bare Django view on the warm server sending the same bytes from memory.

Each round measures every (page, server) pair for `--seconds`, in an order that rotates from round to
round, so a busy machine slows all three alike; the ratios warm ÷ bare and cold ÷ bare are the medians of
each round's ratios. Requests come from `--concurrency` threads, each a new connection (sync workers close
it), each from another client address (X-Forwarded-For, with TRUSTED_PROXY_COUNT=1) as thousands of
people would: per-address throttles and unique-visitor counting see what they would see in production.
Only loopback addresses are used; the run is bounded in rounds and seconds.
"""

import argparse
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
LIST_PATH = "/api/v1/events/?page_size=20&status=all"
MODES = ("bare", "warm", "cold")
TARGETS = {"list": 0.6, "detail": 0.6}  # warm ÷ bare targets; cold ÷ bare must reach COLD_TARGET
COLD_TARGET = 0.1
MAX_ROUNDS, MAX_SECONDS = 20, 20.0


def main():
    args = _arguments()
    _check_services()
    python = sys.executable
    env = _server_environment()
    Path(env["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
    if not args.no_seed:
        _manage(python, env, "migrate", "--noinput", "-v", "0")
        _manage(python, env, "seed_demo", "--events", str(args.events))
    detail_path = _detail_path(python, env)
    bare_dir = Path(tempfile.mkdtemp(prefix="cafa-bench-"))
    servers = []
    try:
        warm_port, cold_port = args.port, args.port + 1
        servers.append(_start_server(warm_port, {**env, "BENCH_BARE_DIR": str(bare_dir)}))
        servers.append(_start_server(cold_port, {**env, "BENCH_BARE_DIR": str(bare_dir), "PUBLIC_CACHE_SECONDS": "0"}))
        for port in (warm_port, cold_port):
            _wait_until_up(port)
        pages = {"list": LIST_PATH, "detail": detail_path}
        for name, path in pages.items():
            body = _fetch(warm_port, path)
            cold_body = _fetch(cold_port, path).replace(f":{cold_port}/".encode(), f":{warm_port}/".encode())
            if body != cold_body:
                sys.exit(f"the warm and cold servers answer {path} differently")
            (bare_dir / f"{name}.json").write_bytes(body)
        plans = (
            {(name, "bare"): (warm_port, f"/bench/bare/{name}/") for name in pages}
            | {(name, "warm"): (warm_port, path) for name, path in pages.items()}
            | {(name, "cold"): (cold_port, path) for name, path in pages.items()}
        )
        rates = _measure(plans, args)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        shutil.rmtree(bare_dir, ignore_errors=True)
    _report(rates, pages, args)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help=f"measurements per (page, server), at most {MAX_ROUNDS}")
    parser.add_argument("--seconds", type=float, default=3.0, help=f"length of one measurement, at most {MAX_SECONDS}")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (2 sync workers serve them)")
    parser.add_argument("--port", type=int, default=8170, help="the warm server's port; the cold one uses the next")
    parser.add_argument("--events", type=int, default=2000, help="demo events to seed")
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    args = parser.parse_args()
    args.rounds = max(1, min(args.rounds, MAX_ROUNDS))
    args.seconds = max(0.5, min(args.seconds, MAX_SECONDS))
    args.concurrency = max(1, min(args.concurrency, 32))
    return args


def _check_services():
    database, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database.startswith("postgres") or not redis.startswith("redis"):
        sys.exit("the browse bench runs on PostgreSQL + Redis: set DATABASE_URL and REDIS_URL (see bench/README.md)")
    for url in (database, redis):
        if urlparse(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            sys.exit(f"benchmarks only use this machine's services, not {urlparse(url).hostname}")


def _server_environment() -> dict:
    """Production settings (as docker-compose.yml sets them), DEBUG off, throttles as configured."""
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
        "PAYMENTS_SANDBOX": "true",  # demo data, no provider key: no payment is taken during a bench
        "STATIC_ROOT": str(ROOT / "bench" / "results" / "static"),
        "PYTHONPATH": str(ROOT),
    }


def _manage(python, env, *command):
    subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _detail_path(python, env) -> str:
    """The page of the first upcoming published event, after a VACUUM ANALYZE (what autovacuum does to a
    live database: fresh planner statistics and a visibility map for index-only counts)."""
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "from django.utils import timezone\n"
        "from events.models import Event\n"
        "connection.cursor().execute('VACUUM ANALYZE')\n"
        "live = Event.objects.filter(is_published=True, starts_at__gt=timezone.now()).order_by('starts_at', 'id')\n"
        "print(live.values_list('slug', flat=True).first() or '')\n"
    )
    slug = subprocess.run(
        [python, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    if not slug:
        sys.exit("no upcoming published event to measure: run without --no-seed")
    return f"/api/v1/events/{slug}/"


def _start_server(port: int, env: dict) -> subprocess.Popen:
    """gunicorn with the repository's gunicorn.conf.py, 2 sync workers, no access log."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "cafa.wsgi:application"]
    options = ["--bind", f"{HOST}:{port}", "--log-level", "warning", "--no-control-socket"]
    server_env = {**env, "WEB_CONCURRENCY": "2", "GUNICORN_WORKER_CLASS": "sync", "GUNICORN_ACCESS_LOG": ""}
    return subprocess.Popen([*command, *options], cwd=ROOT, env=server_env)


def _wait_until_up(port: int, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if _request(port, "/api/v1/health/", "127.0.0.2")[0] in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server on port {port} did not start within {timeout:.0f} s")


def _fetch(port: int, path: str) -> bytes:
    status, body = _request(port, path, "127.0.0.3")
    if status != 200:
        sys.exit(f"GET {path} answered {status}")
    return body


def _request(port: int, path: str, client: str) -> tuple[int, bytes]:
    """One GET on a new connection, read to the end: (status, body)."""
    head = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nX-Forwarded-For: {client}\r\n"
    head += "User-Agent: cafa-bench\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    with socket.create_connection((HOST, port), timeout=10) as connection:
        connection.sendall(head.encode())
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    return int(response[9:12]), response.partition(b"\r\n\r\n")[2]


def _measure(plans: dict, args) -> dict:
    """requests/s of every (page, server) pair, once per round, in an order rotating by round."""
    rates = {plan: [] for plan in plans}
    order = list(plans)
    clients = (f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}" for n in itertools.count(1))
    for round_number in range(args.rounds):
        shift = round_number % len(order)
        for plan in order[shift:] + order[:shift]:
            port, path = plans[plan]
            rate, failures = _load(port, path, clients, args)
            rates[plan].append(rate)
            print(f"round {round_number + 1}: {plan[0]:6} {plan[1]:4} {rate:8.1f} req/s  not 200: {failures}")
    return rates


def _load(port, path, clients, args) -> tuple[float, int]:
    done, failures, lock = [0], [0], threading.Lock()
    deadline = time.monotonic() + args.seconds

    def worker():
        while time.monotonic() < deadline:
            with lock:
                client = next(clients)
            try:
                ok = _request(port, path, client)[0] == 200
            except OSError:
                ok = False
            with lock:
                done[0] += 1
                failures[0] += 0 if ok else 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (done[0] - failures[0]) / (time.monotonic() - started), failures[0]


def _report(rates: dict, pages: dict, args):
    """Medians of the rates, and of the ratios within each round (neighbours in time see the same machine)."""
    print(f"\n{args.rounds} rounds of {args.seconds:.1f} s, {args.concurrency} client threads, 2 workers per server")
    print(f"{'page':8} {'bare/s':>9} {'warm/s':>9} {'cold/s':>9} {'warm÷bare':>10} {'cold÷bare':>10}")
    for name, path in pages.items():
        bare, warm, cold = (rates[(name, mode)] for mode in MODES)
        warm_ratio = statistics.median(w / b for w, b in zip(warm, bare, strict=True))
        cold_ratio = statistics.median(c / b for c, b in zip(cold, bare, strict=True))
        verdict = "ok" if warm_ratio >= TARGETS[name] and cold_ratio >= COLD_TARGET else "BELOW TARGET"
        medians = " ".join(f"{statistics.median(values):9.1f}" for values in (bare, warm, cold))
        print(f"{name:8} {medians} {warm_ratio:10.2f} {cold_ratio:10.2f}  {verdict}")
        print(f"         {path}")


if __name__ == "__main__":
    main()
