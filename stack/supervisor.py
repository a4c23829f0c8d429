"""Keeping one child process running: the embedded stack restarts a worker that dies.

In production an orchestrator restarts a crashed worker; on one machine this thread does.
A process the stack itself stops is not restarted. The children are started with
`runtime.children.start_child`, whose parent-death signal follows the *thread* that
started them: this thread lives as long as the supervision, so a child it restarted is
ended only when the supervision ends (or the stack's process dies).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

Start = Callable[[], subprocess.Popen[bytes]]

# A process that lived shorter than this before dying is restarted after a growing pause,
# so a worker that cannot start (a broken setting) does not spin.
STEADY_SECONDS = 10.0
FIRST_PAUSE = 0.5
LONGEST_PAUSE = 30.0


class Supervisor:
    """Starts a process and starts it again whenever it exits without being asked to."""

    def __init__(self, name: str, start: Start, log: Path, poll: float = 0.2) -> None:
        self.name = name
        self._start = start
        self._log = log
        self._poll = poll
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0
        # Set while the process is meant to be down (stopped, or the supervision closed).
        self._stopped = True
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        with self._lock:
            return self._proc.pid if self._proc is not None else None

    def start(self) -> subprocess.Popen[bytes]:
        """Start the process (if it is not running) and watch it from now on."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._launch()
            self._stopped = False
            proc = self._proc
        assert proc is not None
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._watch, name=f"supervise-{self.name}", daemon=True
            )
            self._thread.start()
        return proc

    def kill(self) -> None:
        """SIGKILL the process, as a crash would; it is restarted."""
        with self._lock:
            proc = self._proc
        if proc is not None:
            proc.kill()
            proc.wait()

    def stop(self, terminate: Callable[[subprocess.Popen[bytes]], None]) -> None:
        """End the process with `terminate` and keep it down until `start` is called."""
        with self._lock:
            self._stopped = True
            proc = self._proc
        if proc is not None:
            terminate(proc)

    def close(self, terminate: Callable[[subprocess.Popen[bytes]], None]) -> None:
        """Stop the process and the supervision for good."""
        self.stop(terminate)
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _launch(self) -> None:
        self._proc = self._start()
        self._started_at = time.monotonic()

    def _watch(self) -> None:
        pause = FIRST_PAUSE
        while not self._closed.wait(self._poll):
            with self._lock:
                proc = self._proc
                if self._stopped or proc is None or proc.poll() is None:
                    continue
                lived = time.monotonic() - self._started_at
            pause = FIRST_PAUSE if lived >= STEADY_SECONDS else min(pause * 2, LONGEST_PAUSE)
            self._note(f"{self.name} exited with status {proc.returncode}; restarting it")
            if self._closed.wait(pause):
                return
            with self._lock:
                # Stopped, or started again by the stack meanwhile: nothing to do.
                if self._stopped or self._proc is not proc:
                    continue
                self._launch()
                self.restarts += 1
                assert self._proc is not None
                restarted = self._proc.pid
            self._note(f"{self.name} restarted (pid {restarted})")

    def _note(self, line: str) -> None:
        with self._log.open("a") as log:
            log.write(f"[stack {time.strftime('%H:%M:%S')}] {line}\n")
