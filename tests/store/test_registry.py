"""The request registry on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from store.db import make_engine, upgrade
from store.models import RequestRow
from store.registry import DuplicateAgentReference, RequestRegistry

RECEIVED = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def registry(engine: Engine) -> RequestRegistry:
    return RequestRegistry(engine)


def register(registry: RequestRegistry, agent_ref: str, **overrides: Any) -> str:
    request_id = str(uuid.uuid4())
    fields: dict[str, Any] = {
        "request_id": request_id,
        "workflow_id": f"dsr-{request_id}",
        "kind": "access",
        "agent_ref": agent_ref,
        "subject_hash": "a" * 64,
        "language": "nl",
        "received_at": RECEIVED,
        "due_on": date(2025, 4, 1),
    }
    registry.register(**(fields | overrides))
    return request_id


def test_register_then_get_returns_every_field(registry: RequestRegistry) -> None:
    request_id = register(registry, "ticket-1")

    found = registry.get(request_id)

    assert found is not None
    assert found.request_id == request_id
    assert found.workflow_id == f"dsr-{request_id}"
    assert (found.kind, found.agent_ref, found.language) == ("access", "ticket-1", "nl")
    assert found.subject_hash == "a" * 64
    assert found.received_at == RECEIVED
    assert found.received_at.tzinfo is not None
    assert found.due_on == date(2025, 4, 1)
    assert found.state == "received"
    assert found.outcome_summary is None


def test_received_at_in_another_zone_comes_back_as_the_same_instant(
    registry: RequestRegistry,
) -> None:
    amsterdam = timezone(timedelta(hours=2))
    request_id = register(registry, "ticket-tz", received_at=RECEIVED.astimezone(amsterdam))

    found = registry.get(request_id)

    assert found is not None
    assert found.received_at == RECEIVED
    assert found.received_at.utcoffset() == timedelta(0)


def test_get_unknown_request_returns_none(registry: RequestRegistry) -> None:
    assert registry.get(str(uuid.uuid4())) is None


def test_find_by_agent_ref_and_workflow_id(registry: RequestRegistry) -> None:
    first = register(registry, "ticket-1")
    second = register(registry, "ticket-2")

    by_ref = registry.find_by_agent_ref("ticket-2")
    by_workflow = registry.find_by_workflow_id(f"dsr-{first}")

    assert by_ref is not None and by_ref.request_id == second
    assert by_workflow is not None and by_workflow.request_id == first
    assert registry.find_by_agent_ref("ticket-3") is None
    assert registry.find_by_workflow_id("dsr-unknown") is None


def test_update_state_keeps_summary_unless_given(registry: RequestRegistry) -> None:
    request_id = register(registry, "ticket-1")
    before = registry.get(request_id)
    assert before is not None

    registry.update_state(request_id, "completed", {"connectors": 3, "records": 41})
    registry.update_state(request_id, "closed")

    after = registry.get(request_id)
    assert after is not None
    assert after.state == "closed"
    assert after.outcome_summary == {"connectors": 3, "records": 41}
    assert after.updated_at >= before.updated_at


def test_update_state_of_unknown_request_returns_none(registry: RequestRegistry) -> None:
    assert registry.update_state(str(uuid.uuid4()), "completed") is None


def test_remove_deletes_the_row(registry: RequestRegistry) -> None:
    request_id = register(registry, "ticket-1")

    assert registry.remove(request_id) is True
    assert registry.get(request_id) is None
    assert registry.remove(request_id) is False
    # The reference is free again once the failed registration is undone.
    register(registry, "ticket-1")


def test_duplicate_agent_reference_is_refused_and_leaves_one_row(
    registry: RequestRegistry, engine: Engine
) -> None:
    first = register(registry, "ticket-1")

    with pytest.raises(DuplicateAgentReference) as caught:
        register(registry, "ticket-1")

    message = str(caught.value)
    assert message == (
        f"A request with agent reference 'ticket-1' already exists (request {first}); "
        "use a new reference or steer the existing request."
    )
    assert message.count(". ") == 0 and message.endswith(".")
    assert caught.value.request_id == first
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(RequestRow).where(RequestRow.agent_ref == "ticket-1")
        )
    assert count == 1


def test_duplicate_lost_in_a_race_still_raises_duplicate_agent_reference(
    registry: RequestRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = register(registry, "ticket-1")
    # Simulate the other caller winning between our check and our insert.
    real_find = registry.find_by_agent_ref
    calls: list[str] = []

    def find_after_race(agent_ref: str) -> Any:
        calls.append(agent_ref)
        return None if len(calls) == 1 else real_find(agent_ref)

    monkeypatch.setattr(registry, "find_by_agent_ref", find_after_race)

    with pytest.raises(DuplicateAgentReference) as caught:
        register(registry, "ticket-1")

    assert caught.value.request_id == first
    assert len(calls) == 2


def test_list_returns_newest_first_up_to_limit(registry: RequestRegistry) -> None:
    ids = [
        register(registry, f"ticket-{n}", received_at=RECEIVED + timedelta(days=n))
        for n in range(3)
    ]

    listed = registry.list(limit=2)

    assert [r.request_id for r in listed] == [ids[2], ids[1]]
    assert len(registry.list()) == 3


def test_earlier_requests_of_the_same_subject_within_the_window(
    registry: RequestRegistry,
) -> None:
    now = datetime.now(UTC)
    old = register(registry, "R-OLD", subject_hash="same", received_at=now - timedelta(days=400))
    recent = register(registry, "R-NEW", subject_hash="same", received_at=now - timedelta(days=30))
    register(registry, "R-OTHER", subject_hash="other", received_at=now - timedelta(days=5))
    current = register(registry, "R-NOW", subject_hash="same", received_at=now)
    found = registry.earlier_for_subject("same", now - timedelta(days=365), excluding=current)
    assert [r.request_id for r in found] == [recent]
    assert old not in [r.request_id for r in found]


def test_agent_refs_by_request_id(registry: RequestRegistry) -> None:
    first, second = register(registry, "ticket-a"), register(registry, "ticket-b")
    refs = registry.agent_refs([first, second, str(uuid.uuid4())])
    assert refs == {first: "ticket-a", second: "ticket-b"}
    assert registry.agent_refs([]) == {}
