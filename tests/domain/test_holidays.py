"""Dutch public holidays that move a deadline (Algemene termijnenwet art. 3).

See docs/law.md, "The clock".

Every expected date is written out by hand, not computed by the code under test.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.holidays import dutch_public_holidays, easter_sunday, is_public_holiday, kings_day


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(2024, date(2024, 3, 31), id="2024-31-march"),
        pytest.param(2025, date(2025, 4, 20), id="2025-20-april"),
        pytest.param(2026, date(2026, 4, 5), id="2026-5-april"),
        pytest.param(2027, date(2027, 3, 28), id="2027-28-march"),
        pytest.param(2038, date(2038, 4, 25), id="2038-25-april-latest-possible"),
        pytest.param(1943, date(1943, 4, 25), id="1943-25-april-latest-possible"),
        pytest.param(1818, date(1818, 3, 22), id="1818-22-march-earliest-possible"),
        pytest.param(2285, date(2285, 3, 22), id="2285-22-march-earliest-possible"),
        pytest.param(2000, date(2000, 4, 23), id="2000-century-leap-year"),
        pytest.param(2008, date(2008, 3, 23), id="2008-23-march"),
        pytest.param(2011, date(2011, 4, 24), id="2011-24-april"),
        pytest.param(2016, date(2016, 3, 27), id="2016-27-march"),
        pytest.param(2019, date(2019, 4, 21), id="2019-21-april"),
    ],
)
def test_easter_sunday_by_the_anonymous_gregorian_algorithm(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


def test_easter_before_the_gregorian_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^Easter can only be computed .* not 1582\.$"):
        easter_sunday(1582)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(2026, date(2026, 4, 27), id="27-april-a-monday-stays"),
        pytest.param(2024, date(2024, 4, 27), id="27-april-a-saturday-stays"),
        pytest.param(2025, date(2025, 4, 26), id="27-april-a-sunday-moves-to-saturday-26"),
        pytest.param(2014, date(2014, 4, 26), id="first-kings-day-27-april-a-sunday"),
    ],
)
def test_kings_day_is_27_april_or_26_when_the_27th_is_a_sunday(year: int, expected: date) -> None:
    assert kings_day(year) == expected
    assert dutch_public_holidays(year)[expected] == "Koningsdag"


def test_kings_day_2025_is_not_on_the_sunday() -> None:
    assert is_public_holiday(date(2025, 4, 26))
    assert not is_public_holiday(date(2025, 4, 27))


def test_the_full_list_for_2026() -> None:
    # Easter 2026 is Sunday 5 April: +1 = 6 April, +39 = 14 May, +50 = 25 May.
    assert dutch_public_holidays(2026) == {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 6): "Tweede Paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 25): "Tweede Pinksterdag",
        date(2026, 12, 25): "Eerste Kerstdag",
        date(2026, 12, 26): "Tweede Kerstdag",
    }


def test_the_full_list_for_2024() -> None:
    # Easter 2024 is Sunday 31 March: +1 = 1 April, +39 = 9 May, +50 = 20 May.
    assert dutch_public_holidays(2024) == {
        date(2024, 1, 1): "Nieuwjaarsdag",
        date(2024, 4, 1): "Tweede Paasdag",
        date(2024, 4, 27): "Koningsdag",
        date(2024, 5, 5): "Bevrijdingsdag",
        date(2024, 5, 9): "Hemelvaartsdag",
        date(2024, 5, 20): "Tweede Pinksterdag",
        date(2024, 12, 25): "Eerste Kerstdag",
        date(2024, 12, 26): "Tweede Kerstdag",
    }


def test_two_holidays_on_one_date_carry_both_names() -> None:
    # Easter 2016 was 27 March, so Ascension (+39 days) fell on 5 May.
    holidays = dutch_public_holidays(2016)
    assert holidays[date(2016, 5, 5)] == "Bevrijdingsdag en Hemelvaartsdag"
    assert len(holidays) == 7  # eight feestdagen on seven dates


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 1, 1), id="nieuwjaarsdag"),
        pytest.param(date(2026, 4, 6), id="tweede-paasdag"),
        pytest.param(date(2026, 4, 27), id="koningsdag"),
        pytest.param(date(2026, 5, 5), id="bevrijdingsdag-in-a-non-lustrum-year"),
        pytest.param(date(2025, 5, 5), id="bevrijdingsdag-in-a-lustrum-year"),
        pytest.param(date(2026, 5, 14), id="hemelvaartsdag"),
        pytest.param(date(2026, 5, 25), id="tweede-pinksterdag"),
        pytest.param(date(2026, 12, 25), id="eerste-kerstdag"),
        pytest.param(date(2026, 12, 26), id="tweede-kerstdag-on-a-saturday"),
    ],
)
def test_holidays_of_the_algemene_termijnenwet(day: date) -> None:
    assert is_public_holiday(day)


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 4, 3), id="goede-vrijdag-is-not-in-the-law"),
        pytest.param(date(2026, 4, 5), id="eerste-paasdag-is-not-named-it-is-a-sunday"),
        pytest.param(date(2026, 5, 24), id="eerste-pinksterdag-is-not-named-it-is-a-sunday"),
        pytest.param(date(2026, 12, 31), id="oudejaarsdag"),
        pytest.param(date(2026, 12, 24), id="kerstavond"),
        pytest.param(date(2026, 4, 26), id="26-april-when-27th-is-a-weekday"),
        pytest.param(date(2026, 5, 4), id="dodenherdenking"),
        pytest.param(date(2026, 3, 2), id="an-ordinary-monday"),
    ],
)
def test_days_that_are_not_holidays_under_that_law(day: date) -> None:
    assert not is_public_holiday(day)
