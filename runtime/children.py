"""Child processes that die with their parent, however the parent stops.

`start_new_session` keeps a child out of the terminal's Ctrl-C, so without more a parent
killed by SIGKILL would leave its children running. Linux's parent-death signal closes that
gap: the kernel sends the child SIGTERM the moment the thread that started it ends, which
lets the child shut down its own children in turn.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
from collections.abc import Sequence
from typing import Any

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child between fork and exec: ask the kernel for SIGTERM at parent death."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def start_child(args: Sequence[str], **popen: Any) -> subprocess.Popen[bytes]:
    """`subprocess.Popen` in its own session, ended by the kernel if this process dies."""
    return subprocess.Popen(args, start_new_session=True, preexec_fn=die_with_parent, **popen)
