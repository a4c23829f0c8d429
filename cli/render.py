"""Tables the CLI prints: per-connector progress and request listings."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from domain.messages import Progress
from domain.records import PlanAction
from services.requests import ListedRequest


def progress(console: Console, p: Progress) -> None:
    console.print(
        f"Request [bold]{p.request_id}[/bold]  kind [bold]{p.kind.value}[/bold]  "
        f"state [bold]{p.state.value}[/bold]  due {p.due_on:%Y-%m-%d}"
    )
    if p.attention:
        console.print(f"[yellow]Needs attention:[/yellow] {p.attention}")
    table = Table("system", "phase", "step", "records", "outcome", "problem")
    for c in p.connectors:
        outcome = f"{c.outcome.status.value}: {c.outcome.detail}" if c.outcome else ""
        table.add_row(c.connector, c.phase, c.step, str(c.records), outcome, c.error)
    console.print(table)
    if p.plans:
        _plan(console, p)
    if p.archive:
        console.print(f"Archive: {p.archive.key} ({p.archive.records} records)")
        console.print(f"Download link (expires): {p.archive.link}")
    if p.receipt:
        console.print(
            f"Sent to the other controller: receipt {p.receipt.receipt} "
            f"(status {p.receipt.status}, {p.receipt.at:%Y-%m-%d %H:%M} UTC)"
        )
    if p.proof:
        console.print(f"Proof: {p.proof.key}")
        console.print(f"Download link (expires): {p.proof.link}")


def _plan(console: Console, p: Progress) -> None:
    table = Table("system", "data", "records", "action", "until", "why", title="Erasure plan")
    for plan in p.plans:
        for item in plan.items:
            colour = "green" if item.action is PlanAction.ACT else "yellow"
            table.add_row(
                plan.connector,
                item.category,
                str(item.records),
                f"[{colour}]{item.action.value}[/{colour}]",
                f"{item.until:%Y-%m-%d}" if item.until else "",
                item.basis,
            )
    console.print(table)
    services = [s for plan in p.plans for s in plan.active_services]
    if services:
        console.print("[yellow]Erasure ends these active services:[/yellow] " + "; ".join(services))
        console.print("Approve with --terminate to end them, or --transfer-first to wait for the")
        console.print("subject to move them (the plan is then made anew).")


def listing(console: Console, rows: list[ListedRequest]) -> None:
    table = Table("request", "kind", "state", "deadline", "started")
    for r in rows:
        table.add_row(
            r.request_id,
            r.kind,
            r.state,
            f"{r.deadline:%Y-%m-%d}" if r.deadline else "",
            f"{r.started:%Y-%m-%d %H:%M}" if r.started else "",
        )
    console.print(table)
    console.print(f"{len(rows)} request(s)")
