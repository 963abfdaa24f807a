"""Settings of the benchmarks' servers: the project's own, plus the routes of the reference views (bench/urls.py)."""

from cafa.settings import *  # noqa: F403 (the very settings production runs with)

ROOT_URLCONF = "bench.urls"
