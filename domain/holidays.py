"""Dutch public holidays that move a legal deadline (Algemene termijnenwet, art. 3).

A period that ends on a Saturday, a Sunday or an "algemeen erkende feestdag" ends on the next
day that is none of these (docs/law.md, "The clock"). Art. 3(1) of the Algemene termijnenwet
names the feestdagen: Nieuwjaarsdag, the second days of Easter and Whitsun, Hemelvaartsdag, both
Christmas days, the day the King's birthday is celebrated, and 5 May.

Deliberately NOT in this list:

- Goede Vrijdag (Good Friday): not named in art. 3, so a period ending on it does not move,
  even though many employers give the day off.
- Eerste Paasdag and Eerste Pinksterdag: not named either; they are Sundays anyway.
- Days equated by royal decree under art. 3(2): ad hoc, so they cannot be computed here.

The rules are the law as it stands; earlier years are computed with the same rules (no
Koninginnedag on 30 April before 2014).

Pure code: no I/O and no clock, so the Temporal workflow sandbox can run it.
"""

from __future__ import annotations

from datetime import date, timedelta

FIRST_GREGORIAN_YEAR = 1583


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (anonymous algorithm of Meeus/Jones/Butcher)."""
    if year < FIRST_GREGORIAN_YEAR:
        raise ValueError(f"Easter can only be computed for Gregorian years from 1583, not {year}.")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def kings_day(year: int) -> date:
    """Koningsdag: 27 April, or 26 April when the 27th is a Sunday (Wet vaststelling Koningsdag)."""
    day = date(year, 4, 27)
    return day - timedelta(days=1) if day.weekday() == 6 else day


def dutch_public_holidays(year: int) -> dict[date, str]:
    """The feestdagen of Algemene termijnenwet art. 3 in `year`, by date, with their Dutch names.

    Two feestdagen can fall on one date (Hemelvaartsdag on 5 May, as in 2016); the date then
    carries both names, joined with " en ".
    """
    easter = easter_sunday(year)
    named = [
        (date(year, 1, 1), "Nieuwjaarsdag"),
        # Goede Vrijdag (easter - 2 days) is not in art. 3 and does not move a deadline.
        (easter + timedelta(days=1), "Tweede Paasdag"),
        (kings_day(year), "Koningsdag"),
        # Art. 3 names 5 May itself, so it counts every year, not only every fifth year.
        (date(year, 5, 5), "Bevrijdingsdag"),
        (easter + timedelta(days=39), "Hemelvaartsdag"),
        (easter + timedelta(days=50), "Tweede Pinksterdag"),
        (date(year, 12, 25), "Eerste Kerstdag"),
        (date(year, 12, 26), "Tweede Kerstdag"),
    ]
    holidays: dict[date, str] = {}
    for day, name in sorted(named):
        holidays[day] = f"{holidays[day]} en {name}" if day in holidays else name
    return holidays


def is_public_holiday(day: date) -> bool:
    """Whether `day` is an algemeen erkende feestdag (Algemene termijnenwet, art. 3)."""
    return day in dutch_public_holidays(day.year)
