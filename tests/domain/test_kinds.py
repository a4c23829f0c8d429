"""Which kinds of request intake accepts, and which request states are final."""

from __future__ import annotations

import pytest

from domain.errors import InvalidRequestInput
from domain.kinds import FINAL_STATES, RequestKind, RequestState, parse_kind


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("access", RequestKind.ACCESS),
        ("Access", RequestKind.ACCESS),
        ("  ACCESS\n", RequestKind.ACCESS),
        ("erasure", RequestKind.ERASURE),
        ("\tErAsUrE ", RequestKind.ERASURE),
        ("rectification", RequestKind.RECTIFICATION),
        ("Restriction", RequestKind.RESTRICTION),
        ("objection", RequestKind.OBJECTION),
        (" Portability ", RequestKind.PORTABILITY),
    ],
)
def test_kind_is_parsed_regardless_of_case_and_whitespace(typed: str, kind: RequestKind) -> None:
    assert parse_kind(typed) is kind


@pytest.mark.parametrize("typed", ["delete", "", "   ", "access please", "art15", "erase"])
def test_unknown_kind_lists_the_supported_kinds(typed: str) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_kind(typed)
    message = str(err.value)
    assert message.startswith("Unknown request kind")
    assert message.endswith(
        "use one of: access, erasure, objection, portability, rectification, restriction."
    )


def test_every_kind_of_the_gdpr_is_supported() -> None:
    assert {parse_kind(k.value) for k in RequestKind} == set(RequestKind)


@pytest.mark.parametrize(
    ("state", "final"),
    [
        (RequestState.RECEIVED, False),
        (RequestState.VERIFYING, False),
        (RequestState.DISCOVERING, False),
        (RequestState.PLANNING, False),
        (RequestState.AWAITING_APPROVAL, False),
        (RequestState.EXECUTING, False),
        (RequestState.AWAITING_CONFIRMATION, False),
        (RequestState.COMPILING, False),
        (RequestState.NEEDS_ATTENTION, False),
        (RequestState.COMPLETED, True),
        (RequestState.REJECTED, True),
        (RequestState.CANCELLED, True),
    ],
)
def test_only_completed_rejected_and_cancelled_are_final(state: RequestState, final: bool) -> None:
    assert state.is_final is final


def test_every_state_is_classified_in_the_table() -> None:
    # A new state must be added to the table above, deciding whether it is final.
    assert len(RequestState) == 12
    assert {s for s in RequestState if s.is_final} == FINAL_STATES
