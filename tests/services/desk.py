"""An agent's desk for service tests: the request service, the real registry and audit trail,
and a worker (fake connectors, real bookkeeping) that a test starts and stops at will."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.bookkeeping import BookkeepingActivities
from domain import names
from domain.deadlines import ClockRules
from domain.kinds import RequestState
from services.requests import RequestService, RequestStatus, SubmitForm
from store.audit import AuditTrail
from store.confirmations import PendingConfirmations
from store.db import make_engine, upgrade
from store.registry import RequestRegistry
from tests.workflows.support import Fakes
from workflows.subject_request import SubjectRequestWorkflow

REAL_BOOKKEEPING = {names.RECORD_EVENT.name, names.REGISTER_PENDING.name}


@dataclass
class Desk:
    env: WorkflowEnvironment
    queue: str
    home: Path
    fakes: Fakes = field(default_factory=Fakes)
    # Activities that replace the fakes of the same name.
    overrides: list[Callable[..., Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.engine = make_engine(f"sqlite:///{self.home / 'dsr.sqlite3'}")
        upgrade(self.engine)
        self.registry = RequestRegistry(self.engine)
        self.audit = AuditTrail(self.engine)
        self.service = RequestService(self.env.client, self.registry, task_queue=self.queue,
                                      clock=ClockRules(), hash_secret=b"k")  # fmt: skip

    @asynccontextmanager
    async def worker(self) -> AsyncIterator[None]:
        """The request worker, as long as the block runs; after it, no worker at all."""
        books = BookkeepingActivities(self.registry, self.audit, PendingConfirmations(self.engine))
        replaced = {_name(a) for a in self.overrides} | REAL_BOOKKEEPING
        activities = [a for a in self.fakes.activities() if _name(a) not in replaced]
        activities += [*self.overrides, books.record_event, books.register_pending]
        async with Worker(self.env.client, task_queue=self.queue,
                          workflows=[SubjectRequestWorkflow], activities=activities):  # fmt: skip
            yield

    async def submit(self, kind: str, ref: str) -> str:
        form = SubmitForm(kind, ref, email="jan@example.nl", name="Jan Jansen")
        return (await self.service.submit(form)).request_id

    async def until(self, ref: str, check: Callable[[RequestStatus], bool]) -> RequestStatus:
        """Poll the status until `check` holds, or a generous minute passed (the caller
        asserts what it expects of the status returned)."""
        deadline = time.monotonic() + 60
        while True:
            status = await self.service.status(ref)
            if check(status) or time.monotonic() > deadline:
                return status
            await asyncio.sleep(0.2)

    async def reach(self, ref: str, state: RequestState) -> RequestStatus:
        status = await self.until(ref, lambda s: s.live and s.state is state)
        assert (status.live, status.state) == (True, state), status
        return status

    def actions(self, request_id: str) -> list[tuple[str, str]]:
        """(actor, action) of every audit event of the request, in order."""
        return [(e.actor, e.action) for e in self.audit.events(request_id)]

    def close(self) -> None:
        self.engine.dispose()


def _name(activity: Callable[..., Any]) -> str:
    defn = getattr(activity, "__temporal_activity_definition")
    return str(defn.name)
