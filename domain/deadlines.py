"""The law's clock (Art. 12(3)): calendar-month arithmetic for due dates (docs/law.md).

Counting: the day of receipt does not count; a period of months ends on the same-numbered day
of the later month, or on its last day when that month is shorter; a period of days ends that
many days after receipt. Days the clock was paused (identity unverified) push the end back,
and a period ending on a Saturday, Sunday or Dutch public holiday ends on the next working day.

Pure code: no I/O and no clock, so the Temporal workflow sandbox can run it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.holidays import is_public_holiday

# The controller's time zone: the law's days end at midnight in the Netherlands.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# Art. 12(3): the one-month period may be extended by two further months.
EXTENDED_MONTHS = 3

_MONTH_UNITS = frozenset({"month", "months", "maand", "maanden"})
_DAY_UNITS = frozenset({"day", "days", "dag", "dagen"})
_PERIOD = re.compile(r"([0-9]+)\s*([a-z]+)")


@dataclass(frozen=True)
class BasePeriod:
    """The period to answer in: either `months` or `days`, exactly one of them positive."""

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0 or (self.months > 0) == (self.days > 0):
            raise ValueError(
                f"A base period needs exactly one of months or days above zero, "
                f"not months={self.months} and days={self.days}."
            )

    def end(self, received: date) -> date:
        """The last day of the period, before paused days and the working-day roll.

        A period in days never ends after the law's month: "30 days" promised in February
        ends when the month does.
        """
        if self.months:
            return add_months(received, self.months)
        return min(received + timedelta(days=self.days), add_months(received, 1))


ONE_MONTH = BasePeriod(months=1)


def parse_period(text: str) -> BasePeriod:
    """Read a period such as "1 month", "2 months", "14 days", "1 maand" or "14 dagen"."""
    match = _PERIOD.fullmatch(text.strip().lower())
    count = int(match.group(1)) if match else 0
    unit = match.group(2) if match else ""
    if count > 0 and unit in _MONTH_UNITS:
        return BasePeriod(months=count)
    if count > 0 and unit in _DAY_UNITS:
        return BasePeriod(days=count)
    raise ValueError(
        f"A period must be a whole number above zero and months or days, "
        f'such as "1 month" or "14 dagen", not {text!r}.'
    )


def add_months(start: date, months: int) -> date:
    """Same-numbered day `months` later, or the last day of that month when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def is_working_day(day: date) -> bool:
    """Neither a Saturday, a Sunday nor a Dutch public holiday (Algemene termijnenwet)."""
    return day.weekday() < 5 and not is_public_holiday(day)


def next_working_day(day: date) -> date:
    """A period ending on a Saturday, Sunday or public holiday ends on the next working day."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _rolled_end(end: date, paused_days: int) -> date:
    if paused_days < 0:
        raise ValueError(f"Paused days cannot be negative, not {paused_days}.")
    return next_working_day(end + timedelta(days=paused_days))


def due_date(
    received: date,
    months: int = 1,
    *,
    period: BasePeriod | None = None,
    paused_days: int = 0,
) -> date:
    """The last day to answer a request received on `received`.

    `period` (when given) replaces `months`; `paused_days` are calendar days the clock stood
    still while identity was unverified, added to the end before it rolls to a working day.
    """
    if period is not None and months != 1:
        raise ValueError(f"Give either months={months} or a period, not both.")
    base = period if period is not None else BasePeriod(months=months)
    return _rolled_end(base.end(received), paused_days)


def extended_due_date(received: date, *, paused_days: int = 0) -> date:
    """The last day when the period is extended (Art. 12(3)): three months from receipt."""
    return _rolled_end(add_months(received, EXTENDED_MONTHS), paused_days)


def may_extend(
    received: date,
    today: date,
    *,
    period: BasePeriod | None = None,
    paused_days: int = 0,
) -> bool:
    """Whether an extension may still be decided: only up to the due date of the first period."""
    return today <= due_date(received, period=period, paused_days=paused_days)


def end_of_day(day: date) -> datetime:
    """The deadline as an instant: the end of the due day where the controller is, in
    Amsterdam (a day ends at 23:59:59 local time, an hour or two before it does in UTC)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=AMSTERDAM).astimezone(UTC)


@dataclass(frozen=True)
class ClockRules:
    """The company's promises about the clock (policy.toml [deadline])."""

    period: BasePeriod = field(default_factory=lambda: BasePeriod(months=1))
    # Regulators' guidance: the clock starts once identity is confirmed; the policy decides.
    pause_while_unverified: bool = True
    # Days before the due date when the officer is reminded.
    reminder_days_before: tuple[int, ...] = (7, 2)
    # An unverified request is closed as rejected this many days after receipt;
    # 0 means when its (unpaused) first period ends.
    reject_unverified_after_days: int = 0

    def unverified_deadline(self, received: date) -> date:
        if self.reject_unverified_after_days:
            return received + timedelta(days=self.reject_unverified_after_days)
        return due_date(received, period=self.period)
