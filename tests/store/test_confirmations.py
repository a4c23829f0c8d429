"""Routing later confirmations, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from store.confirmations import PendingConfirmations, WebhookDeliveries
from store.db import make_engine, upgrade


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_a_reference_routes_to_its_request_and_registering_twice_is_harmless(
    engine: Engine,
) -> None:
    routes = PendingConfirmations(engine)
    routes.register("req-1", "registry-epp", "contact:HST1")
    routes.register("req-1", "registry-epp", "contact:HST1")
    assert routes.request_for("registry-epp", "contact:HST1") == "req-1"
    assert routes.request_for("registry-epp", "contact:OTHER") is None
    assert routes.request_for("certcentral", "contact:HST1") is None


def test_a_reused_reference_is_taken_over_by_the_newest_request(engine: Engine) -> None:
    routes = PendingConfirmations(engine)
    routes.register("req-1", "certcentral", "request:1")
    routes.mark_confirmed("certcentral", "request:1")
    routes.register("req-2", "certcentral", "request:1")
    assert routes.request_for("certcentral", "request:1") == "req-2"


def test_a_delivery_id_is_recorded_once(engine: Engine) -> None:
    deliveries = WebhookDeliveries(engine)
    assert not deliveries.seen("d-1")
    assert deliveries.record("d-1", "registrar-openprovider") is True
    assert deliveries.seen("d-1")
    assert deliveries.record("d-1", "registrar-openprovider") is False
