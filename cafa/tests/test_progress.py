"""The operators' progress bars: drawn on a terminal, silent in cron, CI and log files."""

import io

from cafa.progress import no_progress, progress_bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_is_drawn_on_a_terminal_and_the_rows_pass_through():
    screen = Terminal()
    assert list(progress_bar("refunds", stream=screen)(range(3), 3)) == [0, 1, 2]
    assert "refunds:" in screen.getvalue() and "/3" in screen.getvalue()


def test_nothing_is_written_when_the_stream_is_not_a_terminal():
    log = io.StringIO()
    assert list(progress_bar("refunds", stream=log)(range(3), 3)) == [0, 1, 2]
    assert log.getvalue() == ""


def test_jobs_track_nothing():
    rows = [1, 2]
    assert no_progress(rows, 2) is rows
