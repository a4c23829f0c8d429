"""The erasure part of a request's status: the plan, and where its approval stands.

Before approval the agent sees the plan and what to approve it with; after it, who
approved and what they chose — never a prompt to approve what is already approved.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.tables import fits, name_column
from domain.kinds import RequestState
from domain.messages import Progress, ServicesChoice
from domain.records import PlanAction

CHOICES = {
    ServicesChoice.TERMINATE: "the active services end with the erasure",
    ServicesChoice.TRANSFER_FIRST: "after the subject transferred the active services",
    ServicesChoice.UNSET: "",
}


def erasure(console: Console, p: Progress) -> None:
    """The plan and the approval; nothing for other kinds or before a plan exists."""
    if p.plans:
        _plan(console, p)
    services = [escape(s) for s in active_services(p)]
    approval = p.approval
    if p.transfer_pending:
        who = f" by {escape(approval.agent)}" if approval else ""
        console.print(
            f"Transfer first was chosen{who}: the erasure waits while the subject transfers "
            + "; ".join(services)
            + ". When that is done, run dsr approve again: the plan is then made anew.",
            highlight=False,
        )
    elif approval is not None:
        choice = CHOICES[approval.services]
        console.print(
            f"[green]Approved[/green] by {escape(approval.agent)}"
            + (f"; {choice}." if choice else "."),
            highlight=False,
        )
    elif p.state is RequestState.AWAITING_APPROVAL:
        _prompt(console, services)


def active_services(p: Progress) -> list[str]:
    """Each active service once, in the order the plans name them."""
    return list(dict.fromkeys(s for plan in p.plans for s in plan.active_services))


def _plan(console: Console, p: Progress) -> None:
    rows = [
        (
            escape(plan.connector),
            escape(item.category),
            str(item.records),
            item.action,
            f"{item.until:%Y-%m-%d}" if item.until else "",
            escape(item.basis),
        )
        for plan in p.plans
        for item in plan.items
    ]
    table = Table(title="Erasure plan")
    for i, header in enumerate(("system", "data", "records", "action", "until")):
        name_column(table, header, [str(r[i]) for r in rows])
    table.add_column("why")
    for system, data, records, action, until, why in rows:
        colour = "green" if action is PlanAction.ACT else "yellow"
        table.add_row(system, data, records, f"[{colour}]{action.value}[/{colour}]", until, why)
    if fits(console, table):
        console.print(table)
        return
    console.print("Erasure plan:")
    for system, data, records, action, until, why in rows:
        kept = f" until {until}" if until else ""
        reason = f" ({why})" if why else ""
        console.print(f"{system} {data}: {action.value}{kept}, {records} record(s){reason}",
                      highlight=False)  # fmt: skip


def _prompt(console: Console, services: list[str]) -> None:
    if not services:
        console.print("Approve the plan with: dsr approve <request>")
        return
    console.print(
        "[yellow]Erasure ends these active services:[/yellow] " + "; ".join(services),
        highlight=False,
    )
    console.print(
        "Approve with --terminate to end them, or --transfer-first to wait for the subject "
        "to move them (the plan is then made anew)."
    )
