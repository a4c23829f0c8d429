"""`make demo`: the embedded stack plus one access and one erasure request, end to end.

The samples go through the agent HTTP API, the same path an agent's tools use.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from runtime.stack import Stack, StackError
from simulators.administration import SeededCustomer

console = Console(soft_wrap=True)
FINAL = {"completed", "rejected", "cancelled"}


class DemoError(RuntimeError):
    """A sample request did not finish as expected."""


class AgentApi:
    """A thin client of the agent API, as a support tool would use it."""

    def __init__(self, base_url: str, token: str) -> None:
        self._http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=body)
        if response.status_code >= 400:
            raise DemoError(f"{method} {path} answered {response.status_code}: {response.text}")
        return response.json()

    def wait_for(self, request_id: str, states: set[str], timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            progress: dict[str, Any] = self.call("GET", f"/requests/{request_id}")
            if progress["state"] in states | FINAL:
                return progress
            time.sleep(0.5)
        raise DemoError(f"Request {request_id} did not reach {sorted(states)} in {timeout:g}s.")


def run_samples(stack: Stack) -> tuple[dict[str, Any], dict[str, Any]]:
    """Submit, verify, (approve) and wait for one access and one erasure request."""
    assert stack.seed is not None
    agent = AgentApi(f"http://127.0.0.1:{stack.ports.api}", stack.agent_token)
    officer = AgentApi(f"http://127.0.0.1:{stack.ports.api}", stack.officer_token)
    # The erasure subject has everything: domains at both registrars, an OV certificate,
    # RIPE and ARIN objects and the newsletter; the access subject is another customer.
    erasure_subject = stack.seed.rich_customer
    access_subject = _other_newsletter_customer(stack.seed.customers, erasure_subject)
    run = time.strftime("%Y%m%d-%H%M%S")

    access = _submit(agent, "access", access_subject, f"DEMO-{run}-A")
    erasure = _submit(agent, "erasure", erasure_subject, f"DEMO-{run}-E")
    for req in (access, erasure):
        rid = req["request_id"]
        state = agent.wait_for(rid, {"verifying", "needs_attention"})["state"]
        if state == "needs_attention":
            # An earlier demo run asked for the same subject: a repeat within 12 months.
            console.print(f"Request {rid} repeats an earlier one; the officer lets it proceed.")
            officer.call("POST", f"/requests/{rid}/decide", {"choice": "proceed"})
        agent.call("POST", f"/requests/{rid}/verify", {"method": "called back"})
    agent.wait_for(erasure["request_id"], {"awaiting_approval"})
    officer.call("POST", f"/requests/{erasure['request_id']}/approve")
    return (
        agent.wait_for(access["request_id"], {"completed"}),
        agent.wait_for(erasure["request_id"], {"completed"}),
    )


def _submit(api: AgentApi, kind: str, subject: SeededCustomer, ref: str) -> dict[str, Any]:
    console.print(f"Submitting an {kind} request for seeded customer {subject.customer_number}")
    body = {"kind": kind, "agent_ref": ref, "email": subject.email, "name": subject.name,
            "language": subject.language}  # fmt: skip
    submitted: dict[str, Any] = api.call("POST", "/requests", body)
    return submitted


def _other_newsletter_customer(
    customers: tuple[SeededCustomer, ...], taken: SeededCustomer
) -> SeededCustomer:
    return next(c for c in customers if c.newsletter and c.customer_id != taken.customer_id)


def report(stack: Stack, access: dict[str, Any], erasure: dict[str, Any]) -> None:
    archive = access["archive"]
    console.rule("Access request")
    console.print(f"State: {access['state']}; {archive['records']} records")
    console.print(f"Archive: {stack.home / 'blobs' / archive['key']}")
    console.print(f"Download link (expires): {archive['link']}")
    console.print(f"Temporal UI: {stack.ui_link('dsr-' + access['request_id'])}")
    console.rule("Erasure request")
    table = Table("system", "outcome", "confirmed by", "kept by law")
    for c in erasure["connectors"]:
        outcome = c.get("outcome") or {}
        kept = "; ".join(f"{r['category']} until {r['until']}" for r in outcome.get("retained", []))
        confirmed = outcome.get("confirmed_by") or ("its own answer" if outcome else "")
        table.add_row(c["connector"], outcome.get("status", c["step"]), confirmed, kept)
    console.print(table)
    proof = stack.home / "blobs" / erasure["proof"]["key"]
    console.print(
        f"Proof of erasure: {proof} (and {proof.with_suffix('.txt').name} for the subject)"
    )
    console.print(f"Temporal UI: {stack.ui_link('dsr-' + erasure['request_id'])}")
    console.print(f"All requests: {stack.ui_link('')[:-1]}")
    console.print(
        "Find completed access requests: .venv/bin/temporal workflow list "
        "--query \"DsrState='completed' AND DsrKind='access'\""
    )


def _wait_for_interrupt() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("Stopping.")


def main() -> int:
    home = Path(os.environ.get("DSR_HOME", ".dsr")).resolve()
    once = os.environ.get("DSR_DEMO_ONCE") == "1" or os.environ.get("CI") == "true"
    stack = Stack(home)
    try:
        with console.status("Starting Temporal, Mailman, the worker and the API…"):
            stack.start()
        console.print(f"Stack up. Temporal UI: http://localhost:{stack.ports.temporal_ui}")
        access, erasure = run_samples(stack)
        report(stack, access, erasure)
        if access["state"] != "completed" or erasure["state"] != "completed":
            raise DemoError("A sample request did not complete; see `dsr status` and the logs.")
        if not once:
            console.print("Running. Agent token: " + stack.agent_token)
            console.print("Press Ctrl-C to stop.")
            _wait_for_interrupt()
        return 0
    except (StackError, DemoError, RuntimeError, OSError) as err:
        console.print(f"[red]error:[/red] {err}")
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
