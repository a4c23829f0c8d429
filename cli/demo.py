"""`make demo`: the embedded stack plus one request of each kind, end to end.

`python -m cli.demo objection` (or `dsr demo objection`) runs only the kinds named.

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
from rich.markup import escape
from rich.table import Table

from cli.tables import name_column
from simulators.billing import SeededCustomer
from stack import Stack, StackError

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


# Every right, in an order that keeps the rich customer's data for the later samples.
KINDS = ("access", "portability", "rectification", "restriction", "objection", "erasure")
# A move: the subject's phone and address change in every system that holds them.
CORRECTIONS = ["phone=+31.302345678", "street=Oudegracht 12", "postcode=3511 AB", "city=Utrecht"]


def run_samples(stack: Stack, kinds: tuple[str, ...] = KINDS) -> dict[str, dict[str, Any]]:
    """Submit, verify, (approve) and wait for one request of each kind, in order."""
    assert stack.seed is not None
    agent = AgentApi(f"http://127.0.0.1:{stack.ports.api}", stack.agent_token)
    officer = AgentApi(f"http://127.0.0.1:{stack.ports.api}", stack.officer_token)
    # The rich subject has everything: domains at both registrars, an OV certificate,
    # RIPE and ARIN objects and the newsletter; the access subject is another customer.
    rich = stack.seed.rich_customer
    other = _other_newsletter_customer(stack.seed.customers, rich)
    run = time.strftime("%Y%m%d-%H%M%S")
    done: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        subject = other if kind == "access" else rich
        extra: dict[str, Any] = {}
        if kind == "rectification":
            extra["corrections"] = CORRECTIONS
        elif kind == "objection":
            extra["purposes"] = ["direct_marketing", "profiling"]
        elif kind == "portability":
            extra["push_to"] = stack.push_url
        req = _submit(agent, kind, subject, f"DEMO-{run}-{kind[:4].upper()}", extra)
        done[kind] = _carry_through(agent, officer, req["request_id"], kind)
    return done


def _carry_through(agent: AgentApi, officer: AgentApi, rid: str, kind: str) -> dict[str, Any]:
    state = agent.wait_for(rid, {"verifying", "needs_attention"})["state"]
    if state == "needs_attention":
        # The same subject asked before within 12 months (an earlier sample or demo run).
        console.print(f"  {kind} {rid} repeats an earlier request; the officer lets it proceed.")
        officer.call("POST", f"/requests/{rid}/decide", {"choice": "proceed"})
    agent.call("POST", f"/requests/{rid}/verify", {"method": "called back"})
    if kind == "erasure":
        agent.wait_for(rid, {"awaiting_approval"})
        # The rich customer still has services and domains: the officer ends them.
        officer.call("POST", f"/requests/{rid}/approve", {"services": "terminate"})
    with console.status(f"Waiting for the {kind} request; some systems confirm later…"):
        return agent.wait_for(rid, {"completed"})


def _submit(
    api: AgentApi, kind: str, subject: SeededCustomer, ref: str, extra: dict[str, Any]
) -> dict[str, Any]:
    article = "an" if kind[0] in "aeiou" else "a"
    console.print(
        f"Submitting {article} {kind} request for seeded customer {subject.customer_number}"
    )
    body = {"kind": kind, "agent_ref": ref, "email": subject.email, "name": subject.name,
            "language": subject.language, **extra}  # fmt: skip
    submitted: dict[str, Any] = api.call("POST", "/requests", body)
    return submitted


def _other_newsletter_customer(
    customers: tuple[SeededCustomer, ...], taken: SeededCustomer
) -> SeededCustomer:
    return next(c for c in customers if c.newsletter and c.customer_id != taken.customer_id)


def report(stack: Stack, results: dict[str, dict[str, Any]]) -> None:
    for kind, progress in results.items():
        console.rule(f"{kind.capitalize()} request: {progress['state']}")
        if progress.get("archive"):
            archive = progress["archive"]
            console.print(
                f"{archive['records']} records in {stack.home / 'blobs' / archive['key']}"
            )
            expires = (archive.get("expires_at") or "").replace("T", " ")[:16]
            console.print(f"Download link (expires {expires} UTC):", highlight=False)
            console.print(archive["link"], soft_wrap=True, markup=False, highlight=False)
        receipt = progress.get("receipt")
        if receipt:
            console.print(f"Sent to the other controller; receipt {receipt['receipt']}")
        if progress.get("proof"):
            _outcomes(progress)
            proof = stack.home / "blobs" / progress["proof"]["key"]
            console.print(f"Proof: {proof} (and {proof.with_suffix('.txt').name} for the subject)")
        console.print(f"Temporal UI: {stack.ui_link('dsr-' + progress['request_id'])}")
    console.rule()
    console.print(f"All requests: {stack.ui_link('')[:-1]}")
    console.print(
        "Find completed access requests: .venv/bin/temporal workflow list "
        "--query \"DsrState='completed' AND DsrKind='access'\""
    )


def _outcomes(progress: dict[str, Any]) -> None:
    rows = []
    for c in progress["connectors"]:
        outcome = c.get("outcome") or {}
        kept = "; ".join(f"{r['category']} until {r['until']}" for r in outcome.get("retained", []))
        confirmed = outcome.get("confirmed_by") or ("its own answer" if outcome else "")
        rows.append((c["connector"], outcome.get("status", c["step"]), confirmed,
                     kept or outcome.get("detail", "")))  # fmt: skip
    table = Table()
    name_column(table, "system", [r[0] for r in rows])  # system names are never cut
    for header in ("outcome", "confirmed by", "detail / kept by law"):
        table.add_column(header, overflow="fold")  # a long reference folds, it is not cut
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)


def _wait_for_interrupt() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("Stopping.")


def main(kinds: tuple[str, ...] = ()) -> int:
    kinds = kinds or tuple(sys.argv[1:]) or KINDS
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        console.print(f"[red]error:[/red] unknown kind {unknown[0]!r}; use: {', '.join(KINDS)}.")
        return 2
    home = Path(os.environ.get("DSR_HOME", ".dsr")).resolve()
    once = os.environ.get("DSR_DEMO_ONCE") == "1" or os.environ.get("CI") == "true"
    stack = Stack(home)
    try:
        with console.status("Starting Temporal, Mailman, the worker and the API…"):
            stack.start()
        console.print(f"Stack up. Temporal UI: http://localhost:{stack.ports.temporal_ui}")
        results = run_samples(stack, kinds)
        report(stack, results)
        if any(r["state"] != "completed" for r in results.values()):
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
