"""How the embedded stack starts its simulators (without starting them)."""

from __future__ import annotations

import importlib.util
from dataclasses import fields
from pathlib import Path

from stack import Secrets, Stack, StackPorts


def test_secrets_that_start_with_a_dash_are_never_a_separate_argument(tmp_path: Path) -> None:
    dashed = Secrets(**{f.name: f"-{f.name}-secret" for f in fields(Secrets)})
    stack = Stack(tmp_path, secrets=dashed)
    for name, (args, _) in stack._simulator_commands().items():
        for arg in args:
            assert not arg.startswith("-") or "secret" not in arg or "=" in arg, (name, arg)


def test_free_ports_are_distinct_and_below_the_ephemeral_range() -> None:
    chosen = StackPorts.free()  # once: each call draws a fresh set
    ports = [getattr(chosen, f.name) for f in fields(StackPorts)]
    assert len(set(ports)) == len(ports)
    # Outgoing connections take ports from 32768 up; ours must never collide with them.
    assert all(20000 <= p <= 32000 for p in ports)


def test_every_simulator_the_stack_runs_is_a_package_with_a_main(tmp_path: Path) -> None:
    """`python -m simulators.<system>` needs simulators/<system>/__main__.py."""
    for name, (args, _) in Stack(tmp_path)._simulator_commands().items():
        module = args[0]
        if module.startswith("simulators."):
            assert importlib.util.find_spec(f"{module}.__main__") is not None, name
