"""Bearer tokens: parsing DSR_AGENT_TOKENS once, `require`, and the role matrix of the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from unittest.mock import NonCallableMagicMock

import httpx
import pytest
from fastapi import Depends, FastAPI

from api.auth import Principal, Role, TokenConfigError, TokenTable, require
from runtime.keys import Keyring, generate_key_entry
from store.blobs import LocalBlobStore
from tests.api.test_app import AUTH, SUBMIT, assert_one_sentence, in_memory, make_app, make_service

TOKENS = "t-agent:agent:Anna,t-officer:officer:Olaf, t-auditor:auditor:Aud Itor"


def test_parse_finds_each_principal() -> None:
    table = TokenTable.parse(TOKENS)
    assert len(table) == 3
    assert table.find("t-agent") == Principal("Anna", Role.AGENT)
    assert table.find("t-officer") == Principal("Olaf", Role.OFFICER)
    assert table.find("t-auditor") == Principal("Aud Itor", Role.AUDITOR)
    assert table.find("t-agen") is None
    assert table.find("") is None


def test_name_may_contain_colons() -> None:
    assert TokenTable.parse("tok:agent:desk:2").find("tok") == Principal("desk:2", Role.AGENT)


def test_empty_configuration_admits_nobody() -> None:
    table = TokenTable.parse("")
    assert len(table) == 0
    assert table.find("anything") is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("secret-one:agent", "Entry 1"),
        ("ok:agent:A,secret-two::Bob", "Entry 2"),
        ("secret-three:admin:Carl", "unknown role 'admin'"),
        ("same:agent:A,same:officer:B", "repeats an earlier token"),
    ],
)
def test_malformed_entries_are_a_clear_error_without_the_token(text: str, fragment: str) -> None:
    with pytest.raises(TokenConfigError) as caught:
        TokenTable.parse(text)
    message = str(caught.value)
    assert fragment in message
    assert "secret" not in message
    assert "same" not in message


@pytest.fixture
async def officers_only() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.tokens = TokenTable.parse(TOKENS)

    @app.get("/officers-only")
    async def officers_only(
        who: Annotated[Principal, Depends(require(Role.OFFICER))],
    ) -> dict[str, str]:
        return {"name": who.name, "role": who.role.value}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        yield http


async def test_missing_token_is_401_with_bearer_challenge(officers_only: httpx.AsyncClient) -> None:
    response = await officers_only.get("/officers-only")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer nope", "Basic dC1vZmZpY2VyOng=", "t-officer"])
async def test_unknown_token_or_scheme_is_401(
    officers_only: httpx.AsyncClient, header: str
) -> None:
    response = await officers_only.get("/officers-only", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_wrong_role_is_403(officers_only: httpx.AsyncClient) -> None:
    response = await officers_only.get(
        "/officers-only", headers={"Authorization": "Bearer t-agent"}
    )
    assert response.status_code == 403


async def test_allowed_role_gets_its_principal(officers_only: httpx.AsyncClient) -> None:
    response = await officers_only.get(
        "/officers-only", headers={"Authorization": "Bearer t-officer"}
    )
    assert response.status_code == 200
    assert response.json() == {"name": "Olaf", "role": "officer"}


@pytest.fixture
def service() -> NonCallableMagicMock:
    return make_service()


@pytest.fixture
async def client(tmp_path: Path, service: NonCallableMagicMock) -> AsyncIterator[httpx.AsyncClient]:
    keyring = Keyring.parse(generate_key_entry("k1"))
    app = make_app(tmp_path, service, LocalBlobStore(tmp_path / "blobs"), keyring)
    async with in_memory(app) as http:
        yield http


# --- who may do what, on the real endpoints ---

EVERYONE, STEERERS, OFFICERS = {"agent", "officer", "auditor"}, {"agent", "officer"}, {"officer"}
ENDPOINTS: list[tuple[str, str, Any, set[str]]] = [
    ("GET", "/requests", None, EVERYONE),
    ("GET", "/requests/r1", None, EVERYONE),
    ("POST", "/requests", SUBMIT, STEERERS),
    ("POST", "/requests/r1/verify", {"method": "call-back"}, STEERERS),
    ("POST", "/requests/r1/cancel", {"reason": "withdrawn"}, STEERERS),
    ("POST", "/requests/r1/retry", None, STEERERS),
    ("POST", "/requests/r1/approve", None, OFFICERS),
    ("POST", "/codec/encode", {"payloads": []}, EVERYONE),
    ("POST", "/codec/decode", {"payloads": []}, EVERYONE),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
async def test_role_matrix(
    client: httpx.AsyncClient, method: str, path: str, body: Any, allowed: set[str]
) -> None:
    for headers in ({}, {"Authorization": "Bearer t-x"}, {"Authorization": "Basic dC1hZ2VudA=="}):
        refused = await client.request(method, path, json=body, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == "Bearer"
    for role, headers in AUTH.items():
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code in ({200, 201} if role in allowed else {403}), role


async def test_actions_are_taken_in_the_callers_name(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    response = await client.post("/requests/T-1/approve", headers=AUTH["officer"])
    assert response.json() == {"state": "executing", "message": "approve done."}
    service.approve.assert_awaited_once_with("T-1", "Olaf", "")
    await client.post("/requests/T-1/verify", json={"method": "call-back"}, headers=AUTH["agent"])
    service.verify.assert_awaited_once_with("T-1", "Anna", "call-back")
    await client.post("/requests/T-1/cancel", json={"reason": "withdrawn"}, headers=AUTH["agent"])
    service.cancel.assert_awaited_once_with("T-1", "Anna", "withdrawn")
    await client.post("/requests/T-1/retry", headers=AUTH["officer"])
    service.retry.assert_awaited_once_with("T-1", "Olaf")


async def test_agent_is_not_a_body_field(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    body = {"method": "call-back", "agent": "Mallory"}
    response = await client.post("/requests/r1/verify", json=body, headers=AUTH["agent"])
    assert "'agent'" in assert_one_sentence(response, 400)
    assert service.mock_calls == []


async def test_approve_takes_an_officer(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    response = await client.post("/requests/r1/approve", headers=AUTH["agent"])
    assert "officer" in assert_one_sentence(response, 403)
    assert service.mock_calls == []
