"""What the CLI prints: a request's status, and request listings.

Whatever the terminal's width, nothing an agent copies or reads as a name is cut: links
and ids print whole on one line, step names never shrink, and only free text wraps.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.render_erasure import erasure
from cli.tables import fits, name_column
from domain.kinds import RequestState
from domain.messages import ConnectorProgress, DeliveryRef
from services.requests import ListedRequest, RequestStatus
from services.status import RetryingCall

# The workflow marks a call in flight with this after the operation's name ("erase…").
RUNNING = "…"


def status(console: Console, s: RequestStatus) -> None:
    console.print(_headline(s), highlight=False)
    if s.rejects_unverified_on and not s.state.is_final:
        console.print(
            f"[yellow]Unverified:[/yellow] closes as rejected on "
            f"{s.rejects_unverified_on:%Y-%m-%d} unless the identity is verified.",
            highlight=False,
        )
    if not s.live:
        console.print(f"[yellow]Worker unreachable:[/yellow] {escape(s.worker)}", highlight=False)
    if s.attention:
        console.print(f"[yellow]Needs attention:[/yellow] {escape(s.attention)}", highlight=False)
    if s.connectors:
        _systems(console, s)
    for call in s.retrying:
        if not any(c.connector == call.connector for c in s.connectors):
            console.print(escape(f"{call.operation}: {_retrying(call)}"), highlight=False)
    erasure(console, s)
    if s.archive:
        console.print(f"Archive: {s.archive.key} ({s.archive.records} records)", highlight=False)
        _link(console, s.archive)
    if s.receipt:
        console.print(
            f"Sent to the other controller: receipt {s.receipt.receipt} "
            f"(status {s.receipt.status}, {s.receipt.at:%Y-%m-%d %H:%M} UTC)",
            highlight=False,
        )
    if s.proof:
        console.print(f"Proof: {s.proof.key}", highlight=False)
        _link(console, s.proof)


def stopped_short(s: RequestStatus, wanted: RequestState) -> str:
    """One sentence: why waiting for `wanted` ended in another state."""
    if s.state is RequestState.NEEDS_ATTENTION:
        reason = s.attention or "the reason shows in dsr status once the worker answers"
        return f"The request needs attention and will not reach {wanted.value} by itself: {reason}"
    return f"The request ended {s.state.value}; it will not reach {wanted.value}."


def _headline(s: RequestStatus) -> str:
    ref = f" ({escape(s.agent_ref)})" if s.agent_ref else ""
    clock = f"due {s.due_on:%Y-%m-%d}"
    clock += " (extended)" if s.extended else ""
    clock += " [red]overdue[/red]" if s.overdue and not s.state.is_final else ""
    return (
        f"Request [bold]{s.request_id}[/bold]{ref}  kind [bold]{s.kind.value}[/bold]  "
        f"state [bold]{s.state.value}[/bold]  {clock}"
    )


def _systems(console: Console, s: RequestStatus) -> None:
    """One row per system; its problem, free text, below the table so that it always wraps
    in full (a table squeezed into a narrow terminal would cut it away)."""
    # What systems say is text, never markup ("[Errno 111]" prints as it is).
    rows = [tuple(escape(cell) for cell in _row(s, c)) for c in s.connectors]
    table = Table(box=box.SIMPLE_HEAD)
    name_column(table, "system", [r[0] for r in rows])
    name_column(table, "step", [r[1] for r in rows])
    name_column(table, "records", [r[2] for r in rows], justify="right")
    table.add_column("outcome")
    for system, step, records, outcome, _ in rows:
        table.add_row(system, step, records, outcome)
    if fits(console, table):
        console.print(table)
    else:  # too narrow for the table without cutting it: a line per system
        for system, step, records, outcome, _ in rows:
            done = f"; {outcome}" if outcome else ""
            console.print(f"{system}: {step}, {records} record(s){done}", highlight=False)
    for system, _, _, _, problem in rows:
        if problem:
            console.print(f"[yellow]{system}:[/yellow] {problem}", highlight=False)


def _row(s: RequestStatus, c: ConnectorProgress) -> tuple[str, str, str, str, str]:
    """A system's line: an error belongs to a call still in flight, never to a finished one."""
    outcome = f"{c.outcome.status.value}: {c.outcome.detail}" if c.outcome else ""
    step, problem = c.step, ""
    if c.step.endswith(RUNNING):
        operation = c.step.removesuffix(RUNNING)
        retrying = next((r for r in s.retrying if r.connector == c.connector), None)
        if retrying is not None:
            step, problem = f"{operation} (retrying)", _retrying(retrying)
        else:
            failed = c.error and s.state is RequestState.NEEDS_ATTENTION
            step, problem = f"{operation} ({'failed' if failed else 'running'})", c.error
    return c.connector, step, str(c.records), outcome, problem


def _retrying(call: RetryingCall) -> str:
    last = f", last error: {call.last_error}" if call.last_error else ""
    return f"retrying (attempt {call.attempt}{last})"


def _link(console: Console, ref: DeliveryRef) -> None:
    """The link on a line of its own, never wrapped or cut, so that it copies whole."""
    if not ref.link:
        return
    when = (
        f"expires {ref.expires_at:%Y-%m-%d %H:%M} UTC"
        if ref.expires_at
        else "expires; the time was not recorded for this request"
    )
    console.print(f"Download link ({when}):", highlight=False)
    console.print(ref.link, soft_wrap=True, markup=False, highlight=False, emoji=False)


def listing(console: Console, rows: list[ListedRequest]) -> None:
    cells = [
        (
            r.request_id,
            r.agent_ref,
            r.kind,
            r.state,
            f"{r.deadline:%Y-%m-%d}" if r.deadline else "",
            f"{r.started:%Y-%m-%d %H:%M}" if r.started else "",
        )
        for r in rows
    ]
    table = Table()
    for i, header in enumerate(("request", "agent ref", "kind", "state", "deadline", "started")):
        name_column(table, header, [c[i] for c in cells])
    for row in cells:
        table.add_row(*row)
    if fits(console, table):
        console.print(table)
    else:
        for rid, ref, kind, state, deadline, started in cells:
            facts = [kind, state]
            facts += [f"due {deadline}"] if deadline else []
            facts += [f"started {started}"] if started else []
            console.print(f"{rid} {ref}: {', '.join(facts)}", highlight=False)
    console.print(f"{len(rows)} request(s)")
