"""Load benchmark against a running server (never part of the test suite).

    .venv/bin/python bench/run.py --base-url http://127.0.0.1:8000 --duration 10 --concurrency 8

Each worker thread loops over the given paths until the duration is over, then the script prints
requests per second, latency percentiles and answers that were not 2xx (throttled ones included:
raise THROTTLE_ANON on the server being measured). Only loopback addresses are accepted.
"""

import argparse
import statistics
import threading
import time
from collections import defaultdict
from urllib.parse import urlparse

import httpx

DEFAULT_PATHS = ["/api/v1/health/", "/api/v1/event-categories/", "/api/v1/events/?page_size=20"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _worker(client, paths, deadline, samples, errors, lock):
    while time.monotonic() < deadline:
        for path in paths:
            started = time.perf_counter()
            try:
                ok = client.get(path).status_code < 300
            except httpx.HTTPError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                samples[path].append(elapsed)
                errors[path] += 0 if ok else 1


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (at most 120)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = parser.parse_args()
    if urlparse(args.base_url).hostname not in LOCAL_HOSTS:
        parser.error("benchmarks only target this machine (127.0.0.1, localhost, ::1)")

    samples, errors, lock = defaultdict(list), defaultdict(int), threading.Lock()
    deadline = time.monotonic() + min(args.duration, 120.0)
    with httpx.Client(base_url=args.base_url, timeout=10) as client:
        threads = [
            threading.Thread(target=_worker, args=(client, args.paths, deadline, samples, errors, lock))
            for _ in range(args.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    print(f"{'path':50} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'not 2xx':>7}")
    for path, values in samples.items():
        rate = len(values) / args.duration
        p50, p95 = statistics.median(values), _percentile(values, 0.95)
        print(f"{path:50} {len(values):9d} {rate:8.1f} {p50:8.1f} {p95:8.1f} {errors[path]:7d}")


if __name__ == "__main__":
    main()
