"""gunicorn's settings for the web process: `gunicorn -c gunicorn.conf.py cafa.wsgi:application`.

The Dockerfile, docker-compose.yml and the benchmarks (bench/) all start gunicorn with this file. Every
value can be overridden from the environment, as the rest of the configuration is (cafa/settings.py):

    WEB_CONCURRENCY          worker processes (default 2 x CPUs, at least 2)
    GUNICORN_WORKER_CLASS    sync (default) or gthread
    GUNICORN_THREADS         threads per worker (gthread only; default 1)
    GUNICORN_TIMEOUT         seconds a silent worker may take before it is killed and replaced (default 30)
    GUNICORN_GRACEFUL_TIMEOUT  seconds a worker gets to finish its requests on restart (default 30)
    GUNICORN_KEEPALIVE       seconds an idle client connection stays open (gthread; default 5)
    GUNICORN_BIND            address to listen on (default 0.0.0.0:$PORT, PORT defaulting to 8000)
    GUNICORN_ACCESS_LOG      where access lines go: "-" (stdout, default) or a path; empty for none
    GUNICORN_MAX_REQUESTS    recycle a worker after this many requests, with jitter (default 0: never)

Why these defaults (measured with bench/onsale.py; bench/README.md "Server settings"): under the on-sale
rush, gthread (2 workers x 4 threads) did no better than sync workers, for the API or for the reference
(threads of one process share its interpreter, and every buyer waits on the same row lock anyway), and
2, 3 and 4 sync workers on 2 cores were within the machine's noise. Two per CPU keeps a core busy while another
worker waits on the payment provider (the bench's sandbox answers at once; Paystack takes a round trip).
A request is bounded by the 3 s lock timeout (cafa/locking.py) plus a provider call, which the 30 s
timeout leaves room for.
Sync workers close the connection after each answer (a proxy in front keeps the clients' connections);
keep-alive applies with `gthread`.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or "sync"
workers = _int("WEB_CONCURRENCY", max(2, 2 * multiprocessing.cpu_count()))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Workers write their heartbeat here: /dev/shm is memory, so a busy disk never makes a healthy worker
# look dead (the default is the container's disk-backed /tmp).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's own heartbeat files)
