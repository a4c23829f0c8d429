"""Registrar webhooks: the bad-input table against a real workflow waiting for confirmation."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from api import webhooks
from domain.deadlines import ClockRules
from domain.kinds import RequestState
from domain.messages import ActionResult, RequestResult
from domain.records import ConfirmationChannel, OutcomeStatus
from runtime.webhook_signing import signature_headers
from services.errors import ActionQueued
from services.requests import RequestService
from services.updates import SENT_NOT_ACCEPTED
from store.confirmations import PendingConfirmations, WebhookDeliveries
from store.db import make_engine, upgrade
from store.registry import RequestRegistry
from tests.fixtures.temporal import finish
from tests.workflows.support import Harness
from tests.workflows.test_confirmations import erasure_until_pending
from tests.workflows.test_subject_request import meaningful_events
from workflows.subject_request import SubjectRequestWorkflow

SECRET = b"shared-webhook-secret"
URL = "/webhooks/newsletter"


@dataclass
class Setup:
    http: httpx.AsyncClient
    handle: object
    deliveries: WebhookDeliveries

    async def events(self) -> list[int]:
        return await meaningful_events(self.handle)  # type: ignore[arg-type]


def signed(body: bytes, *, now: float | None = None, delivery: str | None = None) -> dict[str, str]:
    headers = signature_headers(SECRET, body, time.time() if now is None else now,
                                delivery_id=delivery)  # fmt: skip
    return {**headers, "Content-Type": "application/json"}


def event(reference: str = "job-1", status: str = "completed") -> bytes:
    return json.dumps({"event": "customer.deleted", "reference": reference, "status": status,
                       "occurred_at": datetime.now(UTC).isoformat()}).encode()  # fmt: skip


@pytest_asyncio.fixture
async def setup(harness: Harness, tmp_path: Path) -> AsyncIterator[Setup]:
    env, _, queue = harness
    engine = make_engine(f"sqlite:///{tmp_path / 'dsr.sqlite3'}")
    upgrade(engine)
    handle = await erasure_until_pending(harness, ConfirmationChannel.WEBHOOK)
    request_id = handle.id.removeprefix("dsr-")
    registry = RequestRegistry(engine)
    registry.register(request_id=request_id, workflow_id=handle.id, kind="erasure",
                      agent_ref="WH-1", subject_hash="h", language="en",
                      received_at=datetime.now(UTC), due_on=date.today())  # fmt: skip
    pending = PendingConfirmations(engine)
    pending.register(request_id, "newsletter", "job-1")
    deliveries = WebhookDeliveries(engine)
    service = RequestService(env.client, registry, task_queue=queue, clock=ClockRules(),
                             hash_secret=b"k")  # fmt: skip
    app = FastAPI()
    app.include_router(webhooks.router)
    app.state.webhooks = webhooks.WebhookReceiver(service, pending, deliveries, SECRET)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://dsr.test") as http:
        yield Setup(http, handle, deliveries)
    engine.dispose()
    # A workflow left waiting keeps the time-skipping server from skipping for later tests.
    await finish(handle)


BAD_INPUT = [
    ("bad signature", lambda b: {**signed(b), "X-Dsr-Signature": "v1=" + "0" * 64}, event(), 401),
    ("stale timestamp", lambda b: signed(b, now=time.time() - 301), event(), 401),
    ("no signature", lambda b: {"Content-Type": "application/json"}, event(), 401),
    ("malformed JSON", signed, b'{"reference": "job-1", ', 400),
    ("missing status", signed, json.dumps({"reference": "job-1"}).encode(), 400),
    ("unknown reference", signed, event(reference="job-404"), 404),
    ("oversize body", signed, b" " * (webhooks.MAX_BODY + 1), 413),
]


@pytest.mark.parametrize(
    ("case", "headers", "body", "status"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT]
)
async def test_bad_webhook_gets_its_status_and_changes_nothing(
    setup: Setup, case: str, headers: Callable[[bytes], dict[str, str]], body: bytes, status: int
) -> None:
    before = await setup.events()
    response = await setup.http.post(URL, content=body, headers=headers(body))
    assert response.status_code == status, case
    assert await setup.events() == before
    assert await _state(setup) is RequestState.AWAITING_CONFIRMATION


async def test_valid_webhook_confirms_and_a_replay_is_refused(setup: Setup) -> None:
    body = event()
    headers = signed(body, delivery="delivery-1")
    accepted = await setup.http.post(URL, content=body, headers=headers)
    assert accepted.status_code == 200, accepted.text
    result: RequestResult = await setup.handle.result()  # type: ignore[attr-defined]
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    assert newsletter.status is OutcomeStatus.DONE
    assert newsletter.confirmed_by == "newsletter webhook delivery-1"
    after = await setup.events()
    replay = await setup.http.post(URL, content=body, headers=signed(body, delivery="delivery-1"))
    assert replay.status_code == 409
    assert await setup.events() == after


async def test_a_second_delivery_for_a_confirmed_reference_is_refused_by_the_workflow(
    setup: Setup,
) -> None:
    body = event()
    await setup.http.post(URL, content=body, headers=signed(body, delivery="d-1"))
    # The workflow may still be running the completion; the validator refuses a duplicate.
    second = await setup.http.post(URL, content=body, headers=signed(body, delivery="d-2"))
    assert second.status_code in (404, 409)
    assert not setup.deliveries.seen("d-2")


async def test_a_confirmation_the_request_did_not_take_yet_is_503_so_it_comes_again(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queued is not accepted: the registrar delivers again, and the delivery is not marked
    as received (which would refuse the second delivery as a replay)."""

    async def queued(*_: object) -> ActionResult:
        raise ActionQueued(SENT_NOT_ACCEPTED)

    monkeypatch.setattr(RequestService, "deliver_confirmation", queued)
    body = event()
    response = await setup.http.post(URL, content=body, headers=signed(body, delivery="q-1"))
    assert response.status_code == 503
    assert not setup.deliveries.seen("q-1")


async def _state(setup: Setup) -> RequestState:
    progress = await setup.handle.query(SubjectRequestWorkflow.progress)  # type: ignore[attr-defined]
    return progress.state  # type: ignore[no-any-return]
