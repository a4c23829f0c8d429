"""Bearer tokens: parsing DSR_AGENT_TOKENS once, and the `require` dependency."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from api.auth import Principal, Role, TokenConfigError, TokenTable, require

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
async def client() -> AsyncIterator[httpx.AsyncClient]:
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


async def test_missing_token_is_401_with_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/officers-only")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer nope", "Basic dC1vZmZpY2VyOng=", "t-officer"])
async def test_unknown_token_or_scheme_is_401(client: httpx.AsyncClient, header: str) -> None:
    response = await client.get("/officers-only", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_wrong_role_is_403(client: httpx.AsyncClient) -> None:
    response = await client.get("/officers-only", headers={"Authorization": "Bearer t-agent"})
    assert response.status_code == 403


async def test_allowed_role_gets_its_principal(client: httpx.AsyncClient) -> None:
    response = await client.get("/officers-only", headers={"Authorization": "Bearer t-officer"})
    assert response.status_code == 200
    assert response.json() == {"name": "Olaf", "role": "officer"}
