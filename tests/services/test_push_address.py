"""Correcting a push address: checked like the submitted one before anything is sent."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from domain.deadlines import ClockRules
from domain.errors import InvalidRequestInput
from services.requests import RequestService


@pytest.mark.parametrize(
    "url", ["", "http://new-host.example/in", "https://u:p@new-host.example/in", "not a url"]
)
async def test_an_unusable_address_is_refused_and_nothing_is_sent(url: str) -> None:
    client, registry = MagicMock(), MagicMock()
    service = RequestService(
        client, registry, task_queue="q", clock=ClockRules(), hash_secret=b"s" * 32
    )
    with pytest.raises(InvalidRequestInput):
        await service.change_push_address("T-1", "Anna", url)
    assert client.mock_calls == [] and registry.mock_calls == []
