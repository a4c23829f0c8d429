"""`dsr`: the command support agents use to start and steer subject requests."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from cli import render
from cli.audit import audit
from cli.options import AgentOption, RefArgument, agent_name
from domain.errors import InvalidRequestInput
from domain.kinds import RequestKind, RequestState
from domain.messages import ActionResult
from runtime.keys import KeyringError, generate_key_entry
from runtime.policy import PolicyError
from runtime.settings import get_settings
from services.errors import ActionQueued, WorkerUnavailable
from services.requests import (
    ActionRefused,
    RequestNotFound,
    RequestService,
    RequestStatus,
    SubmitForm,
    TemporalUnavailable,
    open_service,
)
from store.registry import DuplicateAgentReference

app = typer.Typer(
    help="Start and steer data subject requests (GDPR Art. 15-21).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")

# Exit statuses: 2 — nothing was changed (bad input, a refused action, or an action not sent
# because the worker does not answer); 1 — Temporal is unreachable; 3 — the action reached
# the request but is not carried out yet (the message says when it will be).
QUEUED = 3
INPUT_ERRORS = (
    InvalidRequestInput,
    DuplicateAgentReference,
    RequestNotFound,
    ActionRefused,
    PolicyError,
    KeyringError,
    WorkerUnavailable,
)


def _act(agent: str, action: Callable[[RequestService, str], Awaitable[ActionResult]]) -> None:
    """Run one action under the agent's name (it is audited); print the workflow's answer."""
    who = agent_name(agent)
    out.print(_run(lambda s: action(s, who)).message, markup=False, highlight=False)


def _run(action: Callable[[RequestService], Awaitable[T]]) -> T:
    """Run one service action; turn known failures into one sentence and an exit status."""

    async def go() -> T:
        async with open_service(get_settings()) as service:
            return await action(service)

    try:
        return asyncio.run(go())
    except INPUT_ERRORS as e:
        err.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
        raise typer.Exit(2) from None
    except TemporalUnavailable as e:
        err.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
        raise typer.Exit(1) from None
    except ActionQueued as e:
        out.print(f"[yellow]queued:[/yellow] {escape(str(e))}", highlight=False)
        raise typer.Exit(QUEUED) from None


@app.command()
def submit(
    kind: Annotated[
        str,
        typer.Argument(
            help="access, erasure, rectification, restriction, objection or portability"
        ),
    ],
    agent_ref: Annotated[
        str, typer.Option("--agent-ref", help="Your ticket number; unique per request.")
    ],
    email: Annotated[str | None, typer.Option(help="The subject's email address.")] = None,
    name: Annotated[str | None, typer.Option(help="The subject's name, as they gave it.")] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="The subject's customer number.")
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the answer: en or nl.")] = "en",
    received_on: Annotated[
        str | None, typer.Option(help="Date the request arrived (YYYY-MM-DD); default today.")
    ] = None,
    corrections: Annotated[
        list[str] | None,
        typer.Option("--set", help="Rectification: a corrected field, e.g. --set city=Utrecht"),
    ] = None,
    purposes: Annotated[
        list[str] | None,
        typer.Option(
            "--purpose", help="Objection: direct_marketing (default), profiling or other."
        ),
    ] = None,
    push_to: Annotated[
        str | None,
        typer.Option(help="Portability: another controller's https:// endpoint to send it to."),
    ] = None,
) -> None:
    """Record a new request and start its workflow."""
    form = SubmitForm(
        kind=kind,
        agent_ref=agent_ref,
        email=email,
        name=name,
        customer_number=customer,
        language=language,
        received_on=_parse_date(received_on),
        corrections=tuple(corrections or ()),
        purposes=tuple(purposes or ()),
        push_to=push_to,
    )
    done = _run(lambda s: s.submit(form))
    out.print(
        f"Request [bold]{done.request_id}[/bold] ({done.kind.value}) started; "
        f"due {done.due_on:%Y-%m-%d}. Next: dsr verify {done.request_id} --method '...'"
    )


@app.command()
def demo(
    kinds: Annotated[
        list[str] | None,
        typer.Argument(help="Kinds to show (default all six), e.g. objection portability."),
    ] = None,
) -> None:
    """Start the embedded stack and run one sample request of each kind named."""
    from cli import demo as demo_module  # the stack is only imported when asked for

    raise typer.Exit(demo_module.main(tuple(kinds or ())))


@app.command()
def sweep() -> None:
    """Delete now what erasure kept and whose retention has ended (the daily job, at once)."""
    result = _run(lambda s: s.sweep())
    total = sum(result.deleted.values())
    per_system = ", ".join(f"{name}: {n}" for name, n in sorted(result.deleted.items()))
    out.print(
        f"Retention sweep of {result.today:%Y-%m-%d}: {total} record(s) deleted"
        + (f" ({per_system})." if per_system else "; no system keeps records past erasure.")
    )


@app.command()
def status(ref: RefArgument) -> None:
    """Show the state of a request and the progress in each system (the last known state,
    said so, when the worker does not answer)."""
    render.status(out, _run(lambda s: s.status(ref)))


@app.command("list")
def list_requests(
    state: Annotated[str | None, typer.Option(help="Only requests in this state.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only requests of this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only requests past due.")] = False,
    due_within: Annotated[
        str | None, typer.Option(help="Only open requests due within this time, e.g. 7d.")
    ] = None,
) -> None:
    """List requests through Temporal visibility."""
    _check_choice("state", state, [s.value for s in RequestState])
    _check_choice("kind", kind, [k.value for k in RequestKind])
    before = _parse_within(due_within)
    render.listing(
        out,
        _run(
            lambda s: s.list(
                state=state, kind=kind, limit=limit, overdue=overdue, due_before=before
            )
        ),
    )


@app.command()
def verify(
    ref: RefArgument,
    method: Annotated[str | None, typer.Option(help="How the identity was checked.")] = None,
    code: Annotated[
        str | None, typer.Option(help="The one-time code the subject read back (send-code).")
    ] = None,
    agent: AgentOption = "",
) -> None:
    """Attest how the identity was verified, or enter the emailed code (no documents kept)."""
    if (method is None) == (code is None):
        err.print("[red]error:[/red] Give either --method (what you checked) or --code.")
        raise typer.Exit(2)
    if code is not None:
        _act(agent, lambda s, who: s.enter_code(ref, who, code))
    else:
        _act(agent, lambda s, who: s.verify(ref, who, method or ""))


@app.command("send-code")
def send_code(
    ref: RefArgument,
    agent: AgentOption = "",
) -> None:
    """Email the subject a one-time code at the address on file; then dsr verify --code."""
    _act(agent, lambda s, who: s.send_code(ref, who))


@app.command()
def approve(
    ref: RefArgument,
    terminate: Annotated[
        bool, typer.Option("--terminate", help="End the active services with the erasure.")
    ] = False,
    transfer_first: Annotated[
        bool,
        typer.Option(
            "--transfer-first",
            help="Wait while the subject transfers domains and services; approve again after.",
        ),
    ] = False,
    agent: AgentOption = "",
) -> None:
    """Approve the erasure plan shown by `dsr status`."""
    if terminate and transfer_first:
        err.print("[red]error:[/red] Choose one: --terminate or --transfer-first.")
        raise typer.Exit(2)
    services = "terminate" if terminate else "transfer_first" if transfer_first else ""
    _act(agent, lambda s, who: s.approve(ref, who, services))


@app.command()
def cancel(
    ref: RefArgument,
    reason: Annotated[str, typer.Option(help="Why; goes into the audit trail.")],
    agent: AgentOption = "",
) -> None:
    """Cancel a request that has not started erasing yet."""
    _act(agent, lambda s, who: s.cancel(ref, who, reason))


@app.command()
def confirm(
    ref: RefArgument,
    system: Annotated[str, typer.Argument(help="The system that confirmed, e.g. registry-epp.")],
    note: Annotated[str, typer.Option(help="What was confirmed and how you know it.")],
    external_ref: Annotated[
        str, typer.Option("--ref", help="The pending reference, when the system has several.")
    ] = "",
    agent: AgentOption = "",
) -> None:
    """Record by hand that a system confirmed a pending erasure (your name is audited)."""
    _act(agent, lambda s, who: s.confirm(ref, who, system, note, external_ref))


@app.command()
def extend(
    ref: RefArgument,
    reason: Annotated[str, typer.Option(help="Why more time is needed; the subject is told.")],
    agent: AgentOption = "",
) -> None:
    """Extend the deadline to three months from receipt (only within the first period)."""
    _act(agent, lambda s, who: s.extend(ref, who, reason))


@app.command()
def decide(
    ref: RefArgument,
    choice: Annotated[str, typer.Argument(help="proceed, fee or refuse")],
    reason: Annotated[str, typer.Option(help="Why; the subject is told (fee, refuse).")] = "",
    agent: AgentOption = "",
) -> None:
    """The officer's decision on a repeated request within 12 months (Art. 12(5))."""
    _act(agent, lambda s, who: s.decide(ref, who, choice, reason))


@app.command("push-address")
def push_address(
    ref: RefArgument,
    url: Annotated[str, typer.Argument(help="The other controller's corrected https:// address.")],
    agent: AgentOption = "",
) -> None:
    """Correct the address of a portability push that failed (needs_attention); the push
    runs again to it, without cancelling the request."""
    _act(agent, lambda s, who: s.change_push_address(ref, who, url))


@app.command()
def retry(
    ref: RefArgument,
    agent: AgentOption = "",
) -> None:
    """Try a failed step again after fixing its cause (state needs_attention)."""
    _act(agent, lambda s, who: s.retry(ref, who))


@app.command()
def wait(
    ref: RefArgument,
    until: Annotated[str, typer.Option(help="State to wait for.")] = "completed",
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 600,
) -> None:
    """Wait until a request reaches a state, then show it; stop at once (exit 1, with the
    reason) when it needs attention or ends in another final state."""
    _check_choice("until", until, [s.value for s in RequestState])
    wanted = RequestState(until)
    stops = {wanted, RequestState.NEEDS_ATTENTION, *(s for s in RequestState if s.is_final)}

    async def waiting(s: RequestService) -> RequestStatus:
        return await asyncio.wait_for(s.wait_for(ref, stops), timeout)

    try:
        reached = _run(waiting)
    except TimeoutError:
        err.print(f"[red]error:[/red] The request did not reach {until} within {timeout:g}s.")
        raise typer.Exit(1) from None
    render.status(out, reached)
    if reached.state is not wanted:
        said = escape(render.stopped_short(reached, wanted))
        err.print(f"[red]error:[/red] {said}", highlight=False)
        raise typer.Exit(1)


app.command()(audit)


@app.command()
def keygen() -> None:
    """Print a new payload-encryption key entry for DSR_CODEC_KEYS or the key file."""
    out.print(generate_key_entry(), highlight=False)


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print("[red]error:[/red] The date must look like 2026-11-22 (YYYY-MM-DD).")
        raise typer.Exit(2) from None


def _parse_within(text: str | None) -> datetime | None:
    """'7d' or '36h' from now; None when not given."""
    if text is None:
        return None
    number, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if not number.isdigit() or unit not in ("d", "h"):
        err.print("[red]error:[/red] Give --due-within as days or hours, like 7d or 36h.")
        raise typer.Exit(2)
    span = timedelta(days=int(number)) if unit == "d" else timedelta(hours=int(number))
    return datetime.now(UTC) + span


def _check_choice(option: str, value: str | None, allowed: list[str]) -> None:
    if value is not None and value not in allowed:
        err.print(
            f"[red]error:[/red] Unknown {option} {value!r}; use one of: {', '.join(allowed)}."
        )
        raise typer.Exit(2)


def main() -> None:
    """Run `dsr`, then leave without the interpreter's teardown: the Temporal client's native
    threads may still call back into Python while it finalizes, which aborts the process
    (exit status 134) after the command itself went well."""
    try:
        app(prog_name="dsr")
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
