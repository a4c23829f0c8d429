"""What the receiving controller holds: the archives it received, by idempotency key."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    receipt: str
    sha256: str
    size: int
    received_at: str
    body: bytes = field(repr=False)


@dataclass
class ControllerState:
    max_bytes: int = 50 * 1024 * 1024
    rate_limited: int = 0  # answer 429 to this many requests, then accept again
    by_key: dict[str, Received] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
