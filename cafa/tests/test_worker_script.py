"""`make worker` (bin/worker): a Celery worker and Celery beat as two processes that stop together.

A stand-in `celery` records how it was started and sleeps, so these tests need no broker.
"""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

FAKE_CELERY = """#!/usr/bin/env bash
role=$3  # celery -A cafa <worker|beat> ...
echo "$@" > "$FAKE_DIR/$role.args"
echo $$ > "$FAKE_DIR/$role.pid"
exec sleep 60
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected


@pytest.fixture
def started(tmp_path):
    """Start bin/worker with the stand-in celery; yields (script process, {role: pid}, {role: args})."""
    fake = tmp_path / "celery"
    fake.write_text(FAKE_CELERY)
    fake.chmod(0o755)
    env = {**os.environ, "CELERY": str(fake), "FAKE_DIR": str(tmp_path)}
    script = subprocess.Popen([str(ROOT / "bin" / "worker"), "--concurrency=2"], env=env, stderr=subprocess.PIPE)
    files = [tmp_path / f"{role}.{kind}" for role in ("worker", "beat") for kind in ("pid", "args")]
    assert wait_until(lambda: all(f.exists() and f.read_text().strip() for f in files), timeout=20)
    pids = {role: int((tmp_path / f"{role}.pid").read_text()) for role in ("worker", "beat")}
    args = {role: (tmp_path / f"{role}.args").read_text().split() for role in ("worker", "beat")}
    yield script, pids, args
    for pid in pids.values():
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    if script.poll() is None:
        script.kill()
    script.wait(timeout=10)


def test_beat_runs_as_its_own_process_not_inside_the_worker(started):
    script, pids, args = started
    assert args["worker"][:3] == ["-A", "cafa", "worker"] and "--concurrency=2" in args["worker"]
    assert not {"--beat", "-B"} & set(args["worker"])
    assert args["beat"][:3] == ["-A", "cafa", "beat"]
    assert pids["worker"] != pids["beat"]
    parent_of_beat = int(Path(f"/proc/{pids['beat']}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert parent_of_beat == script.pid  # beat is the script's child, not the worker's


def test_a_worker_killed_with_9_takes_beat_down_with_it(started):
    script, pids, _ = started
    os.kill(pids["worker"], signal.SIGKILL)
    assert script.wait(timeout=20) == 128 + signal.SIGKILL
    assert wait_until(lambda: not alive(pids["beat"]), timeout=10)
    assert b"stopping the other" in script.stderr.read()


def test_stopping_the_script_stops_both(started):
    script, pids, _ = started
    script.send_signal(signal.SIGTERM)
    script.wait(timeout=20)
    assert wait_until(lambda: not alive(pids["worker"]) and not alive(pids["beat"]), timeout=10)


@pytest.mark.skipif(subprocess.run(["which", "setpriv"], capture_output=True).returncode, reason="no setpriv")
def test_even_a_script_killed_with_9_leaves_no_orphan(started):
    script, pids, _ = started
    script.kill()
    script.wait(timeout=10)
    assert wait_until(lambda: not alive(pids["worker"]) and not alive(pids["beat"]), timeout=10)


def test_make_worker_runs_the_script_and_never_beat_inside_the_worker():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^worker:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    assert "bin/worker" in recipe
    assert not re.search(r"--beat|\s-B\b", recipe)
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "celery -A cafa worker --loglevel=info\n" in compose and "celery -A cafa beat" in compose
