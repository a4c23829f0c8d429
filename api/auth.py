"""Bearer tokens with roles for the agent API (docs/architecture.md, "Security model")."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


class Role(StrEnum):
    AGENT = "agent"
    OFFICER = "officer"
    AUDITOR = "auditor"


# Who may do what: reading is open to every role, steering to agents and officers,
# approving an erasure plan to officers only.
READ = (Role.AGENT, Role.OFFICER, Role.AUDITOR)
STEER = (Role.AGENT, Role.OFFICER)
APPROVE = (Role.OFFICER,)


class TokenConfigError(ValueError):
    """DSR_AGENT_TOKENS is malformed; the API must not start with it."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the name goes into the audit trail as the acting agent."""

    name: str
    role: Role


class TokenTable:
    """Known tokens, kept as SHA-256 digests so every comparison takes the same time."""

    def __init__(self, entries: dict[bytes, Principal]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def parse(cls, text: str) -> TokenTable:
        """Parse comma-separated '<token>:<role>:<name>' entries; never echo a token in errors."""
        entries: dict[bytes, Principal] = {}
        for position, raw in enumerate((e.strip() for e in text.split(",") if e.strip()), 1):
            token, principal = _parse_entry(position, raw)
            digest = _digest(token)
            if digest in entries:
                raise TokenConfigError(
                    f"Entry {position} of DSR_AGENT_TOKENS repeats an earlier token; "
                    "give every person a token of their own."
                )
            entries[digest] = principal
        return cls(entries)

    def find(self, token: str) -> Principal | None:
        """The principal holding `token`; compares against every entry, matched or not."""
        presented = _digest(token)
        found: Principal | None = None
        for digest, principal in self._entries.items():
            if hmac.compare_digest(digest, presented):
                found = principal
        return found


def _parse_entry(position: int, raw: str) -> tuple[str, Principal]:
    parts = [p.strip() for p in raw.split(":", 2)]
    if len(parts) != 3 or not all(parts):
        raise TokenConfigError(
            f"Entry {position} of DSR_AGENT_TOKENS must look like '<token>:<role>:<name>'."
        )
    token, role, name = parts
    if role not in {r.value for r in Role}:
        raise TokenConfigError(
            f"Entry {position} of DSR_AGENT_TOKENS has unknown role {role!r}; "
            f"use one of: {', '.join(r.value for r in Role)}."
        )
    return token, Principal(name=name, role=Role(role))


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


_bearer = HTTPBearer(auto_error=False, description="A token from DSR_AGENT_TOKENS.")


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits callers holding one of `roles` and returns who they are."""
    allowed = frozenset(roles)
    needed = " or ".join(r.value for r in roles)

    async def principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        tokens: TokenTable = request.app.state.tokens
        found = tokens.find(credentials.credentials) if credentials else None
        if found is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="A valid bearer token is required; send 'Authorization: Bearer <token>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if found.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"The {found.role.value} role may not do this; it takes the {needed} role.",
            )
        return found

    return principal
