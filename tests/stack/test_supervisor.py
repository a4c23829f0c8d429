"""The embedded stack's supervisor: a child that dies is started again, a stopped one is not."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.children import start_child
from stack.supervisor import Supervisor

pytestmark = pytest.mark.server  # it starts processes


def sleeper() -> subprocess.Popen[bytes]:
    return start_child([sys.executable, "-c", "import time; time.sleep(600)"])


def new_pid(supervisor: Supervisor, old: int | None) -> int | None:
    """The pid once it differs from `old` (a generous bound; the caller asserts)."""
    for _ in range(200):
        pid = supervisor.pid
        if pid is not None and pid != old:
            return pid
        time.sleep(0.05)
    return supervisor.pid


def _end(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()


def test_a_killed_child_is_restarted_and_a_stopped_one_is_not(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    supervisor = Supervisor("worker", sleeper, log, poll=0.05)
    first = supervisor.start().pid
    try:
        supervisor.kill()  # SIGKILL, as a crash
        second = new_pid(supervisor, first)
        assert second not in (None, first) and supervisor.restarts == 1
        assert "worker exited with status -9; restarting it" in log.read_text()
        supervisor.stop(_end)
        time.sleep(1.0)  # several polls: nothing restarts what the stack stopped
        assert supervisor.pid == second and supervisor.restarts == 1
        third = supervisor.start().pid
        assert third != second
    finally:
        supervisor.close(_end)
