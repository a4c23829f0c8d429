"""Bookkeeping of pending outcomes and their confirmations inside the workflow (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.records import Confirmation, Outcome


def key_of(connector: str, external_ref: str) -> str:
    return f"{connector}|{external_ref}"


@dataclass
class PendingBook:
    """Which outcomes wait for a confirmation, and which confirmations have arrived."""

    waiting: dict[str, Outcome] = field(default_factory=dict)
    arrived: dict[str, Confirmation] = field(default_factory=dict)

    def wait_for(self, outcome: Outcome) -> str:
        key = key_of(outcome.connector, outcome.external_ref or "")
        self.waiting[key] = outcome
        return key

    def done_waiting(self, key: str) -> None:
        self.waiting.pop(key, None)

    def resolve(self, connector: str, external_ref: str) -> str:
        """The key a confirmation is for; raises ValueError with a sentence for the sender."""
        if external_ref:
            key = key_of(connector, external_ref)
            if key not in self.waiting:
                raise ValueError(f"{connector} has no pending outcome with that reference.")
        else:
            candidates = [k for k, o in self.waiting.items() if o.connector == connector]
            if not candidates:
                raise ValueError(f"{connector} is not waiting for a confirmation.")
            if len(candidates) > 1:
                raise ValueError(
                    f"{connector} waits for several confirmations; name the reference with --ref."
                )
            key = candidates[0]
        if key in self.arrived:
            raise ValueError(f"This outcome of {connector} is already confirmed.")
        return key

    def refs_waiting(self) -> list[str]:
        return sorted(self.waiting)
