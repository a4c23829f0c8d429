"""The clock of Art. 12(3): calendar months, short months, weekends (LAW.md, "The clock")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.deadlines import add_months, due_date, end_of_day, next_working_day


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 2, 28), 1, date(2025, 3, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 10, 31), 3, date(2026, 1, 31)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
        (date(2025, 6, 10), 0, date(2025, 6, 10)),
    ],
)
def test_period_ends_on_same_numbered_day_or_last_day_of_a_shorter_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 1), date(2025, 3, 3)),  # Saturday -> Monday
        (date(2025, 3, 2), date(2025, 3, 3)),  # Sunday -> Monday
        (date(2025, 12, 27), date(2025, 12, 29)),  # Saturday across no month end
        (date(2025, 5, 31), date(2025, 6, 2)),  # Saturday -> Monday in the next month
        (date(2026, 1, 31), date(2026, 2, 2)),  # Saturday -> Monday in the next month
    ],
)
def test_period_ending_on_a_weekend_moves_to_monday(day: date, expected: date) -> None:
    assert day.weekday() in (5, 6)
    assert next_working_day(day) == expected
    assert expected.weekday() == 0


@pytest.mark.parametrize(
    "day",
    [date(2025, 3, 3) + timedelta(days=offset) for offset in range(5)],  # Monday..Friday
)
def test_period_ending_on_a_weekday_stays(day: date) -> None:
    assert next_working_day(day) == day


@pytest.mark.parametrize(
    ("received", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # Friday, short month
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # Thursday, leap year
        (date(2025, 1, 1), 1, date(2025, 2, 3)),  # 1 Feb is a Saturday
        (date(2025, 2, 2), 1, date(2025, 3, 3)),  # 2 Mar is a Sunday
        (date(2025, 12, 31), 1, date(2026, 2, 2)),  # 31 Jan 2026 is a Saturday
        (date(2025, 1, 31), 3, date(2025, 4, 30)),  # extended: Wednesday, short month
        (date(2025, 5, 31), 3, date(2025, 9, 1)),  # extended: 31 Aug is a Sunday
        (date(2025, 11, 30), 3, date(2026, 3, 2)),  # extended: 28 Feb 2026 is a Saturday
    ],
)
def test_due_date_is_months_later_on_a_working_day(
    received: date, months: int, expected: date
) -> None:
    assert due_date(received, months) == expected


def test_due_date_defaults_to_one_month() -> None:
    assert due_date(date(2025, 1, 15)) == due_date(date(2025, 1, 15), 1) == date(2025, 2, 17)


def test_day_of_receipt_does_not_count() -> None:
    # Received on 15 March: the month runs 16 March to 15 April, not to 14 April.
    assert due_date(date(2025, 3, 14)) == date(2025, 4, 14)
    assert due_date(date(2025, 3, 15)) == date(2025, 4, 15)


@pytest.mark.xfail(
    strict=True,
    reason="LAW.md: a period ending on a public holiday ends on the next working day; "
    "domain/deadlines.next_working_day only skips weekends.",
)
def test_period_ending_on_a_public_holiday_moves_to_next_working_day() -> None:
    # Received 1 December 2025: the month ends on New Year's Day 2026, a Thursday.
    assert due_date(date(2025, 12, 1)) == date(2026, 1, 2)


@pytest.mark.parametrize("day", [date(2025, 2, 28), date(2024, 2, 29), date(2025, 12, 31)])
def test_end_of_day_is_the_last_second_of_the_due_day_in_utc(day: date) -> None:
    instant = end_of_day(day)
    assert instant.tzinfo is not None
    assert instant.utcoffset() == timedelta(0)
    assert instant == datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
    assert instant.date() == day
    assert (instant + timedelta(seconds=1)).date() == day + timedelta(days=1)
