"""The embedded stack: every process of dsr and the simulated outside world, on one machine.

It sits above the simulators (it starts and seeds them) and is used by `make demo` and by
the end-to-end tests.
"""

from stack.embedded import BIN, NEWSLETTER_LIST, REPO, Secrets, Stack, StackError, StackPorts

__all__ = ["BIN", "NEWSLETTER_LIST", "REPO", "Secrets", "Stack", "StackError", "StackPorts"]
