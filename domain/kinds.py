"""The kinds of subject request (GDPR Art. 15-21) and the states a request passes through."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import InvalidRequestInput


class RequestKind(StrEnum):
    ACCESS = "access"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    PORTABILITY = "portability"


# Kinds the workflow carries out; a kind left out here is refused at intake with a clear message.
SUPPORTED_KINDS: frozenset[RequestKind] = frozenset(RequestKind)


def parse_kind(text: str) -> RequestKind:
    """Turn what an agent typed into a supported kind, or explain why not."""
    supported = ", ".join(sorted(SUPPORTED_KINDS))
    try:
        kind = RequestKind(text.strip().lower())
    except ValueError:
        raise InvalidRequestInput(
            f"Unknown request kind {text!r}; use one of: {supported}."
        ) from None
    if kind not in SUPPORTED_KINDS:
        raise InvalidRequestInput(
            f"Request kind {kind.value!r} is not supported yet; use one of: {supported}."
        )
    return kind


class RequestState(StrEnum):
    RECEIVED = "received"
    VERIFYING = "verifying"
    DISCOVERING = "discovering"
    PLANNING = "planning"
    AWAITING_APPROVAL = "awaiting_approval"
    EXECUTING = "executing"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    COMPILING = "compiling"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    NEEDS_ATTENTION = "needs_attention"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES: frozenset[RequestState] = frozenset(
    {RequestState.COMPLETED, RequestState.REJECTED, RequestState.CANCELLED}
)
