"""What an agent can do with requests; the CLI and the HTTP API both go through here."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDReusePolicy,
)
from temporalio.service import RPCError

from domain import attributes, names
from domain.deadlines import ClockRules, due_date, end_of_day
from domain.errors import InvalidRequestInput
from domain.kinds import RequestKind, RequestState, parse_kind
from domain.messages import (
    ActionResult,
    ApprovePlan,
    CancelRequest,
    ChangePushAddress,
    Choice,
    Decision,
    EnterCode,
    ExtendDeadline,
    RequestInput,
    RetryFailed,
    SendCode,
    ServicesChoice,
    SweepInput,
    SweepResult,
    VerifyIdentity,
)
from domain.records import Confirmation
from domain.rights import parse_kind_details, parse_push_target
from domain.subject import parse_agent_ref, parse_subject
from runtime.keys import keyring_from_settings
from runtime.policy import load_policy
from runtime.settings import Settings
from runtime.subject_hash import subject_hash
from runtime.temporal import connect
from services.errors import ActionRefused, RequestNotFound, TemporalUnavailable
from services.status import RequestStatus, read_status
from services.updates import send_update
from store.db import make_engine, upgrade
from store.registry import RegisteredRequest, RequestRegistry

A = TypeVar("A")
# Art. 12(5): repeated requests within this window go to the officer.
REPEAT_WINDOW = timedelta(days=365)

__all__ = [
    "ActionRefused",
    "ListedRequest",
    "RequestNotFound",
    "RequestService",
    "RequestStatus",
    "SubmitForm",
    "Submitted",
    "TemporalUnavailable",
    "open_service",
]


@dataclass(frozen=True)
class Submitted:
    request_id: str
    workflow_id: str
    kind: RequestKind
    due_on: date


@dataclass(frozen=True)
class ListedRequest:
    request_id: str
    kind: str
    state: str
    deadline: datetime | None
    started: datetime | None
    # The agent's reference, from the registry ("" for a request it does not know).
    agent_ref: str = ""


@dataclass(frozen=True)
class SubmitForm:
    """What an agent fills in; validated before anything is written or started."""

    kind: str
    agent_ref: str
    email: str | None = None
    name: str | None = None
    customer_number: str | None = None
    language: str = "en"
    received_on: date | None = None
    # Rectification: "field=value" corrections; objection: purposes; portability: endpoint.
    corrections: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    push_to: str | None = None


class RequestService:
    def __init__(
        self,
        client: Client,
        registry: RequestRegistry,
        *,
        task_queue: str,
        clock: ClockRules,
        hash_secret: bytes,
    ) -> None:
        self._client = client
        self._registry = registry
        self._task_queue = task_queue
        self._clock = clock
        self._hash_secret = hash_secret

    async def submit(self, form: SubmitForm) -> Submitted:
        """Validate, register, then start the workflow; undo the registration if it fails."""
        kind = parse_kind(form.kind)
        subject = parse_subject(
            email=form.email,
            name=form.name,
            customer_number=form.customer_number,
            language=form.language,
        )
        agent_ref = parse_agent_ref(form.agent_ref)
        changes, purposes, push_to = parse_kind_details(
            kind, form.corrections, form.purposes, form.push_to
        )
        received_at = datetime.now(UTC)
        received_on = form.received_on or received_at.date()
        if received_on > received_at.date():
            raise InvalidRequestInput("The date of receipt cannot be in the future.")
        request_id = str(uuid.uuid4())
        hashed = subject_hash(self._hash_secret, subject)
        earlier = await asyncio.to_thread(
            self._registry.earlier_for_subject, hashed, received_at - REPEAT_WINDOW
        )
        req = RequestInput(
            request_id=request_id,
            kind=kind,
            subject=subject,
            agent_ref=agent_ref,
            received_at=received_at,
            due_on=due_date(received_on, period=self._clock.period),
            subject_hash=hashed,
            received_on=received_on,
            clock=self._clock,
            earlier_requests=len(earlier),
            changes=changes,
            purposes=purposes,
            push_to=push_to,
        )
        await asyncio.to_thread(
            self._registry.register,
            request_id=request_id,
            workflow_id=workflow_id_for(request_id),
            kind=kind.value,
            agent_ref=agent_ref,
            subject_hash=req.subject_hash,
            language=subject.language,
            received_at=received_at,
            due_on=req.due_on,
        )
        try:
            await self._start(req)
        except RPCError as err:
            await asyncio.to_thread(self._registry.remove, request_id)
            raise TemporalUnavailable(
                f"Temporal refused or could not take the request ({err.status.name}); "
                "nothing was started, try again when it is up."
            ) from None
        return Submitted(request_id, workflow_id_for(request_id), kind, req.due_on)

    async def _start(self, req: RequestInput) -> None:
        await self._client.start_workflow(
            names.REQUEST_WORKFLOW,
            req,
            id=workflow_id_for(req.request_id),
            task_queue=self._task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(attributes.DSR_STATE, RequestState.RECEIVED.value),
                    SearchAttributePair(attributes.DSR_KIND, req.kind.value),
                    SearchAttributePair(attributes.DSR_DEADLINE, end_of_day(req.due_on)),
                    SearchAttributePair(attributes.DSR_SUBJECT, req.subject_hash),
                ]
            ),
        )

    async def verify(self, ref: str, agent: str, method: str) -> ActionResult:
        return await self._update(ref, names.VERIFY_IDENTITY, VerifyIdentity(agent, method))

    async def send_code(self, ref: str, agent: str) -> ActionResult:
        """Email the subject a one-time code at the address on file."""
        return await self._update(ref, names.SEND_CODE, SendCode(agent))

    async def enter_code(self, ref: str, agent: str, code: str) -> ActionResult:
        """The code the subject read back; accepted once, within its time, in 5 attempts."""
        return await self._update(ref, names.ENTER_CODE, EnterCode(agent, code.strip()))

    async def approve(self, ref: str, agent: str, services: str = "") -> ActionResult:
        """Approve the plan; with active services, say whether to terminate or transfer first."""
        try:
            choice = ServicesChoice(services.strip().lower().replace("-", "_"))
        except ValueError:
            raise InvalidRequestInput(
                f"Unknown choice {services!r} for active services; use terminate or transfer-first."
            ) from None
        return await self._update(ref, names.APPROVE_PLAN, ApprovePlan(agent, choice))

    async def cancel(self, ref: str, agent: str, reason: str) -> ActionResult:
        return await self._update(ref, names.CANCEL, CancelRequest(agent, reason))

    async def confirm(
        self, ref: str, agent: str, connector: str, note: str, external_ref: str = ""
    ) -> ActionResult:
        """An agent records that a system confirmed (or refused) a pending outcome."""
        if not note.strip():
            raise InvalidRequestInput("Say what the system confirmed and how you know it.")
        confirmation = Confirmation(
            connector=connector.strip(),
            external_ref=external_ref.strip(),
            succeeded=True,
            detail=note.strip(),
            confirmed_by=f"agent {agent}",
        )
        return await self._update(ref, names.CONFIRM, confirmation)

    async def deliver_confirmation(
        self, request_id: str, confirmation: Confirmation
    ) -> ActionResult:
        """A system's own confirmation (webhook, poll message) for a request found by routing."""
        return await self._update(request_id, names.CONFIRM, confirmation)

    async def change_push_address(self, ref: str, agent: str, url: str) -> ActionResult:
        """Portability: correct the other controller's address while the push waits for a
        person; the push runs again to it. Checked like the submitted address."""
        corrected = parse_push_target(url)
        if corrected is None:
            raise InvalidRequestInput("Give the other controller's corrected https:// address.")
        action = ChangePushAddress(agent, corrected)
        return await self._update(ref, names.CHANGE_PUSH_ADDRESS, action)

    async def extend(self, ref: str, agent: str, reason: str) -> ActionResult:
        """Extend the deadline by up to two months (Art. 12(3)); the subject is told why."""
        return await self._update(ref, names.EXTEND_DEADLINE, ExtendDeadline(agent, reason))

    async def decide(self, ref: str, agent: str, choice: str, reason: str) -> ActionResult:
        """The officer's decision on a repeated request: proceed, announce a fee, or refuse."""
        try:
            picked = Choice(choice.strip().lower())
        except ValueError:
            raise InvalidRequestInput(
                f"Unknown decision {choice!r}; use one of: proceed, fee, refuse."
            ) from None
        return await self._update(ref, names.DECIDE, Decision(agent, picked, reason.strip()))

    async def retry(self, ref: str, agent: str) -> ActionResult:
        return await self._update(ref, names.RETRY_FAILED, RetryFailed(agent))

    async def status(self, ref: str) -> RequestStatus:
        """The progress with the agent reference and the calls being retried; when the worker
        does not answer within seconds, the registry's last known state and a sentence why."""
        row = await asyncio.to_thread(self._row, ref)
        return await read_status(
            self._client, self._client.get_workflow_handle(workflow_id_for(row.request_id)), row
        )

    async def sweep(self) -> SweepResult:
        """Run the retention sweep now, as the daily schedule would, and wait for its result."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        result: SweepResult = await self._client.execute_workflow(
            names.SWEEP_WORKFLOW,
            SweepInput(),
            id=f"{names.SWEEP_WORKFLOW_ID}-now-{stamp}-{uuid.uuid4().hex[:6]}",
            task_queue=self._task_queue,
            result_type=SweepResult,
        )
        return result

    async def wait_for(
        self, ref: str, states: set[RequestState], poll: float = 0.5
    ) -> RequestStatus:
        """Poll until the request reaches one of `states` (callers bound the wait); while the
        worker is away the registry's last known state counts."""
        while True:
            current = await self.status(ref)
            if current.state in states:
                return current
            await asyncio.sleep(poll)

    async def list(
        self,
        *,
        state: str | None = None,
        kind: str | None = None,
        limit: int = 50,
        overdue: bool = False,
        due_before: datetime | None = None,
    ) -> list[ListedRequest]:
        query = " AND ".join(
            [f"WorkflowType = '{names.REQUEST_WORKFLOW}'"]
            + ([f"DsrState = '{RequestState(state).value}'"] if state else [])
            + ([f"DsrKind = '{RequestKind(kind).value}'"] if kind else [])
            + (["DsrOverdue = true"] if overdue else [])
            + (
                [
                    f"DsrDeadline <= '{due_before.astimezone(UTC).isoformat()}'",
                    "ExecutionStatus = 'Running'",
                ]
                if due_before
                else []
            )
        )
        found: list[ListedRequest] = []
        async for wf in self._client.list_workflows(query, limit=limit):
            sa = wf.typed_search_attributes
            found.append(
                ListedRequest(
                    request_id=wf.id.removeprefix("dsr-"),
                    kind=sa.get(attributes.DSR_KIND) or "",
                    state=sa.get(attributes.DSR_STATE) or "",
                    deadline=sa.get(attributes.DSR_DEADLINE),
                    started=wf.start_time,
                )
            )
        refs = await asyncio.to_thread(self._registry.agent_refs, [r.request_id for r in found])
        return [replace(r, agent_ref=refs.get(r.request_id, "")) for r in found]

    async def _update(self, ref: str, update: names.Update[A], action: A) -> ActionResult:
        return await send_update(await self._handle(ref), update, action)

    async def _handle(self, ref: str) -> WorkflowHandle[object, object]:
        row = await asyncio.to_thread(self._row, ref)
        return self._client.get_workflow_handle(workflow_id_for(row.request_id))

    def _row(self, ref: str) -> RegisteredRequest:
        ref = ref.strip().removeprefix("dsr-")
        row = self._registry.get(ref) or self._registry.find_by_agent_ref(ref)
        if row is None:
            raise RequestNotFound(f"No request matches {ref!r}; check the id or agent reference.")
        return row


def workflow_id_for(request_id: str) -> str:
    return f"dsr-{request_id}"


@asynccontextmanager
async def open_service(settings: Settings) -> AsyncIterator[RequestService]:
    """A service connected to Temporal and the registry named by the settings."""
    keyring = keyring_from_settings(settings)
    policy = load_policy(settings.policy_file)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        try:
            client = await connect(settings, keyring)
        except RuntimeError:
            raise TemporalUnavailable(
                f"Temporal is not reachable at {settings.temporal_address}; "
                "start the stack (make demo) or set DSR_TEMPORAL_ADDRESS."
            ) from None
        yield RequestService(
            client,
            RequestRegistry(engine),
            task_queue=settings.task_queue,
            clock=policy.clock,
            hash_secret=keyring.derive("subject-hash"),
        )
    finally:
        engine.dispose()
