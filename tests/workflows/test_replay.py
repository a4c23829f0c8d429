"""Committed histories replay against today's workflow code.

A failure means a change altered the commands of requests already running: they would
fail on deploy. Re-record only for a deliberate, versioned change:
`python -m tests.workflows.record_histories [scenario ...]`.

Histories recorded by older code stay, whatever their name: `*_before_<patch>.json` was
recorded before that `workflow.patched` change and proves that requests started then still
replay (docs/decisions/0009-changing-running-workflows.md).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.subject_request import SubjectRequestWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_every_kind_of_request_has_a_recorded_history() -> None:
    assert {p.stem for p in HISTORIES} >= {
        "access", "erasure", "rectification", "restriction", "objection", "portability",
    }  # fmt: skip


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays_without_nondeterminism(path: Path) -> None:
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(f"dsr-replay-{path.stem}", text)
    replayer = Replayer(workflows=[SubjectRequestWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
