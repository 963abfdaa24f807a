"""Settings of the browse benchmark's servers: the project's own, plus the bare reference view's route."""

from cafa.settings import *  # noqa: F403 (the very settings production runs with)

ROOT_URLCONF = "bench.urls"
