"""Options that belong to one kind are refused on another, not silently ignored."""

from __future__ import annotations

import pytest

from domain.errors import InvalidRequestInput
from domain.kinds import RequestKind
from domain.rights import Field, Purpose, parse_kind_details


@pytest.mark.parametrize(
    ("kind", "corrections", "purposes", "push_to", "says"),
    [
        (RequestKind.ACCESS, ["city=Delft"], [], None, "--set"),
        (RequestKind.ERASURE, [], ["profiling"], None, "--purpose"),
        (RequestKind.ACCESS, [], [], "https://x.example/in", "--push-to"),
        (RequestKind.RECTIFICATION, [], [], None, "at least one correction"),
    ],
)
def test_misplaced_or_missing_details_are_refused(
    kind: RequestKind, corrections: list[str], purposes: list[str], push_to: str | None, says: str
) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_kind_details(kind, corrections, purposes, push_to)
    assert says in str(err.value)


def test_each_kind_gets_its_own_details() -> None:
    changes, _, _ = parse_kind_details(RequestKind.RECTIFICATION, ["city=Delft"], [], None)
    assert changes is not None and changes.get(Field.CITY) == "Delft"
    assert parse_kind_details(RequestKind.OBJECTION, [], [], None)[1] == (Purpose.DIRECT_MARKETING,)
    url = "https://x.example/in"
    assert parse_kind_details(RequestKind.PORTABILITY, [], [], url) == (None, (), url)
    assert parse_kind_details(RequestKind.ACCESS, [], [], None) == (None, (), None)
