"""`dsr audit`: print a request's audit trail and verify its hash chain."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from cli.options import RefArgument
from runtime.settings import get_settings
from store.audit import AuditTrail, AuditVerification
from store.db import make_engine, upgrade
from store.registry import RequestRegistry


def audit(ref: RefArgument) -> None:
    """Print the request's audit trail and check that no event was changed or removed."""
    out, err = Console(), Console(stderr=True, soft_wrap=True)
    engine = make_engine(get_settings().resolved_database_url)
    try:
        upgrade(engine)
        registry = RequestRegistry(engine)
        row = registry.get(ref.removeprefix("dsr-")) or registry.find_by_agent_ref(ref)
        if row is None:
            err.print(f"[red]error:[/red] No request matches {ref!r}; check the id or reference.")
            raise typer.Exit(2)
        trail = AuditTrail(engine)
        events = trail.events(row.request_id)
        verification = trail.verify(row.request_id)
    finally:
        engine.dispose()
    table = Table(
        "#",
        "at (UTC)",
        "actor",
        "action",
        "details",
        "hash",
        title=f"Audit trail of {row.request_id}",
    )
    for e in events:
        details = json.dumps(e.details, ensure_ascii=False, sort_keys=True)
        table.add_row(
            str(e.seq), f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, e.action, details, e.hash[:12]
        )
    out.print(table)
    _report(out, err, verification)


def _report(out: Console, err: Console, v: AuditVerification) -> None:
    if v.ok:
        out.print(f"[green]Chain verified:[/green] {v.reason}")
        return
    err.print(f"[red]Chain broken at event {v.first_bad_seq}:[/red] {v.reason}")
    raise typer.Exit(1)
