"""Progress bars for operators' commands: on stderr, and silent when stderr is not a terminal.

Services that loop over many rows take an optional `track` callable (`track(rows, total) -> rows`);
commands pass `progress_bar(label)`, jobs pass nothing. tqdm draws the bar (rate, ETA, redraw
throttling) and, with `disable=None`, stays quiet in cron, CI and log files.
"""

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
Track = Callable[[Iterable[T], int | None], Iterable[T]]


def no_progress(rows: Iterable[T], total: int | None = None) -> Iterable[T]:
    """The default `track`: the rows, untouched."""
    return rows


def progress_bar(label: str, *, stream=None) -> Track:
    """A `track` that draws a bar named `label` on `stream` (stderr) when it is a terminal."""

    def track(rows: Iterable[T], total: int | None = None) -> Iterator[T]:
        yield from tqdm(rows, total=total, desc=label, unit="row", file=stream or sys.stderr, disable=None, leave=False)

    return track
