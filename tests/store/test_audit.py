"""The hash-chained audit trail on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, text

from store.audit import GENESIS_HASH, AuditTrail, chain_hash
from store.db import make_engine, upgrade

REQUEST = "7d0c7a6e-0000-4000-8000-000000000001"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def trail(engine: Engine) -> AuditTrail:
    return AuditTrail(engine)


def append_three(trail: AuditTrail, request_id: str = REQUEST) -> None:
    trail.append(request_id, actor="agent:alice", action="received", details={"kind": "access"})
    trail.append(request_id, actor="system", action="located", details={"connectors": 4})
    trail.append(request_id, actor="officer:bob", action="approved", details={"note_len": 12})


def test_events_form_a_chain_that_verifies(trail: AuditTrail) -> None:
    append_three(trail)

    events = trail.events(REQUEST)
    verification = trail.verify(REQUEST)

    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.action for e in events] == ["received", "located", "approved"]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert events[1].details == {"connectors": 4}
    assert verification.ok is True
    assert verification.events == 3
    assert verification.first_bad_seq is None


def test_hash_covers_the_stored_content(trail: AuditTrail) -> None:
    event = trail.append(REQUEST, actor="system", action="received", details={"b": 1, "a": [1]})

    stored = trail.events(REQUEST)[0]

    assert stored == event
    assert stored.hash == chain_hash(
        request_id=REQUEST,
        seq=1,
        at=stored.at,
        actor="system",
        action="received",
        details={"a": [1], "b": 1},
        prev_hash=GENESIS_HASH,
    )


def test_chains_of_different_requests_are_independent(trail: AuditTrail) -> None:
    append_three(trail)
    other = trail.append("other-request", actor="system", action="received", details={})

    assert other.seq == 1
    assert other.prev_hash == GENESIS_HASH
    assert trail.verify("other-request").ok


def test_empty_trail_verifies(trail: AuditTrail) -> None:
    verification = trail.verify("no-such-request")

    assert verification.ok is True
    assert verification.events == 0


def test_same_event_key_is_written_once(trail: AuditTrail, engine: Engine) -> None:
    first = trail.append(
        REQUEST, actor="system", action="erased", details={"n": 1}, event_key="erase:ripe"
    )
    retried = trail.append(
        REQUEST, actor="system", action="erased", details={"n": 1}, event_key="erase:ripe"
    )

    assert retried == first
    assert len(trail.events(REQUEST)) == 1
    assert trail.verify(REQUEST).ok


def test_event_key_of_another_request_is_refused(trail: AuditTrail) -> None:
    trail.append(REQUEST, actor="system", action="erased", details={}, event_key="k1")

    with pytest.raises(ValueError, match="already belongs to another request"):
        trail.append("other-request", actor="system", action="erased", details={}, event_key="k1")


def test_changed_details_are_detected(trail: AuditTrail, engine: Engine) -> None:
    append_three(trail)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_events SET details = :d WHERE request_id = :r AND seq = 2"),
            {"d": '{"connectors": 5}', "r": REQUEST},
        )

    verification = trail.verify(REQUEST)

    assert verification.ok is False
    assert verification.first_bad_seq == 2
    assert verification.events == 3
    assert "changed" in verification.reason


def test_deleted_middle_event_is_detected(trail: AuditTrail, engine: Engine) -> None:
    append_three(trail)
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM audit_events WHERE request_id = :r AND seq = 2"), {"r": REQUEST}
        )

    verification = trail.verify(REQUEST)

    assert verification.ok is False
    assert verification.first_bad_seq == 2
    assert verification.events == 2


def test_deleted_and_renumbered_event_is_detected(trail: AuditTrail, engine: Engine) -> None:
    append_three(trail)
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM audit_events WHERE request_id = :r AND seq = 2"), {"r": REQUEST}
        )
        connection.execute(
            text("UPDATE audit_events SET seq = 2 WHERE request_id = :r AND seq = 3"),
            {"r": REQUEST},
        )

    verification = trail.verify(REQUEST)

    assert verification.ok is False
    assert verification.first_bad_seq == 2


def test_swapped_events_are_detected(trail: AuditTrail, engine: Engine) -> None:
    append_three(trail)
    with engine.begin() as connection:
        for old, new in ((1, 100), (2, 1), (100, 2)):
            connection.execute(
                text("UPDATE audit_events SET seq = :new WHERE request_id = :r AND seq = :old"),
                {"r": REQUEST, "old": old, "new": new},
            )

    verification = trail.verify(REQUEST)

    assert verification.ok is False
    assert verification.first_bad_seq == 1


def test_concurrent_appends_do_not_fork_the_chain(trail: AuditTrail) -> None:
    writers = 8

    def append(n: int) -> int:
        return trail.append(REQUEST, actor="system", action="step", details={"n": n}).seq

    with ThreadPoolExecutor(max_workers=writers) as pool:
        seqs = sorted(pool.map(append, range(writers * 3)))

    assert seqs == list(range(1, writers * 3 + 1))
    verification = trail.verify(REQUEST)
    assert verification.ok, verification.reason
    assert verification.events == writers * 3
