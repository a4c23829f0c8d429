"""The clock of Art. 12(3): calendar months, short months, weekends, public holidays, the
extension, a shorter promised period and a paused clock (docs/law.md, "The clock").

Every expected date is written out by hand, not computed by the code under test; where a
period rolls, the comment says from which day and why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.deadlines import (
    AMSTERDAM,
    BasePeriod,
    add_months,
    due_date,
    end_of_day,
    extended_due_date,
    may_extend,
    next_working_day,
    parse_period,
)

FOURTEEN_DAYS = BasePeriod(days=14)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(date(2025, 1, 31), 1, date(2025, 2, 28), id="31-jan-to-28-feb"),
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 29), id="31-jan-to-29-feb-leap-year"),
        pytest.param(date(2025, 3, 31), 1, date(2025, 4, 30), id="31-mar-to-30-apr"),
        pytest.param(date(2025, 1, 15), 1, date(2025, 2, 15), id="same-numbered-day"),
        pytest.param(date(2025, 2, 28), 1, date(2025, 3, 28), id="28-feb-to-28-mar-not-end"),
        pytest.param(date(2025, 12, 15), 1, date(2026, 1, 15), id="across-the-year-end"),
        pytest.param(date(2025, 12, 31), 1, date(2026, 1, 31), id="31-dec-to-31-jan"),
        pytest.param(date(2025, 11, 30), 3, date(2026, 2, 28), id="3-months-to-short-feb"),
        pytest.param(date(2025, 10, 31), 3, date(2026, 1, 31), id="3-months-across-year"),
        pytest.param(date(2023, 11, 30), 3, date(2024, 2, 29), id="3-months-to-leap-feb"),
        pytest.param(date(2020, 2, 29), 12, date(2021, 2, 28), id="29-feb-plus-a-year"),
        pytest.param(date(2025, 6, 10), 0, date(2025, 6, 10), id="zero-months"),
        pytest.param(date(2025, 3, 31), -1, date(2025, 2, 28), id="negative-months-backwards"),
    ],
)
def test_period_ends_on_same_numbered_day_or_last_day_of_a_shorter_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2025, 3, 1), date(2025, 3, 3), id="saturday-to-monday"),
        pytest.param(date(2025, 3, 2), date(2025, 3, 3), id="sunday-to-monday"),
        pytest.param(date(2025, 5, 31), date(2025, 6, 2), id="saturday-to-monday-next-month"),
        pytest.param(date(2026, 1, 31), date(2026, 2, 2), id="saturday-to-monday-next-month-2026"),
        pytest.param(date(2026, 1, 1), date(2026, 1, 2), id="nieuwjaarsdag-thursday-to-friday"),
        # Friday 1 January 2027, then Saturday and Sunday.
        pytest.param(date(2027, 1, 1), date(2027, 1, 4), id="nieuwjaarsdag-friday-to-monday"),
        pytest.param(date(2026, 4, 6), date(2026, 4, 7), id="tweede-paasdag-to-tuesday"),
        pytest.param(date(2026, 4, 27), date(2026, 4, 28), id="koningsdag-to-tuesday"),
        pytest.param(date(2026, 5, 5), date(2026, 5, 6), id="bevrijdingsdag-to-wednesday"),
        pytest.param(date(2026, 5, 14), date(2026, 5, 15), id="hemelvaartsdag-to-friday"),
        pytest.param(date(2026, 5, 25), date(2026, 5, 26), id="tweede-pinksterdag-to-tuesday"),
        # Friday 25 December 2026, Saturday 26 (Tweede Kerstdag), Sunday 27.
        pytest.param(date(2026, 12, 25), date(2026, 12, 28), id="christmas-friday-to-monday"),
        # Thursday 25 December 2025, Friday 26 (Tweede Kerstdag), then the weekend.
        pytest.param(date(2025, 12, 25), date(2025, 12, 29), id="both-christmas-days-and-weekend"),
        # Saturday 26 April 2025 is Koningsdag (the 27th is a Sunday): a weekend either way.
        pytest.param(date(2025, 4, 26), date(2025, 4, 28), id="koningsdag-on-saturday-to-monday"),
    ],
)
def test_a_weekend_or_public_holiday_rolls_to_the_next_working_day(
    day: date, expected: date
) -> None:
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    "day",
    [
        *(
            pytest.param(date(2025, 3, 3) + timedelta(days=offset), id=f"weekday-{offset}")
            for offset in range(5)
        ),
        pytest.param(date(2026, 4, 3), id="goede-vrijdag-is-not-a-holiday-in-that-law"),
        pytest.param(date(2026, 12, 24), id="kerstavond"),
        pytest.param(date(2026, 12, 31), id="oudejaarsdag"),
    ],
)
def test_a_working_day_stays(day: date) -> None:
    assert next_working_day(day) == day


@pytest.mark.parametrize(
    ("received", "months", "expected"),
    [
        # 28 February 2026 is a Saturday: rolls over Sunday 1 March to Monday 2 March.
        pytest.param(
            date(2026, 1, 31), 1, date(2026, 3, 2), id="31-jan-to-28-feb-saturday-to-monday"
        ),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="31-jan-to-29-feb-leap-tuesday"),
        pytest.param(date(2025, 1, 31), 1, date(2025, 2, 28), id="31-jan-to-28-feb-friday"),
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 29), id="31-jan-to-29-feb-leap-thursday"),
        pytest.param(date(2025, 3, 31), 1, date(2025, 4, 30), id="31-mar-to-30-apr-wednesday"),
        # 1 February 2025 is a Saturday.
        pytest.param(date(2025, 1, 1), 1, date(2025, 2, 3), id="ends-saturday-to-monday"),
        # 9 May 2026 is a Saturday.
        pytest.param(date(2026, 4, 9), 1, date(2026, 5, 11), id="ends-saturday-to-monday-2026"),
        # 2 March 2025 is a Sunday.
        pytest.param(date(2025, 2, 2), 1, date(2025, 3, 3), id="ends-sunday-to-monday"),
        # 10 May 2026 is a Sunday.
        pytest.param(date(2026, 4, 10), 1, date(2026, 5, 11), id="ends-sunday-to-monday-2026"),
        # 31 January 2026 is a Saturday: the roll crosses into February.
        pytest.param(date(2025, 12, 31), 1, date(2026, 2, 2), id="ends-saturday-next-month"),
        # Monday 27 April 2026 is Koningsdag.
        pytest.param(date(2026, 3, 27), 1, date(2026, 4, 28), id="ends-on-koningsdag-monday"),
        # Saturday 26 April 2025 is Koningsdag (27th a Sunday); Sunday 27th; Monday 28th.
        pytest.param(date(2025, 3, 26), 1, date(2025, 4, 28), id="ends-on-koningsdag-saturday"),
        # Friday 25 December 2026 Christmas, Saturday 26 Tweede Kerstdag, Sunday 27.
        pytest.param(date(2026, 11, 25), 1, date(2026, 12, 28), id="ends-on-christmas-friday"),
        # Thursday 25 December 2025, Friday 26 Tweede Kerstdag, Saturday 27, Sunday 28.
        pytest.param(date(2025, 11, 25), 1, date(2025, 12, 29), id="ends-on-christmas-thursday"),
        # Thursday 1 January 2026 is Nieuwjaarsdag.
        pytest.param(date(2025, 12, 1), 1, date(2026, 1, 2), id="ends-on-new-year-thursday"),
        # Friday 1 January 2027 is Nieuwjaarsdag, then the weekend.
        pytest.param(date(2026, 12, 1), 1, date(2027, 1, 4), id="ends-on-new-year-friday"),
        # Monday 6 April 2026 is Tweede Paasdag.
        pytest.param(date(2026, 3, 6), 1, date(2026, 4, 7), id="ends-on-easter-monday"),
        # Friday 3 April 2026 is Goede Vrijdag, which the Algemene termijnenwet does not name.
        pytest.param(date(2026, 3, 3), 1, date(2026, 4, 3), id="ends-on-good-friday-stays"),
        # Thursday 14 May 2026 is Hemelvaartsdag.
        pytest.param(date(2026, 4, 14), 1, date(2026, 5, 15), id="ends-on-ascension-day"),
        # Monday 25 May 2026 is Tweede Pinksterdag.
        pytest.param(date(2026, 4, 25), 1, date(2026, 5, 26), id="ends-on-whit-monday"),
        # Tuesday 5 May 2026 is Bevrijdingsdag (every year in that law, not only lustrum years).
        pytest.param(date(2026, 4, 5), 1, date(2026, 5, 6), id="ends-on-liberation-day"),
        pytest.param(date(2025, 3, 14), 1, date(2025, 4, 14), id="receipt-day-not-counted-14th"),
        pytest.param(date(2025, 3, 15), 1, date(2025, 4, 15), id="receipt-day-not-counted-15th"),
        # Months argument kept for callers that read it from policy.toml.
        pytest.param(date(2025, 1, 31), 3, date(2025, 4, 30), id="3-months-short-month"),
        # 31 August 2025 is a Sunday.
        pytest.param(date(2025, 5, 31), 3, date(2025, 9, 1), id="3-months-ends-sunday"),
        # 28 February 2026 is a Saturday.
        pytest.param(date(2025, 11, 30), 3, date(2026, 3, 2), id="3-months-ends-saturday"),
    ],
)
def test_due_date_is_months_later_on_a_working_day(
    received: date, months: int, expected: date
) -> None:
    assert due_date(received, months) == expected


def test_due_date_defaults_to_one_month() -> None:
    # 15 February 2025 is a Saturday.
    assert due_date(date(2025, 1, 15)) == due_date(date(2025, 1, 15), 1) == date(2025, 2, 17)


@pytest.mark.parametrize(
    ("received", "period", "expected"),
    [
        pytest.param(date(2026, 3, 2), FOURTEEN_DAYS, date(2026, 3, 16), id="14-days-mon-to-mon"),
        # Received Saturday 7 March 2026; day 14 is Saturday 21 March, then Sunday 22.
        pytest.param(date(2026, 3, 7), FOURTEEN_DAYS, date(2026, 3, 23), id="14-days-ends-sat"),
        # Received Sunday 25 January 2026; day 14 is Sunday 8 February.
        pytest.param(
            date(2026, 1, 25), FOURTEEN_DAYS, date(2026, 2, 9), id="14-days-across-month-ends-sun"
        ),
        # Day 14 is Friday 25 December 2026: Christmas, Tweede Kerstdag, Sunday.
        pytest.param(
            date(2026, 12, 11), FOURTEEN_DAYS, date(2026, 12, 28), id="14-days-ends-christmas"
        ),
        # Day 14 is Monday 27 April 2026, Koningsdag.
        pytest.param(
            date(2026, 4, 13), FOURTEEN_DAYS, date(2026, 4, 28), id="14-days-ends-koningsdag"
        ),
        pytest.param(date(2026, 3, 2), BasePeriod(days=1), date(2026, 3, 3), id="1-day"),
        # 28 February 2026 is a Saturday.
        pytest.param(
            date(2026, 1, 31), BasePeriod(months=1), date(2026, 3, 2), id="1-month-as-a-period"
        ),
        # 31 December 2025 + 2 months = 28 February 2026, a Saturday.
        pytest.param(
            date(2025, 12, 31), BasePeriod(months=2), date(2026, 3, 2), id="2-months-short-feb"
        ),
    ],
)
def test_a_configured_base_period(received: date, period: BasePeriod, expected: date) -> None:
    assert due_date(received, period=period) == expected


@pytest.mark.parametrize(
    ("received", "period", "paused_days", "expected"),
    [
        # 2 April 2026 + 10 days = Sunday 12 April.
        pytest.param(date(2026, 3, 2), None, 10, date(2026, 4, 13), id="paused-10-days-ends-sun"),
        # 21 February 2026 + 10 days = Tuesday 3 March; counting from receipt + 10 days
        # (31 January) would give 28 February instead.
        pytest.param(
            date(2026, 1, 21), None, 10, date(2026, 3, 3), id="pause-added-to-end-not-to-receipt"
        ),
        # 28 February 2026 + 2 days = Monday 2 March; rolling first (to 2 March) and then
        # adding would give 4 March.
        pytest.param(date(2026, 1, 31), None, 2, date(2026, 3, 2), id="pause-before-the-roll"),
        # 15 December 2026 + 10 days = Friday 25 December: Christmas, Tweede Kerstdag, Sunday.
        pytest.param(
            date(2026, 11, 15), None, 10, date(2026, 12, 28), id="pause-lands-on-christmas"
        ),
        # Monday 27 April 2026 (Koningsdag) + 1 day = Tuesday 28 April: the day of the roll.
        pytest.param(date(2026, 3, 27), None, 1, date(2026, 4, 28), id="pause-absorbs-the-roll"),
        # Monday 27 April 2026 is Koningsdag.
        pytest.param(date(2026, 3, 27), None, 0, date(2026, 4, 28), id="no-pause-unchanged"),
        # 2 March 2026 + 14 + 10 days = Thursday 26 March.
        pytest.param(
            date(2026, 3, 2), FOURTEEN_DAYS, 10, date(2026, 3, 26), id="paused-10-days-14-day"
        ),
    ],
)
def test_a_paused_clock_moves_the_end_before_the_working_day_roll(
    received: date, period: BasePeriod | None, paused_days: int, expected: date
) -> None:
    assert due_date(received, period=period, paused_days=paused_days) == expected


@pytest.mark.parametrize(
    ("received", "paused_days", "expected"),
    [
        pytest.param(date(2025, 1, 31), 0, date(2025, 4, 30), id="3-months-short-month-wed"),
        # 31 August 2025 is a Sunday.
        pytest.param(date(2025, 5, 31), 0, date(2025, 9, 1), id="3-months-ends-sunday"),
        # 28 February 2026 is a Saturday.
        pytest.param(date(2025, 11, 30), 0, date(2026, 3, 2), id="3-months-short-feb-saturday"),
        # Monday 27 April 2026 is Koningsdag.
        pytest.param(date(2026, 1, 27), 0, date(2026, 4, 28), id="3-months-ends-koningsdag"),
        # Thursday 25 December 2025, Friday 26 Tweede Kerstdag, then the weekend.
        pytest.param(date(2025, 9, 25), 0, date(2025, 12, 29), id="3-months-ends-christmas"),
        # 27 April 2026 + 8 days = Tuesday 5 May, Bevrijdingsdag.
        pytest.param(date(2026, 1, 27), 8, date(2026, 5, 6), id="3-months-paused-8-days"),
    ],
)
def test_an_extension_ends_three_months_from_receipt(
    received: date, paused_days: int, expected: date
) -> None:
    assert extended_due_date(received, paused_days=paused_days) == expected


@pytest.mark.parametrize(
    ("received", "today", "period", "paused_days", "expected"),
    [
        pytest.param(date(2026, 3, 2), date(2026, 3, 2), None, 0, True, id="on-the-day-of-receipt"),
        # The first month ends on Thursday 2 April 2026.
        pytest.param(date(2026, 3, 2), date(2026, 4, 2), None, 0, True, id="on-the-due-day"),
        pytest.param(date(2026, 3, 2), date(2026, 4, 3), None, 0, False, id="day-after-due-day"),
        # The first month ends on Saturday 28 February 2026 and rolls to Monday 2 March.
        pytest.param(
            date(2026, 1, 31), date(2026, 3, 2), None, 0, True, id="on-the-rolled-due-day"
        ),
        pytest.param(
            date(2026, 1, 31), date(2026, 3, 3), None, 0, False, id="after-the-rolled-due-day"
        ),
        # A promised 14 days end on Monday 16 March 2026.
        pytest.param(
            date(2026, 3, 2), date(2026, 3, 16), FOURTEEN_DAYS, 0, True, id="14-day-last-day"
        ),
        pytest.param(
            date(2026, 3, 2), date(2026, 3, 17), FOURTEEN_DAYS, 0, False, id="14-day-after"
        ),
        # Paused 10 days: 12 April 2026, a Sunday, rolls to Monday 13 April.
        pytest.param(date(2026, 3, 2), date(2026, 4, 13), None, 10, True, id="paused-last-day"),
        pytest.param(date(2026, 3, 2), date(2026, 4, 14), None, 10, False, id="paused-after"),
    ],
)
def test_an_extension_may_only_be_decided_within_the_first_period(
    received: date, today: date, period: BasePeriod | None, paused_days: int, expected: bool
) -> None:
    assert may_extend(received, today, period=period, paused_days=paused_days) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1 month", BasePeriod(months=1), id="1-month"),
        pytest.param("2 months", BasePeriod(months=2), id="2-months"),
        pytest.param("14 days", BasePeriod(days=14), id="14-days"),
        pytest.param("1 day", BasePeriod(days=1), id="1-day"),
        pytest.param("1 maand", BasePeriod(months=1), id="1-maand"),
        pytest.param("3 maanden", BasePeriod(months=3), id="3-maanden"),
        pytest.param("14 dagen", BasePeriod(days=14), id="14-dagen"),
        pytest.param("1 dag", BasePeriod(days=1), id="1-dag"),
        pytest.param("  14 Days ", BasePeriod(days=14), id="case-and-spaces-ignored"),
    ],
)
def test_parse_period(text: str, expected: BasePeriod) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("month", id="no-number"),
        pytest.param("14", id="no-unit"),
        pytest.param("0 days", id="zero"),
        pytest.param("-1 month", id="negative"),
        pytest.param("1.5 months", id="fraction"),
        pytest.param("2 weeks", id="weeks"),
        pytest.param("two weeks", id="words"),
        pytest.param("1 month 14 days", id="mixed"),
        pytest.param("14 d", id="abbreviation"),
    ],
)
def test_parse_period_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match=r"^A period must be .*\.$"):
        parse_period(text)


@pytest.mark.parametrize(
    ("months", "days"),
    [
        pytest.param(0, 0, id="neither"),
        pytest.param(1, 14, id="both"),
        pytest.param(-1, 0, id="negative-months"),
        pytest.param(0, -14, id="negative-days"),
        pytest.param(-1, 14, id="negative-months-with-days"),
    ],
)
def test_a_base_period_has_exactly_one_positive_part(months: int, days: int) -> None:
    with pytest.raises(ValueError, match=r"^A base period needs exactly one .*\.$"):
        BasePeriod(months=months, days=days)


def test_months_and_a_period_together_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^Give either months=3 or a period, not both\.$"):
        due_date(date(2026, 3, 2), 3, period=FOURTEEN_DAYS)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: due_date(date(2026, 3, 2), paused_days=-1), id="due-date"),
        pytest.param(lambda: extended_due_date(date(2026, 3, 2), paused_days=-1), id="extended"),
    ],
)
def test_negative_paused_days_are_refused(call: Callable[[], date]) -> None:
    with pytest.raises(ValueError, match=r"^Paused days cannot be negative, not -1\.$"):
        call()


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2025, 2, 28), id="short-month-end"),
        pytest.param(date(2024, 2, 29), id="leap-day"),
        pytest.param(date(2025, 12, 31), id="year-end"),
    ],
)
def test_end_of_day_is_the_last_second_of_the_due_day_in_amsterdam(day: date) -> None:
    instant = end_of_day(day)
    assert instant.utcoffset() == timedelta(0)  # given in UTC, for Temporal
    local = instant.astimezone(AMSTERDAM)
    assert (local.date(), local.time()) == (day, time(23, 59, 59))
    assert (local + timedelta(seconds=1)).date() == day + timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "utc"),
    [
        pytest.param(date(2026, 1, 15), datetime(2026, 1, 15, 22, 59, 59, tzinfo=UTC), id="winter"),
        pytest.param(date(2026, 7, 15), datetime(2026, 7, 15, 21, 59, 59, tzinfo=UTC), id="summer"),
    ],
)
def test_a_due_day_ends_an_hour_or_two_before_midnight_utc(day: date, utc: datetime) -> None:
    assert end_of_day(day) == utc


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        pytest.param(date(2026, 2, 2), 30, date(2026, 3, 2), id="30-days-capped-by-february"),
        pytest.param(date(2026, 3, 2), 30, date(2026, 4, 1), id="30-days-within-march"),
    ],
)
def test_a_promise_in_days_never_ends_after_the_month(received: date, days: int, due: date) -> None:
    assert due_date(received, period=BasePeriod(days=days)) == due
