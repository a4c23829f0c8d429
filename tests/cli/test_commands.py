"""`dsr` over a stand-in service: exit statuses and the one sentence an agent reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any
from unittest.mock import NonCallableMagicMock, create_autospec

import pytest
from typer.testing import CliRunner

from cli import main as cli_main
from domain.kinds import RequestKind, RequestState
from runtime.settings import Settings
from services.errors import ActionQueued, WorkerUnavailable
from services.requests import RequestService, RequestStatus
from services.updates import NOT_APPLIED, SENT_NOT_ACCEPTED

DUE = date(2026, 2, 15)


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> NonCallableMagicMock:
    double: NonCallableMagicMock = create_autospec(RequestService, instance=True)

    @asynccontextmanager
    async def serving(_: Settings) -> AsyncIterator[RequestService]:
        yield double

    monkeypatch.setattr(cli_main, "open_service", serving)
    return double


def run(*args: str) -> Any:
    return CliRunner().invoke(cli_main.app, list(args), env={"COLUMNS": "60"})


def test_an_action_the_worker_could_not_take_exits_2_with_one_sentence(
    service: NonCallableMagicMock,
) -> None:
    service.verify.side_effect = WorkerUnavailable(NOT_APPLIED)
    done = run("verify", "T-1", "--method", "called back", "--agent", "Sam")
    assert done.exit_code == 2
    assert "Not applied" in done.output and "Traceback" not in done.output


def test_a_queued_action_exits_3_and_says_when_it_applies(service: NonCallableMagicMock) -> None:
    service.approve.side_effect = ActionQueued(SENT_NOT_ACCEPTED)
    done = run("approve", "T-1", "--terminate", "--agent", "Sam")
    assert done.exit_code == 3
    assert "queued:" in done.output and "when the worker is back" in " ".join(done.output.split())


def test_status_without_a_worker_shows_the_last_state(service: NonCallableMagicMock) -> None:
    service.status.return_value = RequestStatus(
        "r1", RequestKind.ACCESS, RequestState.VERIFYING, DUE, live=False, worker="Gone."
    )
    done = run("status", "T-1")
    assert done.exit_code == 0
    assert "state verifying" in done.output and "Worker unreachable" in done.output


def test_wait_stops_at_once_when_the_request_needs_attention(
    service: NonCallableMagicMock,
) -> None:
    linked = "registry-epp: the contact is linked to another domain"
    stuck = RequestStatus(
        "r1", RequestKind.ERASURE, RequestState.NEEDS_ATTENTION, DUE, attention=linked
    )
    service.wait_for.return_value = stuck
    done = run("wait", "T-1", "--until", "completed")
    assert done.exit_code == 1
    said = " ".join(done.output.split())
    assert "needs attention" in said and "linked to another domain" in said
    stops = service.wait_for.call_args.args[1]
    assert RequestState.NEEDS_ATTENTION in stops


def test_wait_for_needs_attention_itself_succeeds(service: NonCallableMagicMock) -> None:
    service.wait_for.return_value = RequestStatus(
        "r1", RequestKind.ERASURE, RequestState.NEEDS_ATTENTION, DUE, attention="x"
    )
    assert run("wait", "T-1", "--until", "needs_attention").exit_code == 0


def test_wait_that_ends_in_another_final_state_says_so(service: NonCallableMagicMock) -> None:
    service.wait_for.return_value = RequestStatus(
        "r1", RequestKind.ACCESS, RequestState.REJECTED, DUE
    )
    done = run("wait", "T-1")
    assert done.exit_code == 1 and "ended rejected" in done.output
